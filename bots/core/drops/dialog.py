"""Scheduling a drop step by step in the private chat, with a preview to confirm.

The dialog's answers live in the core state store (memory, or Redis with several workers), keyed by the
member. Each answer is checked as it comes; the whole plan is then checked by the domain when the draft
is made, and an error there sends the brand back to the step it concerns. Nothing is scheduled until
the brand confirms the preview.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.drops.views import status_name
from bots.core.events import ButtonEvent, Sender, TextEvent
from domain.brands.roles import require_brand_staff
from domain.drops import scheduling
from domain.drops.errors import DropError
from domain.drops.model import Drop, DropMode, DropPlan
from domain.errors import DomainError
from domain.money import MoneyError, parse_major
from domain.numbers import whole_number
from domain.outgoing import Button, View
from domain.shop import catalog
from domain.shop.errors import ShopError

log = logging.getLogger(__name__)

STEPS = ("product", "quantity", "price", "start", "hours", "limit", "early", "mode", "communities")
# Where a domain refusal of the whole plan sends the brand back to.
STEP_OF_ERROR = {
    ShopError.PRODUCT_NOT_FOUND: "product",
    DropError.NOT_BRAND_PRODUCT: "product",
    DropError.BAD_QUANTITY: "quantity",
    DropError.BAD_PRICE: "price",
    DropError.BAD_CURRENCY: "price",
    DropError.PHYSICAL_IN_STARS: "price",
    MoneyError.PRICE_INVALID: "price",
    MoneyError.PRICE_NEGATIVE: "price",
    MoneyError.PRICE_TOO_PRECISE: "price",
    DropError.STARTS_IN_PAST: "start",
    DropError.BAD_TIME: "start",
    DropError.BAD_DURATION: "hours",
    DropError.BAD_LIMIT: "limit",
    DropError.BAD_EARLY_ACCESS: "early",
    DropError.COMMUNITY_NOT_OPTED_IN: "communities",
}
CANCEL_WORDS = {"cancel", "stop", "取消"}


def dialog_key(user_id: int) -> str:
    """The state entry of a brand's open conversation: a new drop, or a change to one."""
    return f"drops:dialog:{user_id}"


def prompt(ctx: Context, step: str) -> str:
    return {
        "product": ctx.t("Which product? Send its SKU, for example TEA-SET-01."),
        "quantity": ctx.t("How many units?"),
        "price": ctx.t("The drop price, in the product's currency (for example 200)?"),
        "start": ctx.t("When does it open? Send the time in UTC as YYYY-MM-DD HH:MM."),
        "hours": ctx.t("How many hours does it stay open?"),
        "limit": ctx.t("How many units may one member buy?"),
        "early": ctx.t("How many minutes of early access for members (0 for none)?"),
        "mode": ctx.t("First come, or raffle? Send first or raffle."),
        "communities": ctx.t("Which groups? Send all, or group ids separated by commas."),
    }[step]


@dataclass(frozen=True, slots=True)
class Answer:
    value: Any = None
    problem: str | None = None


def _whole(text: str, low: int, high: int) -> Answer:
    number = whole_number(text)
    if number is None or not low <= number <= high:
        return Answer(problem=f"{low}-{high}")
    return Answer(number)


def parse_answer(step: str, text: str) -> Answer:
    text = text.strip()
    if step == "product":
        return Answer(text) if text else Answer(problem="sku")
    if step == "quantity":
        return _whole(text, 1, 100_000)
    if step == "price":
        return Answer(text) if text else Answer(problem="price")
    if step == "start":
        try:
            moment = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        except ValueError:
            return Answer(problem="time")
        return Answer(moment.isoformat())
    if step == "hours":
        return _whole(text, 1, 30 * 24)
    if step == "limit":
        return _whole(text, 1, 10)
    if step == "early":
        return _whole(text, 0, 7 * 24 * 60)
    if step == "mode":
        lowered = text.lower()
        if lowered in ("first", "first come", "first_come", "1"):
            return Answer(DropMode.FIRST_COME.value)
        if lowered in ("raffle", "2"):
            return Answer(DropMode.RAFFLE.value)
        return Answer(problem="mode")
    if text.lower() == "all":
        return Answer([])
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    chat_ids = [whole_number(p, signed=True) for p in parts]
    if not chat_ids or None in chat_ids:
        return Answer(problem="communities")
    return Answer(chat_ids)


