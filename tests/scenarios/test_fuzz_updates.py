"""5,000 random and forged updates per framework, seeded: every callback and pre-checkout query is answered,
nothing unhandled is logged, and nobody's order is changed by another member.

Victims buy first and then stay still; attackers send commands with odd arguments (other scripts' digits,
4,096-character words, other members' order ids), forged callback data, inline queries, chosen results,
pre-checkout queries naming the victims' orders, join requests, the bot added to and removed from other groups,
and replays of earlier updates. Updates go in batches that the bot handles concurrently.
"""

from __future__ import annotations

import contextlib
import logging
import random
import string
from dataclasses import dataclass, field
from typing import Any

import pytest

from bots.core.app import build_table
from circlecart.sandbox.bot_api.updates import new_query_id
from circlecart.sandbox.bot_api.world import QueryRecord
from domain.shop.orders import OrderStatus
from tests.scenarios.harness import BOT_ID, Shop
from tests.scenarios.rewards_steps import eventually

UPDATES = 5_000
BATCH = 50
SEED = 20261124

COMMANDS = [
    "start", "shop", "find", "orders", "help", "language", "raffle", "refund", "plan", "groupprice", "brand",
    "membership", "members", "points", "invite", "groupbuy", "brands", "xyz", "start@circlecart_test_bot",
]  # fmt: skip
ACTIONS = [*sorted(build_table().actions), "nope", "refund"]
ODD_NUMBERS = ["²", "١٢", "１２", "-1", "0", "99999999999999999999", "1e3", "#1", "1_000", "٣", ""]


