"""What a member sees of their data rights (texts are HTML; params are escaped by ctx.t)."""

from __future__ import annotations

from bots.core.context import Context
from domain.outgoing import Button, Document, View
from domain.privacy import files
from domain.privacy.holdings import Topic
from domain.privacy.members import Fate, Held, MemberData


def topic_text(ctx: Context, topic: Topic) -> str:
    """What is stored under each topic, and why."""
    return {
        Topic.PROFILE: ctx.t("Your Telegram name, username and language: to greet you and answer in your language."),
        Topic.ORDERS: ctx.t("Your orders: to deliver them, and for the shop's accounts."),
        Topic.PAYMENTS: ctx.t("Your payments and refunds: the shop must keep its accounts by law."),
        Topic.ADDRESSES: ctx.t(
            "Shipping addresses you gave: to send your parcels; only the brand and the operator see them."
        ),
        Topic.POINTS: ctx.t("Your points ledger: your balance and how it came about."),
        Topic.REFERRALS: ctx.t("Your invite link and who invited whom: for invitation rewards."),
        Topic.GROUP_BUYS: ctx.t("Group buys you started or joined, with your name on their card."),
        Topic.DROPS: ctx.t("Drop claims, raffle entries and reminders: to keep each drop's limits and draws fair."),
        Topic.MEMBERSHIPS: ctx.t("Your memberships: for their perks and renewals."),
        Topic.ROLES: ctx.t("Your roles: brand staff, and brand decisions you made as a group's moderator."),
        Topic.NOTICES: ctx.t("Messages the shop sent you or is about to send."),
    }[topic]


def fate_text(ctx: Context, fate: Fate) -> str:
    return {
        Fate.ERASED: ctx.t("erased when you delete"),
        Fate.KEPT: ctx.t("kept for the accounts under a pseudonym when you delete"),
        Fate.PARTLY: ctx.t("partly kept under a pseudonym when you delete, the rest erased"),
    }[fate]


def privacy_view(ctx: Context, data: MemberData, held: tuple[Held, ...]) -> View:
    lines = [ctx.t("<b>Your data at circlecart</b>"), ""]
    for item in held:
        lines.append(f"• {topic_text(ctx, item.topic)} <i>({fate_text(ctx, item.fate)})</i>")
    lines += [
        "",
        ctx.t("Records about you now: {count}.", count=data.count),
        ctx.t("Export sends them to you as JSON and CSV files. Delete erases your data for good."),
    ]
    buttons = (
        (Button(ctx.t("Export my data"), callback=ctx.button("prexp")),),
        (Button(ctx.t("Delete my data"), callback=ctx.button("prdel")),),
    )
    return View("\n".join(lines), buttons)


def export_views(ctx: Context, data: MemberData) -> tuple[View, View]:
    stem = files.file_stem(data)
    return (
        View(
            ctx.tn(
                "Everything circlecart stores about you: {count} record (JSON).",
                "Everything circlecart stores about you: {count} records (JSON).",
                data.count,
                count=data.count,
            ),
            document=Document(f"{stem}.json", files.as_json(data)),
        ),
        View(ctx.t("The same as a table (CSV)."), document=Document(f"{stem}.csv", files.as_csv(data))),
    )


def confirm_view(ctx: Context, nonce: str) -> View:
    text = "\n".join(
        [
            ctx.t("<b>Delete your data?</b>"),
            ctx.t(
                "Your name, username, invite link, reminders and dialogs are erased. Your orders and payments stay "
                "in the shop's accounts under a pseudonym, without your name. This cannot be undone."
            ),
        ]
    )
    buttons = (
        (Button(ctx.t("Yes, delete my data"), callback=ctx.button("prok", nonce)),),
        (Button(ctx.t("No, keep it"), callback=ctx.button("prkeep")),),
    )
    return View(text, buttons)


def forgotten_view(ctx: Context, subscriptions: int) -> View:
    text = ctx.t("Your data is deleted. If you write to me again, you start as a new member.")
    if subscriptions:
        text += "\n" + ctx.t("Your Telegram Stars subscriptions here are cancelled.")
    return View(text)


def kept_view(ctx: Context) -> View:
    return View(ctx.t("Nothing was deleted."))
