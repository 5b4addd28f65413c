"""Points at checkout: the offer's arithmetic (hypothesis) and the use cases over real storage (both backends).

The points are spent with the stock hold at pre-checkout and given back when the hold is released unpaid,
when the order is cancelled or refunded; a refusal writes neither points nor stock; a replay changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.money import Money
from domain.points import accounts
from domain.points.checkout import offer_for, start_points_checkout
from domain.points.holds import PointsDiscount, hold_reference
from domain.points.ledger import Reason
from domain.points.policy import RewardsPolicy, discount_for, points_needed
from domain.shop import after_paid, checkout
from domain.shop.checkout import accept_pre_checkout, decide_pre_checkout, release_expired_holds
from domain.shop.orders import HOLD_TTL, HoldStatus, Order, OrderStatus
from domain.shop.payments import outcome as payment_outcome
from domain.shop.payments import shop_orders
from domain.shop.payments.outcome import PaymentResult
from domain.shop.products import Product
from storage.database import Database
from tests.domain import charges
from tests.storage.builders import NOW, add_product

POLICY = RewardsPolicy(daily_caps=MappingProxyType({}))  # 100 points per star, at most 20% of an order
MEI, ANN = 2001, 2002
CHAT = MEI  # Mei's private chat


# -- the offer ------------------------------------------------------------------------------------------


@given(
    price=st.integers(min_value=0, max_value=10**9),
    balance=st.integers(min_value=0, max_value=10**9),
    currency=st.sampled_from(["XTR", "USD", "KWD", "JPY"]),
    per_unit=st.integers(min_value=1, max_value=10_000),
    cap=st.integers(min_value=0, max_value=100),
)
def test_an_offer_stays_within_the_share_the_points_and_the_price(
    price: int, balance: int, currency: str, per_unit: int, cap: int
) -> None:
    policy = RewardsPolicy(points_per_discount_unit=per_unit, spend_cap_percent=cap)
    offer = offer_for(Money(price, currency), balance, policy)
    if offer is None:
        # Nothing to offer only when the share, the points or the price leave nothing to take off.
        share = price * cap // 100
        assert min(share, discount_for(balance, currency, policy).amount, price - 1) <= 0
        return
    assert 0 < offer.discount.amount <= price * cap // 100  # the configured share of the order
    assert offer.price.amount >= 1 and offer.price.amount + offer.discount.amount == price
    assert 0 < offer.points <= balance  # the member has them
    assert offer.points == points_needed(offer.discount, policy)
    assert discount_for(offer.points, currency, policy).amount >= offer.discount.amount  # never over-valued
    # The largest discount allowed: one more minor unit would break the share, the balance or the price.
    more = offer.discount.amount + 1
    assert more > price * cap // 100 or points_needed(Money(more, currency), policy) > balance or more >= price


def test_an_order_total_is_the_lines_less_the_discount_never_nothing() -> None:
    line = checkout.OrderLine(1, "TEA", "Tea", 2, Money(250, "XTR"))
    order = Order(1, MEI, CHAT, None, OrderStatus.PENDING, (line,), NOW)
    assert order.total == Money(500, "XTR")
    assert replace(order, discount=100).total == Money(400, "XTR")
    assert replace(order, discount=900).total == Money(1, "XTR")  # defensive: an invoice is never for nothing


# -- the use cases --------------------------------------------------------------------------------------


async def _grant(database: Database, user_id: int, points: int, reference: str = "gift") -> None:
    async with database.uow() as uow:
        await accounts.earn(uow.points, NOW, POLICY, user_id, Reason.EVENT, reference, points)
        await uow.commit()


async def _balance(database: Database, user_id: int = MEI) -> int:
    async with database.uow() as uow:
        return int(await uow.points.balance(user_id))


async def _product(database: Database, product_id: int) -> Product:
    async with database.uow() as uow:
        found = await uow.products.get(product_id)
    assert found is not None
    return found


async def _order(database: Database, order_id: int) -> Order:
    async with database.uow() as uow:
        found = await uow.orders.get(order_id)
    assert found is not None
    return found


async def _start(database: Database, product: Product, user_id: int = MEI) -> Order:
    async with database.uow() as uow:
        started = await start_points_checkout(uow, NOW, POLICY, user_id, product.id, user_id, None)
        await uow.commit()
    return started.order


async def _pre_checkout(database: Database, order: Order, at: timedelta = timedelta()) -> checkout.PreCheckoutDecision:
    async with database.uow() as uow:
        decision = await decide_pre_checkout(uow, NOW + at, order.user_id, order.payload, order.total)
        await uow.commit()  # the bot commits a refusal too
    return decision


async def _pay(
    database: Database, order: Order, charge: str, at: timedelta = timedelta(minutes=1)
) -> payment_outcome.PaymentOutcome:
    async with database.uow() as uow:
        outcome = await shop_orders.record_payment(
            uow, NOW + at, charges.charge(order.user_id, order.payload, order.total, charge)
        )
        await after_paid.after_payment(uow, NOW + at, POLICY, outcome)
        await uow.commit()
    return outcome


async def test_a_member_buys_with_points_capped_at_the_share_and_pays_the_rest(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"), stock=3)
    await _grant(database, MEI, 6000)

    order = await _start(database, product)
    assert (order.discount, order.points_to_spend) == (50, 5000)  # 20% of 250 stars at 100 points a star
    assert order.total == Money(200, "XTR")
    assert await _balance(database) == 6000  # nothing is spent by pressing a button
    again = await _start(database, product)
    assert again.id == order.id  # a second press reuses the open order

    decision = await _pre_checkout(database, order)
    assert decision.accepted
    assert await _balance(database) == 1000
    assert await _pre_checkout(database, order, timedelta(seconds=30)) == decision  # a replay: the same hold
    assert await _balance(database) == 1000
    async with database.uow() as uow:
        spent = await uow.points.get(Reason.SPEND, hold_reference(decision.hold.id))  # type: ignore[union-attr]
    assert spent is not None and spent.delta == -5000 and spent.order_id == order.id

    outcome = await _pay(database, order, "charge-1")
    assert outcome.result is PaymentResult.PAID
    assert await _balance(database) == 1000 + 200  # purchase points on what was paid
    assert (await _pay(database, order, "charge-1")).result is PaymentResult.DUPLICATE
    assert await _balance(database) == 1200
    assert (await _product(database, product.id)).stock == 2


async def test_a_refund_gives_the_spent_points_back_and_takes_the_earned_ones(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"))
    await _grant(database, MEI, 5000)
    order = await _start(database, product)
    assert (await _pre_checkout(database, order)).accepted
    await _pay(database, order, "charge-r")
    assert await _balance(database) == 0 + 200

    for _ in range(2):  # a replayed refund changes nothing
        async with database.uow() as uow:
            await after_paid.order_refunded(uow, NOW + timedelta(hours=1), order.id)
            await uow.commit()
        assert await _balance(database) == 5000


async def test_points_spent_elsewhere_are_refused_at_pre_checkout_and_nothing_is_lost(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"), stock=1)
    await _grant(database, MEI, 5000)
    order = await _start(database, product)
    async with database.uow() as uow:  # between Buy and Pay, the points go on another discount
        await accounts.spend(uow.points, NOW, MEI, 1000, "elsewhere", None)
        await uow.commit()

    decision = await _pre_checkout(database, order)

    assert decision.refusal is not None and decision.refusal.code == "points.no_longer_enough"
    assert await _balance(database) == 4000
    assert (await _product(database, product.id)).stock == 1  # nothing claimed
    current = await _order(database, order.id)
    assert current.status is OrderStatus.PENDING
    async with database.uow() as uow:
        assert await uow.holds.active_for_order(order.id) is None


async def test_a_sold_out_refusal_spends_no_points(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"), stock=1)
    await _grant(database, MEI, 5000)
    order = await _start(database, product)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 1)  # someone else took the last unit
        await uow.commit()

    decision = await _pre_checkout(database, order)

    assert decision.refusal is not None and decision.refusal.code == "product.sold_out"
    assert await _balance(database) == 5000


async def test_a_lapsed_hold_gives_the_points_back_once(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"), stock=1)
    await _grant(database, MEI, 5000)
    order = await _start(database, product)
    assert (await _pre_checkout(database, order)).accepted
    assert await _balance(database) == 0

    for _ in range(2):  # the job runs late, or twice
        async with database.uow() as uow:
            await release_expired_holds(uow, NOW + HOLD_TTL + timedelta(minutes=1))
            await uow.commit()
        assert await _balance(database) == 5000
    assert (await _order(database, order.id)).status is OrderStatus.EXPIRED
    assert (await _product(database, product.id)).stock == 1

    # Paying again later holds a new unit and spends the points again, under the new hold.
    assert (await _pre_checkout(database, order, timedelta(minutes=30))).accepted
    assert await _balance(database) == 0
    assert (await _pay(database, order, "charge-again", timedelta(minutes=31))).result is PaymentResult.PAID
    assert await _balance(database) == 200


async def test_a_payment_after_the_hold_lapsed_spends_the_points_again(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"), stock=1)
    await _grant(database, MEI, 5000)
    order = await _start(database, product)
    assert (await _pre_checkout(database, order)).accepted
    async with database.uow() as uow:
        await release_expired_holds(uow, NOW + HOLD_TTL + timedelta(minutes=1))
        await uow.commit()

    outcome = await _pay(database, order, "charge-late", HOLD_TTL + timedelta(minutes=2))

    assert outcome.result is PaymentResult.PAID
    assert await _balance(database) == 200  # 5000 given back, 5000 spent again, 200 earned
    assert (await _product(database, product.id)).stock == 0
    async with database.uow() as uow:
        entries = [e for e in await uow.points.for_order(order.id) if e.reason is Reason.SPEND]
    assert len(entries) == 2  # one per hold; the first one is returned
    async with database.uow() as uow:
        await after_paid.order_refunded(uow, NOW + timedelta(hours=1), order.id)
        await uow.commit()
    assert await _balance(database) == 5000  # both spends are back exactly once, the earning is taken


async def test_a_late_payment_without_the_points_any_more_is_refunded(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"), stock=1)
    await _grant(database, MEI, 5000)
    order = await _start(database, product)
    assert (await _pre_checkout(database, order)).accepted
    async with database.uow() as uow:
        await release_expired_holds(uow, NOW + HOLD_TTL + timedelta(minutes=1))
        await accounts.spend(uow.points, NOW + HOLD_TTL, MEI, 4000, "elsewhere", None)
        await uow.commit()

    outcome = await _pay(database, order, "charge-short", HOLD_TTL + timedelta(minutes=2))

    assert outcome.result is PaymentResult.REFUND and outcome.reason == "points.no_longer_enough"
    assert await _balance(database) == 1000
    assert (await _product(database, product.id)).stock == 1  # the unit stayed on the shelf
    assert (await _order(database, order.id)).status is OrderStatus.REFUND_DUE


async def test_a_price_change_cancels_the_order_and_gives_the_points_back(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"), stock=1)
    await _grant(database, MEI, 5000)
    order = await _start(database, product)
    assert (await _pre_checkout(database, order)).accepted
    async with database.uow() as uow:
        await uow.products.update(replace(product, price=Money(300, "XTR"), stock=0))
        await uow.commit()

    decision = await _pre_checkout(database, order, timedelta(minutes=1))

    assert decision.refusal is not None and decision.refusal.code == "product.price_changed"
    assert await _balance(database) == 5000
    assert (await _order(database, order.id)).status is OrderStatus.CANCELLED
    async with database.uow() as uow:
        assert await uow.holds.active_for_order(order.id) is None


async def test_no_points_or_a_forged_discount_buys_nothing(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"))
    await _grant(database, ANN, 50)  # half a star's worth

    with pytest.raises(DomainError) as no_offer:
        await _start(database, product, ANN)
    assert no_offer.value.code == "points.no_offer"
    async with database.uow() as uow:
        with pytest.raises(DomainError) as forged:
            await checkout.start_checkout(
                uow, NOW, ANN, product.id, ANN, None, points_discount=PointsDiscount(1, Money(250, "XTR"))
            )
    assert forged.value.code == "points.no_offer"


async def test_another_members_pre_checkout_cannot_spend_the_buyers_points(database: Database) -> None:
    product = await add_product(database, price=Money(250, "XTR"))
    await _grant(database, MEI, 5000)
    order = await _start(database, product)
    async with database.uow() as uow:
        with pytest.raises(DomainError) as refused:
            await accept_pre_checkout(uow, NOW, ANN, order.payload, order.total)
    assert refused.value.code == "order.not_yours"
    assert await _balance(database) == 5000
    async with database.uow() as uow:
        assert [h for h in [await uow.holds.active_for_order(order.id)] if h and h.status is HoldStatus.ACTIVE] == []
