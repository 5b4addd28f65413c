"""What the assistant says around the shop's own views: short fixed texts in the member's language."""

from __future__ import annotations

from bots.core.context import Context
from domain.notices import NoticeParams
from domain.outgoing import Button, View


def found_intro(ctx: Context, count: int) -> View:
    return View(ctx.t("Here is what I found ({count}):", count=count))


def handed_over(ctx: Context, number: int, in_group: bool) -> View:
    text = ctx.t(
        "I can't answer that myself, so I have passed your message to the shop's team (request #{number}). "
        "They will reply to you in a private chat.",
        number=number,
    )
    if in_group:
        text += "\n" + ctx.t("This group's moderators can help too.")
    return View(text)


def answered_in_private(ctx: Context) -> View:
    return View(ctx.t("I have answered you in our private chat."))


def open_private_chat(ctx: Context) -> View:
    link = ctx.deep_link("help")
    return View(
        ctx.t("That is personal, so I answer it in private: open a chat with me first."),
        ((Button(ctx.t("Open the private chat"), url=link),),),
    )


def handover_notice(ctx: Context, params: NoticeParams) -> View:
    """To each operator: a member's request the assistant could not answer."""
    return View(
        ctx.t(
            "<b>Request #{number}</b> from member {member} (chat {chat}), handed over by the assistant:\n{text}",
            number=params.get("number") or 0,
            member=params.get("member") or 0,
            chat=params.get("chat") or 0,
            text=str(params.get("text") or ""),
        )
    )
