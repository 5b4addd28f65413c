"""/invite, and the invitation links (r_<code>) that /start hands over."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from bots.core.context import Context
from bots.core.events import CommandEvent
from bots.core.i18n import N_
from bots.core.moderation.settings_views import risk_notice
from bots.core.personal import answer_personally
from bots.core.referrals import views
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Command, HandlerTable
from domain.errors import ErrorCode
from domain.moderation import settings as community_settings
from domain.outgoing import View
from domain.referrals import links
from domain.referrals.errors import ReferralError
from domain.referrals.links import Attribution

log = logging.getLogger(__name__)

EVERYWHERE = frozenset({PRIVATE_SCOPE, GROUP_SCOPE})
INVITE = re.compile(r"^r_([a-z0-9]{4,16})$")

ERRORS: dict[ErrorCode, str] = {
    ReferralError.NO_CODE: N_("Your invite link could not be made just now. Please try again in a moment."),
}


def register(table: HandlerTable) -> None:
    """Declare this capability's entries in the handler table."""
    table.command(Command("invite", invite, N_("Your invite link"), EVERYWHERE))
    table.notice("referral.rewarded", views.referral_rewarded)
    table.errors(ERRORS)


async def start_link(ctx: Context, event: CommandEvent) -> None:
    """Record the invitation an r_<code> link carries; /start goes on to welcome the member as usual."""
    invited = INVITE.match(event.args)
    if invited:
        await _accept_invitation(ctx, event, invited.group(1))


async def _accept_invitation(ctx: Context, event: CommandEvent, code: str) -> None:
    async with ctx.uow() as uow:
        result = await links.attribute(uow, ctx.now(), event.sender.id, code)
        await uow.commit()
    log.info("invitation %s opened by %s: %s", code, event.sender.id, result.outcome)
    if result.outcome is Attribution.RECORDED and result.referrer_name is not None:
        await ctx.messenger.send(
            event.chat.id, View(ctx.t("You came here through {name}'s invitation.", name=result.referrer_name))
        )
    elif result.outcome is Attribution.SELF:
        await ctx.messenger.send(event.chat.id, View(ctx.t("That is your own invite link: share it with friends.")))


async def invite(ctx: Context, event: CommandEvent) -> None:
    async with ctx.uow() as uow:
        code = await links.invite_code(uow, event.sender.id)
        group = await community_settings.settings_of(uow, event.chat.id) if event.chat.is_group else None
        await uow.commit()
    view = views.invite_view(ctx, code)
    # The risk notice comes with the link wherever the answer lands (the group's own text, if it set one).
    await answer_personally(ctx, event, replace(view, text=risk_notice(ctx, group) + "\n\n" + view.text), "invite")
