"""What members see of invitations (texts are HTML; params are escaped by ctx.t)."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.i18n import count_of
from domain.notices import NoticeParams
from domain.outgoing import View
from domain.referrals.links import LINK_PREFIX as INVITE_LINK


def invite_view(ctx: Context, code: str) -> View:
    link = ctx.deep_link(f"{INVITE_LINK}{code}")
    policy = ctx.settings.rewards
    text = "\n".join(
        [
            ctx.t("<b>Your invite link</b>"),
            link,
            "",
            ctx.tn(
                "When someone you invite pays for their first order, you earn {points} point once the order is "
                "past its {days}-day refund window.",
                "When someone you invite pays for their first order, you earn {points} points once the order is "
                "past its {days}-day refund window.",
                policy.referral_points,
                points=policy.referral_points,
                days=policy.referral_hold_days,
            ),
        ]
    )
    return View(text)


# -- notices -------------------------------------------------------------------------------------------


def referral_rewarded(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.tn(
            "{name} paid their first order through your invitation: you earned {points} point.",
            "{name} paid their first order through your invitation: you earned {points} points.",
            count_of(params["points"]),
            name=str(params["name"]),
            points=params["points"],
        )
    )
