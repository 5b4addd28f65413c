from __future__ import annotations

from domain.money import Money
from domain.shop.orders import PaymentStatus
from storage.database import Database
from tests.storage.builders import NOW, add_product, later, line_for, new_order, new_payment


async def test_new_payment_is_recorded_as_captured(database: Database) -> None:
    product = await add_product(database)
    async with database.uow() as uow:
        order = await uow.orders.add(new_order(line_for(product)))
        payment = await uow.payments.add_if_new(
            new_payment(
                order_id=order.id,
                telegram_charge_id="stxABC",
                provider_charge_id="ch_123",
                amount=Money(1999, "USD"),
            )
        )
        await uow.commit()
    assert payment is not None
    assert payment.status is PaymentStatus.CAPTURED
    assert (payment.order_id, payment.amount, payment.received_at, payment.refunded_at) == (
        order.id,
        Money(1999, "USD"),
        NOW,
        None,
    )
    async with database.uow() as uow:
        assert await uow.payments.get_by_charge("stxABC") == payment
        assert await uow.payments.for_order(order.id) == [payment]


async def test_duplicate_charge_id_is_recorded_once(database: Database) -> None:
    async with database.uow() as uow:
        first = await uow.payments.add_if_new(new_payment(telegram_charge_id="dup", amount=Money(5, "XTR")))
        await uow.commit()
    async with database.uow() as uow:
        again = await uow.payments.add_if_new(new_payment(telegram_charge_id="dup", amount=Money(9, "XTR")))
        await uow.commit()
    assert first is not None
    assert again is None
    async with database.uow() as uow:
        assert await uow.payments.get_by_charge("dup") == first
        assert await uow.payments.with_status(PaymentStatus.CAPTURED, 10) == [first]


async def test_duplicate_in_the_same_unit_of_work_is_none(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.payments.add_if_new(new_payment(telegram_charge_id="same")) is not None
        assert await uow.payments.add_if_new(new_payment(telegram_charge_id="same")) is None


async def test_unknown_charge_is_none_and_order_without_payments_is_empty(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.payments.get_by_charge("nope") is None
        assert await uow.payments.for_order(1) == []


async def test_set_status_is_conditional_and_records_refund_time(database: Database) -> None:
    async with database.uow() as uow:
        payment = await uow.payments.add_if_new(new_payment())
        await uow.commit()
    assert payment is not None
    async with database.uow() as uow:
        payments = uow.payments
        assert not await payments.set_status(payment.id, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED)
        assert await payments.set_status(payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE)
        assert await payments.set_status(payment.id, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED, at=later(90))
        assert not await payments.set_status(payment.id, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED, at=later(99))
        assert not await payments.set_status(payment.id + 7, PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.payments.get_by_charge(payment.telegram_charge_id)
    assert stored is not None
    assert stored.status is PaymentStatus.REFUNDED
    assert stored.refunded_at == later(90)


async def test_at_is_ignored_unless_moving_to_refunded(database: Database) -> None:
    async with database.uow() as uow:
        payment = await uow.payments.add_if_new(new_payment())
        assert payment is not None
        assert await uow.payments.set_status(payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE, at=later(5))
        stored = await uow.payments.get_by_charge(payment.telegram_charge_id)
    assert stored is not None and stored.refunded_at is None


async def test_with_status_lists_oldest_first_up_to_the_limit(database: Database) -> None:
    async with database.uow() as uow:
        made = [await uow.payments.add_if_new(new_payment()) for _ in range(4)]
        ids = [p.id for p in made if p is not None]
        await uow.payments.set_status(ids[1], PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE)
        await uow.commit()
    async with database.uow() as uow:
        captured = await uow.payments.with_status(PaymentStatus.CAPTURED, limit=2)
        due = await uow.payments.with_status(PaymentStatus.REFUND_DUE, limit=10)
    assert [p.id for p in captured] == [ids[0], ids[2]]
    assert [p.id for p in due] == [ids[1]]
