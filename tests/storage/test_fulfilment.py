"""Fulfilment in storage, on SQLite and PostgreSQL: shipping an order is one conditional change however many
try at once, addresses are kept once per order and erased after the retention time or when a member asks,
and a brand's staff reach only their brand's orders."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.actors import Actor
from domain.errors import DomainError
from domain.money import Money
from domain.shop import fulfilment
from domain.shop.addresses import ShippingAddress
from domain.shop.errors import FulfilmentError
from domain.shop.orders import Order, OrderStatus
from domain.shop.payments.received import ReceivedPayment
from storage.database import Database
from storage.payments_tables import payment_inbox
from tests.storage.builders import NOW, add_product, later, line_for, new_order

BERLIN = ShippingAddress("Mei Tanaka", "+4930123", "DE", "", "Berlin", "Torstraße 1", "", "10115", "std-DE")
PARIS = ShippingAddress("Mei Tanaka", "+3310000", "FR", "", "Paris", "1 rue de Rivoli", "", "75001", "std-FR")


async def _paid_order(database: Database, brand: str = "City Museum Shop", user_id: int = 1001) -> Order:
    async with database.uow() as uow:
        found = await uow.brands.get_by_name(brand) or await uow.brands.add(brand)
        await uow.commit()
    product = await add_product(database, price=Money(2200, "EUR"), brand_id=found.id)
    async with database.uow() as uow:
        order = await uow.orders.add(new_order(line_for(product), user_id=user_id))
        assert await uow.orders.transition(order.id, (OrderStatus.PENDING,), OrderStatus.PAID, paid_at=NOW)
        await uow.commit()
        paid = await uow.orders.get(order.id)
    assert paid is not None
    return paid


async def test_many_ship_one_order_at_once_and_exactly_one_ships_it(database: Database) -> None:
    order = await _paid_order(database)

    async def ship(number: int) -> bool:
        try:
            async with database.uow() as uow:
                await fulfilment.ship(uow, later(1), Actor.command_line(), order.id, "DHL", f"JD00000{number}")
                await uow.commit()
            return True
        except DomainError as error:
            assert error.code is FulfilmentError.WRONG_STATE
            return False

    results = await asyncio.gather(*(ship(n) for n in range(5)), return_exceptions=True)
    assert sum(result is True for result in results) == 1, results
    async with database.uow() as uow:
        shipped = await uow.orders.get(order.id)
        notices = await uow.outbox.with_key_prefix(f"order:{order.id}:")
    assert shipped is not None and shipped.status is OrderStatus.SHIPPED
    assert shipped.fulfilment.shipped_at == later(1) and shipped.fulfilment.carrier == "DHL"
    assert len([n for n in notices if n.notice.key == f"order:{order.id}:shipped"]) <= 1  # only to members we can reach


async def test_an_address_is_kept_once_per_order_and_the_latest_is_the_members_saved_address(
    database: Database,
) -> None:
    first, second = await _paid_order(database), await _paid_order(database)
    async with database.uow() as uow:
        assert await uow.addresses.store(first.id, 1001, BERLIN, NOW)
        assert not await uow.addresses.store(first.id, 1001, PARIS, later(1))  # a replay changes nothing
        assert await uow.addresses.store(second.id, 1001, PARIS, later(2))
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.addresses.for_order(first.id) == BERLIN
        assert await uow.addresses.for_order(second.id) == PARIS
        assert await uow.addresses.saved_for(1001) == PARIS
        assert await uow.addresses.saved_for(1002) is None


async def test_addresses_go_after_the_retention_time_and_forget_member_erases_every_one(database: Database) -> None:
    delivered, open_order, other = (
        await _paid_order(database),
        await _paid_order(database),
        await _paid_order(database, user_id=2002),
    )
    async with database.uow() as uow:
        for order, user in ((delivered, 1001), (open_order, 1001), (other, 2002)):
            await uow.addresses.store(order.id, user, BERLIN, NOW)
        assert await uow.addresses.close(delivered.id, NOW)
        assert not await uow.addresses.close(delivered.id, later(5))  # the first close counts
        await uow.commit()
    retention = timedelta(days=30)
    async with database.uow() as uow:
        assert await fulfilment.erase_expired_addresses(uow, NOW + timedelta(days=29), retention) == 0
        assert await fulfilment.erase_expired_addresses(uow, NOW + timedelta(days=30), retention) == 1
        assert await fulfilment.erase_expired_addresses(uow, NOW + timedelta(days=31), retention) == 0  # idempotent
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.addresses.for_order(delivered.id) is None
        assert await uow.addresses.for_order(open_order.id) == BERLIN  # still to ship
        assert (await uow.orders.get(delivered.id)) == delivered  # the order itself reads as before
        assert await uow.addresses.forget_member(1001) == 2  # the open order's and the saved address
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.addresses.for_order(open_order.id) is None
        assert await uow.addresses.saved_for(1001) is None
        assert await uow.addresses.for_order(other.id) == BERLIN  # another member's stays


async def test_brand_staff_reach_only_their_brands_orders_and_addresses(database: Database) -> None:
    museum, celadon = await _paid_order(database, "City Museum Shop"), await _paid_order(database, "Celadon Studio")
    async with database.uow() as uow:
        await uow.addresses.store(museum.id, 1001, BERLIN, NOW)
        brand = await uow.brands.get_by_name("Celadon Studio")
        assert brand is not None
        await uow.brand_staff.add(brand.id, 77, NOW)
        await uow.commit()
    pia = Actor(77)
    async with database.uow() as uow:
        page = await fulfilment.orders_to_ship(uow, pia)
        assert [shown.order.id for shown in page.orders] == [celadon.id] and page.total == 1
        with pytest.raises(DomainError) as refused:
            await fulfilment.address_of(uow, pia, museum.id)
        assert refused.value.code is FulfilmentError.NO_SUCH_ORDER
        with pytest.raises(DomainError):
            await fulfilment.pack(uow, NOW, pia, museum.id)
        assert await fulfilment.address_of(uow, Actor.command_line(), museum.id) == BERLIN
        everything = await fulfilment.orders_to_ship(uow, Actor.command_line())
        assert {shown.order.id for shown in everything.orders} == {museum.id, celadon.id}
        assert await fulfilment.orders_to_ship(uow, Actor(5)) == fulfilment.ShipPage((), 0, 0)


async def test_the_payment_inbox_keeps_the_address_only_until_the_payment_is_settled(database: Database) -> None:
    received = ReceivedPayment(
        telegram_charge_id="tg-ship-1",
        provider_charge_id="prov-1",
        user_id=1001,
        chat_id=1001,
        message_id=7,
        payload="order:1",
        amount=Money(2690, "EUR"),
        received_at=NOW,
        shipping=BERLIN,
    )
    async with database.uow() as uow:
        assert await uow.payment_inbox.add_if_new(received)
        await uow.commit()
    async with database.uow() as uow:
        entry = await uow.payment_inbox.claim("tg-ship-1")
        assert entry is not None and entry.payment.shipping == BERLIN  # survives a crash before settling
        await uow.payment_inbox.settle(entry.id, later(1))
        await uow.commit()
    async with database.uow() as uow:
        stored = (
            await uow.session.execute(select(payment_inbox.c.order_info).where(payment_inbox.c.id == entry.id))
        ).scalar_one()
    assert stored is None
