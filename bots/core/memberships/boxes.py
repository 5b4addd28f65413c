"""Membership boxes in the member's private chat: the notice with the address on file and Confirm / Change,
and the short dialog that takes a new address (see domain/memberships/boxes.py).

Every button's box number is checked by the use case against the person pressing it: a forged Confirm for
someone else's box gets "no such box" and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, TextEvent
from bots.core.table import HandlerTable, TextFn
from domain.errors import DomainError
from domain.memberships import boxes
from domain.memberships.errors import MembershipError
from domain.notices import NoticeParams
from domain.outgoing import Button, View

log = logging.getLogger(__name__)

CANCEL_WORDS = {"cancel", "stop", "取消"}


def dialog_key(user_id: int) -> str:
    return f"boxes:dialog:{user_id}"


def register(table: HandlerTable) -> None:
    table.action("bxok", confirm, int)
    table.action("bxchg", start_change, int)
    table.notice(boxes.ASK, ask_notice)
    table.member_state_key(dialog_key)
    table.text = _chain(table.text)


def _chain(previous: TextFn | None) -> TextFn:
    async def private_text(ctx: Context, event: TextEvent) -> None:
        state = await ctx.services.state.get(dialog_key(event.sender.id))
        if state is not None:
            await on_address(ctx, event, state)
        elif previous is not None:
            await previous(ctx, event)

    return private_text


def ask_notice(ctx: Context, params: NoticeParams) -> View:
    box_id = params["box_id"]
    assert isinstance(box_id, int)
    product, plan, address = (str(params.get(name) or "") for name in ("product", "plan", "address"))
    change = Button(ctx.plain("Change address"), callback=ctx.button("bxchg", box_id))
    if not address:
        text = ctx.t(
            "Your {plan} box, {product}, is ready to ship, but there is no address on file. Press Change address "
            "and send where it should go.",
            plan=plan,
            product=product,
        )
        return View(text, ((change,),))
    text = ctx.t(
        "Your {plan} box, {product}, is ready to ship to:\n{address}\nConfirm this address, or change it.",
        plan=plan,
        product=product,
        address=address,
    )
    return View(text, ((Button(ctx.plain("Confirm"), callback=ctx.button("bxok", box_id)), change),))


async def confirm(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    box_id = callback.int_arg(0)
    async with ctx.uow() as uow:
        await boxes.confirm_box(uow, ctx.now(), event.sender.id, box_id)
        await uow.commit()
    log.info("membership box %s confirmed by %s", box_id, event.sender.id)
    await ctx.messenger.answer_callback(event.callback_id)
    await ctx.messenger.send(event.sender.id, View(ctx.t("Thank you: your box will be shipped to that address.")))


async def start_change(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    box_id = callback.int_arg(0)
    async with ctx.uow() as uow:
        await boxes.awaiting_box(uow, event.sender.id, box_id)  # a forged button opens no dialog
    await ctx.services.state.set(dialog_key(event.sender.id), {"box": box_id})
    await ctx.messenger.answer_callback(event.callback_id)
    question = ctx.t(
        "Send the address for your box in one line: Name, phone, street, city, postcode, country code. "
        "For example: Mei Lin, +65 5550 1234, 1 Tea Street, Singapore, 049315, SG. Send cancel to stop."
    )
    await ctx.messenger.send(event.sender.id, View(question))


async def on_address(ctx: Context, event: TextEvent, state: dict[str, Any]) -> None:
    key = dialog_key(event.sender.id)
    if event.text.strip().lower() in CANCEL_WORDS:
        await ctx.services.state.delete(key)
        await ctx.messenger.send(event.chat.id, View(ctx.t("Stopped. Nothing was changed.")))
        return
    box_id = int(state["box"])
    try:
        async with ctx.uow() as uow:
            await boxes.change_address(uow, ctx.now(), event.sender.id, box_id, event.text)
            await uow.commit()
    except DomainError as error:
        if error.code is MembershipError.BOX_BAD_ADDRESS:
            await ctx.messenger.send(event.chat.id, View(ctx.explain_error(error)))
            return  # the dialog stays open for another try
        await ctx.services.state.delete(key)
        raise
    await ctx.services.state.delete(key)
    log.info("membership box %s: new address from %s", box_id, event.sender.id)
    await ctx.messenger.send(event.chat.id, View(ctx.t("Thank you: your box will be shipped to that address.")))