@dataclass
class World:
    shop: Shop
    rng: random.Random
    group: Any
    victims: list[Any]
    attackers: list[Any]
    victim_order_ids: list[int]
    messages: list[Any] = field(default_factory=list)  # bot messages whose buttons can be pressed
    callback_ids: list[str] = field(default_factory=list)
    pre_checkout_ids: list[str] = field(default_factory=list)
    replayable: list[int] = field(default_factory=list)
    side_groups: int = 0

    def word(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.25:
            return rng.choice(ODD_NUMBERS)
        if kind < 0.35:
            return str(rng.choice(self.victim_order_ids))
        if kind < 0.4:
            return rng.choice(["x" * 4000, "茶" * 3000, "<b>" * 500, "\u202e" * 100])
        return "".join(rng.choices(string.ascii_letters + string.digits + "=_-#茶²", k=rng.randint(1, 12)))


def _forged_data(world: World) -> str:
    rng = world.rng
    roll = rng.random()
    if roll < 0.6:
        args = ":".join(world.word()[:12] for _ in range(rng.randint(0, 3)))
        return f"1:{rng.choice(ACTIONS)}:{args}".rstrip(":")[:64]
    if roll < 0.8:
        return f"1:{rng.choice(ACTIONS)}:{rng.choice([*world.victim_order_ids, 1, 2, 3, 10**17, -5])}"
    return "".join(rng.choices(string.printable + "茶²", k=rng.randint(1, 64)))[:64]


async def _one_update(world: World) -> int | None:
    """Deliver one random update; its update_id (None if no bot was due to get it)."""
    shop, rng = world.shop, world.rng
    attacker = rng.choice(world.attackers)
    roll = rng.random()
    fake = shop.fake
    if roll < 0.3:  # a command, in private or in the group
        chat = None if rng.random() < 0.6 else world.group
        words = " ".join(world.word() for _ in range(rng.randint(0, 3)))
        text = f"/{rng.choice(COMMANDS)} {words}".strip()[:4096]
        delivered = await fake.send_message(attacker, chat, text)
        if delivered.update_id is not None:
            world.replayable.append(delivered.update_id)
        return delivered.update_id
    if roll < 0.4:  # plain text in private: a dialog answer, or nothing the bot asked for
        delivered = await fake.send_message(attacker, None, world.word()[:4096])
        return delivered.update_id
    if roll < 0.7 and world.messages:  # a button, real or forged, on any message the bot sent
        message = rng.choice(world.messages)
        if message.deleted:
            return None
        if rng.random() < 0.3 and message.buttons:
            data = rng.choice([b.get("callback_data") for b in message.buttons]) or _forged_data(world)
        else:
            data = _forged_data(world)
        delivered = await fake.press_button(attacker, message, callback_data=data, forge=True)
        assert delivered.query_id is not None
        world.callback_ids.append(delivered.query_id)
        if delivered.update_id is not None:
            world.replayable.append(delivered.update_id)
        return delivered.update_id
    if roll < 0.78:  # an inline query
        fields = {"query": world.word()[:256], "offset": rng.choice(["", "5", "x"])}
        return _raw(world, "inline_query", fields, "inline")[0]
    if roll < 0.82:  # a chosen inline result that no query offered
        payload = {"result_id": world.word()[:64] or "1", "query": world.word()[:256]}
        return _raw(world, "chosen_inline_result", payload, None)[0]
    if roll < 0.9:  # a pre-checkout query naming someone's order, a made-up one, or the wrong amount
        payload = {
            "currency": rng.choice(["XTR", "USD", "XXX"]),
            "total_amount": rng.choice([1, 35, 250, 10**9]),
            "invoice_payload": rng.choice(
                [f"order:{rng.choice(world.victim_order_ids)}", f"order:{world.word()}", world.word(), "mb:1", "gb:1"]
            ),
        }
        update_id, query_id = _raw(world, "pre_checkout_query", payload, "pre_checkout")
        world.pre_checkout_ids.append(query_id)
        return update_id
    if roll < 0.93:  # someone asks to join the group
        return (await fake.join_request(attacker, world.group)).update_id
    if roll < 0.96:  # the bot is added to, or removed from, another group
        world.side_groups += 1
        side = fake.group(-1005550000000 - world.side_groups, f"Side {world.side_groups}", bots_are_members=False)
        side.add_member(attacker)
        if rng.random() < 0.5:
            return (await fake.add_bot_to_group(side, attacker)).update_id
        return (await fake.remove_bot_from_group(side, attacker)).update_id
    if world.replayable:  # Telegram delivers an earlier update again
        update_id = rng.choice(world.replayable)
        shop.tracker.forget(update_id)
        await fake.redeliver(update_id)
        return update_id
    return None


def _raw(world: World, kind: str, fields: dict[str, Any], query_kind: str | None) -> tuple[int, str]:
    """An update built here (the fake checks it against the Bot API spec); queries are registered to be answered."""
    attacker = world.rng.choice(world.attackers)
    payload: dict[str, Any] = {"from": attacker.to_user(), **fields}
    query_id = ""
    if query_kind is not None:
        query_id = new_query_id()
        payload = {"id": query_id, **payload}
        world.shop.fake.queries[query_id] = QueryRecord(
            query_kind, BOT_ID, attacker.id, payload, world.shop.fake.clock()
        )
    update_id, _ = world.shop.fake.enqueue(kind, payload)
    return update_id, query_id


async def _victims_buy(shop: Shop, group: Any, victims: list[Any]) -> list[int]:
    """Each victim pays for a pin; the last one also leaves an invoice unpaid."""
    for victim in victims:
        (card,) = await shop.say(victim, None, "/start p_PIN-CRANE")
        await shop.press(victim, card, text="Buy · 35 ⭐")
        paid = await shop.pay(victim, shop.fake.last(victim))
        assert paid.accepted, paid.error_message
    (found,) = await shop.say(victims[-1], group, "/find celadon tea set")
    await shop.press(victims[-1], found, text=next(t for t in found.button_texts if t.startswith("Celadon tea set")))
    await shop.press(victims[-1], shop.fake.last(group), text="Buy · 250 ⭐")
    return [order.id for victim in victims for order in await shop.orders_of(victim)]


async def _orders(shop: Shop, people: list[Any]) -> dict[int, Any]:
    return {order.id: order for person in people for order in await shop.orders_of(person)}


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    def described(record: logging.LogRecord) -> str:
        cause = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        return f"{record.name}: {record.getMessage()} {cause}"

    return [described(r) for r in caplog.records if r.levelno >= logging.ERROR]


async def _fuzz(shop: Shop, rng: random.Random, count: int, caplog: pytest.LogCaptureFixture) -> World:
    group = await shop.group_with_bot("Fuzz Friends")
    victims = [shop.member(f"Victim{i}") for i in range(3)]
    attackers = [shop.member(f"Attacker{i}", language_code=rng.choice(["en", "zh", None])) for i in range(6)]
    victim_orders = await _victims_buy(shop, group, victims)
    world = World(shop, rng, group, victims, attackers, victim_orders)
    before = await _orders(shop, victims)
    assert {o.status for o in before.values()} == {OrderStatus.PAID, OrderStatus.PENDING}
    for attacker in attackers:  # some bot messages with real buttons for the attackers to press
        world.messages.extend(await shop.say(attacker, None, "/shop"))
    world.messages.extend(await shop.say(attackers[0], group, "/shop"))
    world.messages.extend(await shop.say(attackers[0], None, "/language"))
    world.messages.append(shop.fake.last(group))
    world.messages.extend(m for m in shop.fake.sent(group) if m.buttons)

    sent = 0
    while sent < count:
        batch = []
        for _ in range(min(BATCH, count - sent)):
            update_id = await _one_update(world)
            sent += 1
            if update_id is not None:
                batch.append(update_id)
        for update_id in dict.fromkeys(batch):
            await shop.settle(update_id)
        # Messages the bot sent meanwhile carry buttons too (product cards, invoices, menus).
        world.messages.extend(m for m in shop.fake.sent(world.group)[-5:] if m.buttons and m not in world.messages)

    # A redelivery that arrives while the first delivery is still being handled is skipped at once (it is claimed),
    # so waiting on its update_id can return before the first delivery has answered: wait for the answers too.
    queries = [*world.callback_ids, *world.pre_checkout_ids]
    with contextlib.suppress(AssertionError):
        await eventually(lambda: all(shop.fake.queries[q].answered for q in queries), timeout=30)
    unanswered = [q for q in world.callback_ids if not shop.fake.queries[q].answered]
    assert unanswered == [], f"{len(unanswered)} of {len(world.callback_ids)} callback queries unanswered"
    unanswered = [q for q in world.pre_checkout_ids if not shop.fake.queries[q].answered]
    assert unanswered == [], f"{len(unanswered)} of {len(world.pre_checkout_ids)} pre-checkout queries unanswered"
    assert _errors(caplog) == []
    assert await _orders(shop, victims) == before, "another member changed a victim's order"
    return world


async def test_5000_random_and_forged_updates(shop: Shop, caplog: pytest.LogCaptureFixture) -> None:
    rng = random.Random(SEED)
    world = await _fuzz(shop, rng, UPDATES, caplog)
    assert len(world.callback_ids) > UPDATES // 5 and len(world.pre_checkout_ids) > UPDATES // 20


async def test_a_forged_successful_payment_naming_another_members_order_changes_nothing(shop: Shop) -> None:
    """Kept out of the fuzz above, which sends no successful_payment: the attacker is refunded, the victim's
    order stays as it was."""
    group = await shop.group_with_bot("Fuzz Friends")
    victims = [shop.member("Victim")]
    victim_orders = await _victims_buy(shop, group, victims)
    before = await _orders(shop, victims)
    attacker = shop.member("Attacker")
    for order_id in victim_orders:
        delivered = await shop.fake.successful_payment(attacker, None, f"order:{order_id}", "XTR", 35)
        await shop.settle(delivered)
    assert await _orders(shop, victims) == before
