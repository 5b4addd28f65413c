"""Co-creation votes (共创投票) that become pre-orders: a brand asks two communities which design to make,
members vote in native polls (one vote each across both groups), and the winner is pre-sold with a minimum."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.points.ledger import Reason
from domain.shop.orders import OrderStatus, PaymentStatus
from domain.votes.model import PreorderStatus
from tests.scenarios.drops_steps import allow_brand_directly, make_staff
from tests.scenarios.harness import Shop, running_shop
from tests.scenarios.rewards_steps import balance, eventually, rewards_shop, said

BRAND = "Celadon Studio"
EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"  # EUR goods, Stars downloads
PROVIDER_TOKEN = "284685063:TEST:circlecart"
ZONES = "DE FR NL=4.90; US CA=14.00"


@pytest.fixture
async def shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    async with rewards_shop(framework, tmp_path) as s:
        yield s


async def _jobs(shop: Shop, name: str) -> None:
    await shop.app.jobs.run_now(name)  # type: ignore[union-attr]


async def _people(shop: Shop, *names: str) -> list[Any]:
    people = [shop.member(name) for name in names]
    for person in people:
        await shop.say(person, None, "/help")  # a private chat exists, so the bot may write first
    return people


async def _two_groups_vote(shop: Shop, minimum: int) -> tuple[Any, Any, Any, list[Any], int]:
    """Lin (the brand's staff) puts three cup designs to two groups; Ann (in both), Bo and Cy vote."""
    tea, ink = await shop.group_with_bot("Tea Circle"), await shop.group_with_bot("Ink Circle")
    lin, ann, bo, cy = await _people(shop, "Lin", "Ann", "Bo", "Cy")
    await make_staff(shop, BRAND, lin)
    for group in (tea, ink):
        await allow_brand_directly(shop, group.id, BRAND)
    tea.add_member(ann)
    tea.add_member(bo)
    ink.add_member(ann)
    ink.add_member(cy)

    (answer,) = await shop.say(
        lin,
        None,
        f"/vote {BRAND}; Which cup should we make next?; {tea.id},{ink.id}; 48; "
        f"digital 50 XTR {minimum} 72; points 20; Crane 45; Lotus 50; Plum 40",
    )
    assert "is up in 2 of 2 communities" in answer.text, answer.text
    tea_poll, ink_poll = shop.fake.sent(tea)[-1], shop.fake.sent(ink)[-1]
    for poll in (tea_poll, ink_poll):
        assert poll.data["poll"]["question"] == "Which cup should we make next?"
        assert not poll.data["poll"]["is_anonymous"]
        assert [o["text"] for o in poll.data["poll"]["options"]] == ["Crane · 45 ⭐", "Lotus · 50 ⭐", "Plum · 40 ⭐"]

    async def vote(member: Any, poll: Any, options: list[int]) -> None:
        await shop.settle(await shop.fake.vote(member, poll, options))

    await vote(ann, tea_poll, [1])  # Ann's vote counts in the Tea Circle...
    await vote(ann, ink_poll, [0])  # ...so her vote in the Ink Circle does not
    await vote(bo, tea_poll, [1])
    await vote(cy, ink_poll, [2])
    await vote(cy, ink_poll, [])  # Cy retracts and votes again where it counted
    await vote(cy, ink_poll, [0])

    (totals,) = await shop.say(lin, None, "/vote 1")
    assert "Crane: 1\nLotus: 2\nPlum: 0" in totals.text, totals.text
    assert "Tea Circle: 0 / 2 / 0" in totals.text and "Ink Circle: 1 / 0 / 0" in totals.text

    await _jobs(shop, "close_votes")
    assert not said(shop, tea, "Winner")  # not due yet
    shop.clock.advance(timedelta(hours=48, minutes=1))
    await _jobs(shop, "close_votes")
    await _jobs(shop, "close_votes")  # twice: harmless
    for group in (tea, ink):
        await eventually(lambda g=group: len(said(shop, g, "Winner: Lotus")) == 1)
    results = said(shop, tea, "Winner: Lotus")[0]
    assert "Tea Circle: 0 / 2 / 0" in results.text and "Ink Circle: 1 / 0 / 0" in results.text
    assert shop.fake.message(tea, tea_poll.message_id).data["poll"]["is_closed"]
    return tea, ink, lin, [ann, bo, cy], results.message_id


async def _preorder(shop: Shop, member: Any, group: Any, results_id: int) -> None:
    results = shop.fake.message(group, results_id)
    answer = await shop.press(member, results, text=next(t for t in results.button_texts if "Pre-order" in t))
    assert "invoice is ready" in answer.text, answer.text
    paid = await shop.pay(member, shop.fake.last(group))
    assert paid.accepted, paid.error_message


async def _vote_of(shop: Shop) -> Any:
    async with shop.uow() as uow:
        return await uow.votes.get(1)


async def test_a_vote_across_two_groups_becomes_a_preorder_that_reaches_its_minimum(shop: Shop) -> None:
    tea, _, lin, (ann, bo, cy), results_id = await _two_groups_vote(shop, minimum=2)
    await _preorder(shop, ann, tea, results_id)
    await _preorder(shop, bo, tea, results_id)

    shop.clock.advance(timedelta(hours=72))
    await _jobs(shop, "settle_preorders")
    await _jobs(shop, "settle_preorders")  # twice: harmless
    assert (await _vote_of(shop)).preorder is PreorderStatus.REACHED
    await eventually(lambda: bool(said(shop, lin, "reached its minimum: 2 ordered")))
    (order_list,) = said(shop, lin, "reached its minimum: 2 ordered")
    assert order_list.document is not None and order_list.document["file_name"] == "preorder-1.csv"
    csv_text = shop.fake.document_content(order_list).decode()
    assert csv_text.count("Lotus") == 2 and str(ann.id) in csv_text and str(bo.id) in csv_text
    for member in (ann, bo):
        (order,) = await shop.orders_of(member)
        assert order.status is OrderStatus.PAID and order.lines[0].title == "Lotus"
        await eventually(lambda m=member: bool(said(shop, m, "will be made")))
    # Supporters of Lotus earn the brand's reward; Cy's vote went to Crane.
    assert await balance(shop, ann) >= 20 and await balance(shop, cy) == 0
    async with shop.uow() as uow:
        entries = [e for e in await uow.points.entries(ann.id) if e.reason is Reason.VOTE]
    assert [e.delta for e in entries] == [20]
    assert shop.fake.refunds == []


async def test_a_preorder_short_of_its_minimum_refunds_every_payer_exactly_once(shop: Shop) -> None:
    tea, _, _, (ann, bo, _), results_id = await _two_groups_vote(shop, minimum=3)
    await _preorder(shop, ann, tea, results_id)
    await _preorder(shop, bo, tea, results_id)

    shop.clock.advance(timedelta(hours=72))
    await _jobs(shop, "settle_preorders")
    await _jobs(shop, "settle_preorders")  # replaying the job changes nothing
    assert (await _vote_of(shop)).preorder is PreorderStatus.MISSED
    assert sorted(r.user_id for r in shop.fake.refunds) == sorted([ann.id, bo.id])  # type: ignore[attr-defined]
    for member in (ann, bo):
        (order,) = await shop.orders_of(member)
        assert order.status is OrderStatus.REFUNDED
        async with shop.uow() as uow:
            (payment,) = await uow.payments.for_order(order.id)
        assert payment.status is PaymentStatus.REFUNDED
        await eventually(lambda m=member: len(said(shop, m, "did not reach its minimum")) == 1)
    await _jobs(shop, "settle_preorders")
    await _jobs(shop, "retry_star_refunds")
    assert len(shop.fake.refunds) == 2
    assert await balance(shop, ann) == 0  # no reward: nothing is made


async def test_a_physical_design_is_preordered_through_the_provider_with_shipping(
    framework: str, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(
        framework, url, str(EXAMPLE_CATALOG), payment_provider_token=PROVIDER_TOKEN, shipping_zones=ZONES
    ) as shop:
        group = await shop.group_with_bot("Tea Circle")
        lin, ann = await _people(shop, "Lin", "Ann")
        await make_staff(shop, BRAND, lin)
        await allow_brand_directly(shop, group.id, BRAND)
        group.add_member(ann)
        (refused,) = await shop.say(
            lin, None, f"/vote {BRAND}; Which jar?; {group.id}; 24; physical 20 XTR 1 48; early 6; Jar 20; Vase 25"
        )
        assert "physical goods through the payment provider" in refused.text
        (answer,) = await shop.say(
            lin, None, f"/vote {BRAND}; Which jar?; {group.id}; 24; physical 20 EUR 1 48; early 6; Jar 20; Vase 25"
        )
        assert "is up in 1 of 1 communities" in answer.text, answer.text
        await shop.settle(await shop.fake.vote(ann, shop.fake.sent(group)[-1], [1]))
        shop.clock.advance(timedelta(hours=24))
        await _jobs(shop, "close_votes")
        await eventually(lambda: bool(said(shop, group, "Winner: Vase")))
        results = said(shop, group, "Winner: Vase")[0]
        # Early access: for six hours only those who voted for the Vase may pre-order it.
        early = await shop.press(lin, results, text=next(t for t in results.button_texts if "Pre-order" in t))
        assert "supporters first" in early.text
        await shop.press(ann, results, text=next(t for t in results.button_texts if "Pre-order" in t))
        invoice = shop.fake.last(group)
        assert invoice.invoice.params["is_flexible"] and invoice.invoice.currency == "EUR"
        paid = await shop.pay(ann, invoice, shipping_address={"country_code": "DE", "city": "Berlin"})
        assert paid.accepted, paid.error_message
        # Paid, but the pre-order may still miss its minimum and refund her: it does not ship yet.
        (paid_order,) = await shop.orders_of(ann)
        (console,) = await shop.say(lin, None, "/ship")
        early_pack = await shop.press(lin, console, text=f"Packed #{paid_order.id}")
        assert "pre-order still collecting" in early_pack.text
        shop.clock.advance(timedelta(hours=48))
        await _jobs(shop, "settle_preorders")
        (order,) = await shop.orders_of(ann)
        assert order.status is OrderStatus.PAID and (order.shipping, order.ship_country) == (490, "DE")
        assert order.total.amount == 2000 + 490  # the pre-order price, not the indicative 25
        await eventually(lambda: bool(said(shop, lin, "reached its minimum: 1 ordered")))
        # The minimum is reached: the order ships through the brand's console like any other.
        (console,) = await shop.say(lin, None, "/ship")
        await shop.press(lin, console, text=f"Packed #{order.id}")
        assert (await shop.orders_of(ann))[0].status is OrderStatus.PACKED
