"""Changing a drop before it opens, one thing at a time, from the brand menu.

Edit #N shows the drop with a button per thing that can change (everything but its brand and mode: a
raffle's seed hash may already be public). Choosing one asks for the new value in the private chat, with
the current one shown; the domain checks the whole changed plan, so a refusal names the problem and asks
again. The open question lives in the same state entry as the new-drop dialog, so a brand is in one
conversation at a time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.drops import dialog
from bots.core.drops.errors import DropCommandError
from bots.core.drops.views import status_name
from bots.core.events import ButtonEvent, TextEvent
from domain.drops import revisions, scheduling
from domain.drops.errors import DropError
from domain.drops.model import Drop, DropPlan, DropStatus
from domain.errors import DomainError
from domain.money import parse_major
from domain.outgoing import Button, View
from domain.ports import UnitOfWork
from domain.shop import catalog

log = logging.getLogger(__name__)

FIELDS = ("product", "quantity", "price", "start", "hours", "limit", "early", "communities")


def _label(ctx: Context, field: str) -> str:
    return {
        "product": ctx.plain("Product"),
        "quantity": ctx.plain("Quantity"),
        "price": ctx.plain("Price"),
        "start": ctx.plain("Opening time"),
        "hours": ctx.plain("Hours open"),
        "limit": ctx.plain("Limit per member"),
        "early": ctx.plain("Early access"),
        "communities": ctx.plain("Groups"),
    }[field]


def _hours(drop: Drop) -> str:
    hours = (drop.ends_at - drop.starts_at) / timedelta(hours=1)
    return f"{hours:g}"


def _current(ctx: Context, drop: Drop, field: str) -> str:
    if field == "communities":
        return ", ".join(str(c) for c in drop.communities) if drop.communities else ctx.t("all")
    return {
        "product": drop.title,
        "quantity": str(drop.quantity),
        "price": drop.price.display(),
        "start": drop.starts_at.strftime("%Y-%m-%d %H:%M"),
        "hours": _hours(drop),
        "limit": str(drop.per_member_limit),
        "early": str(drop.early_access_minutes),
    }[field]


def edit_menu(ctx: Context, drop: Drop) -> View:
    text = dialog.preview(ctx, drop).text + "\n\n" + ctx.t("What do you want to change?")
    fields = [Button(_label(ctx, f), callback=ctx.button("dfield", drop.id, f)) for f in FIELDS]
    rows: list[tuple[Button, ...]] = [tuple(fields[i : i + 2]) for i in range(0, len(fields), 2)]
    last = [Button(ctx.plain("Cancel the drop"), callback=ctx.button("dcancel", drop.id))]
    if drop.status is DropStatus.DRAFT:
        last.insert(0, Button(ctx.plain("Confirm"), callback=ctx.button("dconfirm", drop.id)))
    rows.append(tuple(last))
    return View(text, tuple(rows))


async def start_edit(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        drop = await scheduling.editable_drop(uow, ctx.now(), actor, callback.int_arg(0))
    await ctx.messenger.answer_callback(event.callback_id)
    await ctx.messenger.send(event.sender.id, edit_menu(ctx, drop))


async def choose_field(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    field = callback.str_arg(1)
    if field not in FIELDS:
        log.warning("refused edit of unknown field %r from %s", field, event.sender.id)
        raise DomainError(DropCommandError.UNKNOWN_FIELD)
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        drop = await scheduling.editable_drop(uow, ctx.now(), actor, callback.int_arg(0))
    state = {"edit": drop.id, "step": field, "answers": {}}
    await ctx.services.state.set(dialog.dialog_key(event.sender.id), state)
    await ctx.messenger.answer_callback(event.callback_id)
    lines = [
        ctx.t("Changing drop #{id}: {what}. Send cancel to leave it as it is.", id=drop.id, what=_label(ctx, field)),
        ctx.t("Now: {value}", value=_current(ctx, drop, field)),
        dialog.prompt(ctx, field),
    ]
    await ctx.messenger.send(event.sender.id, View("\n".join(lines)))


async def on_answer(ctx: Context, event: TextEvent, state: dict[str, Any]) -> None:
    """The new value for the field an edit asked about."""
    key = dialog.dialog_key(event.sender.id)
    field, drop_id = str(state["step"]), int(state["edit"])
    if dialog.is_cancel(event.text):
        await ctx.services.state.delete(key)
        await ctx.messenger.send(event.chat.id, View(ctx.t("Nothing was changed.")))
        return
    answer = dialog.parse_answer(field, event.text)
    if answer.problem is not None:
        await ctx.messenger.send(event.chat.id, View(ctx.t("That does not fit.") + " " + dialog.prompt(ctx, field)))
        return
    actor = await ctx.actor(event.sender)
    try:
        async with ctx.uow() as uow:
            drop = await scheduling.editable_drop(uow, ctx.now(), actor, drop_id)
            plan = await _revised(uow, drop, field, answer.value)
            drop = await scheduling.edit_drop(uow, ctx.now(), actor, drop_id, plan, ctx.settings.beacon)
            await uow.commit()
    except DomainError as error:
        if error.code is DropError.NOT_EDITABLE:
            await ctx.services.state.delete(key)
            raise
        problem = ctx.explain_error(error, html=True)
        await ctx.messenger.send(event.chat.id, View(problem + "\n\n" + dialog.prompt(ctx, field)))
        return
    await ctx.services.state.delete(key)
    log.info("drop %s: %s changed by %s", drop.id, field, event.sender.id)
    done = ctx.t("Drop #{id} changed ({status}).", id=drop.id, status=status_name(ctx, drop.status))
    menu = edit_menu(ctx, drop)
    await ctx.messenger.send(event.chat.id, View(done + "\n\n" + menu.text, menu.buttons))


async def _revised(uow: UnitOfWork, drop: Drop, field: str, value: Any) -> DropPlan:
    """The drop's plan with the answer applied; the parser already checked the answer's shape."""
    plan = drop.plan
    if field == "product":
        product = await catalog.product_by_sku(uow, str(value))
        return revisions.revise(plan, product_id=product.id)
    if field == "price":
        return revisions.revise(plan, price=parse_major(str(value), drop.price.currency))
    if field == "start":
        return revisions.revise(plan, starts_at=datetime.fromisoformat(str(value)))
    if field == "hours":
        return revisions.revise(plan, duration=timedelta(hours=int(value)))
    if field == "communities":
        return revisions.revise(plan, communities=tuple(int(c) for c in value))
    number = int(value)
    if field == "quantity":
        return revisions.revise(plan, quantity=number)
    if field == "limit":
        return revisions.revise(plan, per_member_limit=number)
    return revisions.revise(plan, early_access_minutes=number)
