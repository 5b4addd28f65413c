"""The community's share: commission offers, the monthly settlement, refunds carried forward, catch-up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.actors import Actor
from domain.community_registry import deactivate_community, register_community
from domain.errors import DomainError
from domain.money import Money
from domain.share import commission, settlement
from domain.share.attribution import attribute
from domain.share.errors import ShareError
from domain.share.model import NO_COMMUNITY, Offer, SettlementLine, share_of
from domain.shop.orders import OrderStatus, PaymentStatus
from jobs.share import settle_due_months
from jobs.spec import JobDeps
from storage.database import Database
from tests.storage.builders import add_product, line_for, new_order, new_payment

GROUP_A = -1001
GROUP_B = -1002
STAFF = 501
MOD_A = 601
MOD_B = 602
FEE_BP = 500


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


async def _brand_in_two_groups(database: Database) -> int:
    async with database.uow() as uow:
        brand = await uow.brands.add("Celadon Works")
        await uow.brand_staff.add(brand.id, STAFF, at(1, 1))
        for group in (GROUP_A, GROUP_B):
            await register_community(uow, at(1, 1), group, f"group {group}")
            await uow.brand_optins.set(group, brand.id, True, 1, at(1, 1))
        await uow.commit()
    for group, rate, moderator in ((GROUP_A, "10", MOD_A), (GROUP_B, "5%", MOD_B)):
        async with database.uow() as uow:
            await commission.offer(uow, at(1, 2), Actor(STAFF), "Celadon Works", group, commission.parse_rate(rate))
            await commission.accept(
                uow, at(1, 2), Actor(moderator, admin_of=frozenset({group})), group, "Celadon Works"
            )
            await uow.commit()
    return brand.id


async def _paid_order(database: Database, product: Any, community: int | None, paid: datetime) -> int:
    async with database.uow() as uow:
        order = await uow.orders.add(new_order(line_for(product), community_id=community, created_at=paid))
        await uow.orders.transition(order.id, [OrderStatus.PENDING], OrderStatus.PAID, paid_at=paid)
        await uow.payments.add_if_new(new_payment(order_id=order.id, amount=product.price, received_at=paid))
        await uow.commit()
    return order.id


async def _refund(database: Database, order_id: int, when: datetime) -> None:
    async with database.uow() as uow:
        (payment,) = await uow.payments.for_order(order_id)
        await uow.payments.set_status(payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUNDED, at=when)
        await uow.orders.transition(order_id, [OrderStatus.PAID], OrderStatus.REFUNDED)
        await uow.commit()


async def _run(database: Database, now: datetime) -> list[str]:
    return await settle_due_months(JobDeps(database.uow, Clock(now), None, options={"platform_fee_bp": FEE_BP}))  # type: ignore[arg-type]


async def _lines(database: Database) -> list[SettlementLine]:
    async with database.uow() as uow:
        return list(await uow.share.lines())


async def test_refund_after_settlement_is_carried_into_the_next_month_and_missed_months_catch_up(
    database: Database,
) -> None:
    brand_id = await _brand_in_two_groups(database)
    teapot = await add_product(database, brand_id=brand_id, price=Money(10_000, "USD"))
    cup = await add_product(database, brand_id=brand_id, price=Money(2_999, "USD"))
    stars = await add_product(database, brand_id=brand_id, price=Money(250, "XTR"))
    sold_in_a = await _paid_order(database, teapot, GROUP_A, at(1, 10))
    await _paid_order(database, cup, GROUP_B, at(1, 20))
    await _paid_order(database, stars, GROUP_B, at(1, 21))
    await _paid_order(database, cup, None, at(2, 5))  # bought outside any group: no commission

    # Down all February: on 5 March both January and February are settled, oldest first.
    assert await _run(database, at(3, 5)) == ["2026-01", "2026-02"]
    before = await _lines(database)
    assert await _run(database, at(3, 6)) == []  # twice changes nothing
    assert await _lines(database) == before
    january = [line for line in before if line.month == "2026-01"]
    assert january == [
        SettlementLine("2026-01", brand_id, GROUP_B, "USD", 2_999, 0, share_of(2_999, 500), share_of(2_999, FEE_BP)),
        SettlementLine("2026-01", brand_id, GROUP_B, "XTR", 250, 0, 12, 12),
        SettlementLine("2026-01", brand_id, GROUP_A, "USD", 10_000, 0, 1_000, 500),
    ]
    assert january[2].net == 8_500
    assert [line for line in before if line.month == "2026-02"] == [
        SettlementLine("2026-02", brand_id, NO_COMMUNITY, "USD", 2_999, 0, 0, 149),
    ]

    # January's teapot is refunded in March: March takes back exactly what January gave.
    await _refund(database, sold_in_a, at(3, 10))
    assert await _run(database, at(4, 1)) == ["2026-03"]
    march = [line for line in await _lines(database) if line.month == "2026-03"]
    assert march == [SettlementLine("2026-03", brand_id, GROUP_A, "USD", 0, 10_000, -1_000, -500)]
    assert march[0].net == -8_500
    async with database.uow() as uow:
        mine = await settlement.earnings(uow, Actor(MOD_A, admin_of=frozenset({GROUP_A})), GROUP_A)
    totals = settlement.totals(mine)
    assert (totals["USD"].gross, totals["USD"].refunds, totals["USD"].commission, totals["USD"].net) == (
        10_000, 10_000, 0, 0,
    )  # fmt: skip


async def test_a_new_rate_applies_from_its_acceptance_and_only_moderators_accept(database: Database) -> None:
    brand_id = await _brand_in_two_groups(database)
    async with database.uow() as uow:
        await commission.offer(uow, at(1, 15), Actor(STAFF), str(brand_id), GROUP_A, 2_000)
        with pytest.raises(DomainError):  # an admin of the other group is not a moderator here
            await commission.accept(
                uow, at(1, 15), Actor(MOD_B, admin_of=frozenset({GROUP_B})), GROUP_A, "Celadon Works"
            )
        await commission.accept(uow, at(1, 16), Actor(MOD_A, admin_of=frozenset({GROUP_A})), GROUP_A, "Celadon Works")
        await uow.commit()
    async with database.uow() as uow:
        offers = list(await uow.share.accepted_offers())
    assert commission.rate_at(offers, brand_id, GROUP_A, at(1, 10)) == 1_000
    assert commission.rate_at(offers, brand_id, GROUP_A, at(1, 20)) == 2_000
    assert commission.rate_at(offers, brand_id, GROUP_A, at(1, 1)) == 0


async def test_only_brand_staff_offer_and_only_where_the_brand_is_allowed(database: Database) -> None:
    brand_id = await _brand_in_two_groups(database)
    async with database.uow() as uow:
        await uow.brand_optins.set(GROUP_B, brand_id, False, 1, at(1, 3))
        with pytest.raises(DomainError) as refused:
            await commission.offer(uow, at(1, 3), Actor(STAFF), "Celadon Works", GROUP_B, 500)
        assert refused.value.code is ShareError.BRAND_NOT_ALLOWED
        with pytest.raises(DomainError):
            await commission.offer(
                uow, at(1, 3), Actor(MOD_A, admin_of=frozenset({GROUP_A})), "Celadon Works", GROUP_A, 500
            )


@pytest.mark.parametrize("text", ["0", "30.01", "-1", "abc", "7.555", "nan", "inf"])
def test_a_rate_out_of_bounds_or_malformed_is_refused(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        commission.parse_rate(text)
    assert refused.value.code is ShareError.BAD_RATE


def test_rates_are_basis_points() -> None:
    assert [commission.parse_rate(t) for t in ("7.5", "0.01", "30%", " 12 ")] == [750, 1, 3000, 1200]
    assert share_of(2_999, 500) == 149  # rounded down, in the brand's favour


def test_rate_history_picks_the_latest_accepted_before_the_sale() -> None:
    t = at(1, 1)
    offers = [
        Offer(1, 7, GROUP_A, 100, STAFF, t, MOD_A, at(1, 2)),
        Offer(2, 7, GROUP_A, 300, STAFF, t, None, None),
        Offer(3, 7, GROUP_A, 200, STAFF, t, MOD_A, at(1, 5)),
    ]
    assert [commission.rate_at(offers, 7, GROUP_A, at(1, d)) for d in (1, 3, 6)] == [0, 100, 200]


async def test_attribution_trusts_the_group_and_checks_a_claimed_community(database: Database) -> None:
    brand_id = await _brand_in_two_groups(database)
    teapot = await add_product(database, brand_id=brand_id)
    house = await add_product(database)  # the operator's own product: no brand to allow
    async with database.uow() as uow:
        await uow.brand_optins.set(GROUP_B, brand_id, False, 1, at(1, 3))
        await deactivate_community(uow, at(1, 3), GROUP_A)
        await uow.commit()
    async with database.uow() as uow:
        assert await attribute(uow, GROUP_B, True, None, teapot) == GROUP_B  # bought in the group itself
        assert await attribute(uow, 42, False, GROUP_B, teapot) is None  # the brand is not allowed there
        assert await attribute(uow, 42, False, GROUP_A, teapot) is None  # the bot left that group
        assert await attribute(uow, 42, False, -1009, teapot) is None  # no such group
        assert await attribute(uow, 42, False, 77, teapot) is None  # not a group id
        assert await attribute(uow, 42, False, GROUP_B, house) == GROUP_B
        assert await attribute(uow, 42, False, None, teapot) is None