async def start_dialog(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    brand_id = callback.int_arg(0)
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        brand = await require_brand_staff(uow, actor, brand_id)
    state = {"brand_id": brand.id, "step": STEPS[0], "answers": {}}
    await ctx.services.state.set(dialog_key(event.sender.id), state)
    await ctx.messenger.answer_callback(event.callback_id)
    intro = ctx.t("New drop for {brand}. Send cancel at any time to stop.", brand=brand.name)
    await ctx.messenger.send(event.sender.id, View(intro + "\n\n" + prompt(ctx, STEPS[0])))


def is_cancel(text: str) -> bool:
    return text.strip().lower() in CANCEL_WORDS


async def on_answer(ctx: Context, event: TextEvent, state: dict[str, Any]) -> None:
    """The next answer of an open new-drop dialog."""
    key = dialog_key(event.sender.id)
    if is_cancel(event.text):
        await ctx.services.state.delete(key)
        await ctx.messenger.send(event.chat.id, View(ctx.t("Scheduling cancelled. Nothing was saved.")))
        return
    step = str(state["step"])
    answer = parse_answer(step, event.text)
    if answer.problem is not None:
        await ctx.messenger.send(event.chat.id, View(ctx.t("That does not fit.") + " " + prompt(ctx, step)))
        return
    state["answers"][step] = answer.value
    following = [s for s in STEPS if s not in state["answers"]]
    if following:
        state["step"] = following[0]
        await ctx.services.state.set(key, state)
        await ctx.messenger.send(event.chat.id, View(prompt(ctx, following[0])))
        return
    try:
        draft = await _make_draft(ctx, event.sender, state)
    except DomainError as error:
        back = STEP_OF_ERROR.get(error.code, STEPS[0])
        state["answers"].pop(back, None)
        state["step"] = back
        await ctx.services.state.set(key, state)
        problem = ctx.explain_error(error, html=True)
        await ctx.messenger.send(event.chat.id, View(problem + "\n\n" + prompt(ctx, back)))
        return
    await ctx.services.state.delete(key)
    await ctx.messenger.send(event.chat.id, preview(ctx, draft))


async def _make_draft(ctx: Context, sender: Sender, state: dict[str, Any]) -> Drop:
    answers = state["answers"]
    actor = await ctx.actor(sender)
    async with ctx.uow() as uow:
        product = await catalog.product_by_sku(uow, str(answers["product"]))
        starts = datetime.fromisoformat(str(answers["start"]))
        plan = DropPlan(
            brand_id=int(state["brand_id"]),
            product_id=product.id,
            quantity=int(answers["quantity"]),
            price=parse_major(str(answers["price"]), product.price.currency),
            starts_at=starts,
            ends_at=starts + timedelta(hours=int(answers["hours"])),
            per_member_limit=int(answers["limit"]),
            early_access_minutes=int(answers["early"]),
            mode=DropMode(str(answers["mode"])),
            communities=tuple(int(c) for c in answers["communities"]),
        )
        draft = await scheduling.schedule_drop(uow, ctx.now(), actor, plan, draft=True, beacon=ctx.settings.beacon)
        await uow.commit()
    return draft


def preview(ctx: Context, drop: Drop) -> View:
    mode = ctx.t("raffle") if drop.is_raffle else ctx.t("first come")
    where = ", ".join(str(c) for c in drop.communities) if drop.communities else ctx.t("every group that allows it")
    lines = [
        ctx.t("<b>Preview of drop #{id}</b> ({status})", id=drop.id, status=status_name(ctx, drop.status)),
        ctx.t("{quantity} × {title} at {price}", quantity=drop.quantity, title=drop.title, price=drop.price.display()),
        ctx.t(
            "Opens {starts}, closes {ends}",
            starts=ctx.when(drop.starts_at),
            ends=ctx.when(drop.ends_at),
        ),
        ctx.t(
            "Limit {limit} per member · early access {minutes} min · {mode}",
            limit=drop.per_member_limit,
            minutes=drop.early_access_minutes,
            mode=mode,
        ),
        ctx.t("Groups: {groups}", groups=where),
    ]
    buttons = (
        (
            Button(ctx.t("Confirm"), callback=ctx.button("dconfirm", drop.id)),
            Button(ctx.t("Discard"), callback=ctx.button("dcancel", drop.id)),
        ),
    )
    return View("\n".join(lines), buttons)


async def confirm(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    actor = await ctx.actor(event.sender)
    async with ctx.uow() as uow:
        drop = await scheduling.confirm_drop(uow, ctx.now(), actor, callback.int_arg(0))
        await uow.commit()
    log.info("drop %s scheduled by %s from the dialog", drop.id, event.sender.id)
    await ctx.messenger.edit(event.message, View(preview(ctx, drop).text))
    await ctx.messenger.answer_callback(event.callback_id, ctx.t("Drop #{id} scheduled.", id=drop.id))
