"""What moderators see of their group's settings, and the risk notice members see."""

from __future__ import annotations

import html

from bots.core.context import Context
from bots.core.i18n import N_
from domain.moderation.model import CommunitySettings, Feature
from domain.outgoing import Button, View

FEATURE_NAMES: dict[Feature, str] = {
    Feature.DROPS: N_("Drops"),
    Feature.GROUP_BUYS: N_("Group buys"),
    Feature.VOTES: N_("Votes"),
    Feature.GIVEAWAYS: N_("Giveaways"),
    Feature.MEETUPS: N_("Meetups"),
}

DEFAULT_RISK_NOTICE = N_(
    "Before you join: group buys and referral rewards are run by the shop, not by this group. Pay only through "
    "the bot's own invoices; nobody will ask you to pay anywhere else. A group buy that does not fill is refunded. "
    "Referral rewards are points, never cash, and only for one level of invitation."
)


def risk_notice(ctx: Context, settings: CommunitySettings | None) -> str:
    """The group's own risk notice (its text as the admins wrote it, escaped), or the default one."""
    if settings is not None and settings.risk_notice:
        return "⚠️ " + html.escape(settings.risk_notice)
    return "⚠️ " + ctx.t(DEFAULT_RISK_NOTICE)


def _on_off(ctx: Context, on: bool) -> str:
    return ctx.plain("on") if on else ctx.plain("off")


def settings_menu(ctx: Context, settings: CommunitySettings, language: str | None) -> View:
    lines = [ctx.t("<b>Settings of this group</b> (admins only; tap to switch)")]
    if settings.quiet_start is not None and settings.quiet_end is not None:
        lines.append(
            ctx.t(
                "Quiet hours: {start}:00–{end}:00 ({timezone}); announcements wait until they end.",
                start=settings.quiet_start,
                end=settings.quiet_end,
                timezone=settings.timezone,
            )
        )
    else:
        lines.append(ctx.t("Quiet hours: none ({timezone}).", timezone=settings.timezone))
    if settings.daily_cap is not None:
        lines.append(
            ctx.t("At most {cap} announcements a day; the rest wait for the next day.", cap=settings.daily_cap)
        )
    else:
        lines.append(ctx.t("Announcements a day: no cap."))
    lines.append(ctx.t("Language of announcements: {language}", language=language or ctx.plain("the shop's default")))
    lines.append(ctx.t("Risk notice before group buys and referral rewards:"))
    lines.append(risk_notice(ctx, settings))
    lines.append("")
    lines.append(
        ctx.t(
            "Change the rest with /settings quiet 22 8 (or off), /settings cap 5 (or off), /settings timezone "
            "Europe/Berlin, /settings language zh (or default), /settings notice TEXT (or default)."
        )
    )
    shop_label = ctx.plain("Shop: {state}", state=_on_off(ctx, settings.shop_enabled))
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                ("✅ " if settings.shop_enabled else "⛔ ") + shop_label,
                ctx.button("mshop", 0 if settings.shop_enabled else 1),
            ),
        )
    ]
    for feature, name in FEATURE_NAMES.items():
        allowed = settings.allows(feature)
        label = ("✅ " if allowed else "⛔ ") + ctx.plain(name)
        rows.append((Button(label, ctx.button("mfeat", feature.value, 0 if allowed else 1)),))
    languages = ctx.services.translations.supported
    language_buttons = [
        Button(("• " if code == language else "") + code, ctx.button("mlang", code)) for code in languages
    ]
    language_buttons.append(Button(("• " if language is None else "") + ctx.plain("default"), ctx.button("mlang", "-")))
    rows.append(tuple(language_buttons))
    return View("\n".join(lines), tuple(rows))
