"""Rewards repositories on SQLite and PostgreSQL: the ledger, referrals and group buys."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from domain.errors import DomainError
from domain.groupbuys.model import GroupBuyStatus, GroupOffer, NewGroupBuy, ParticipantStatus
from domain.money import Money
from domain.points import accounts
from domain.points.ledger import NewEntry, Reason
from domain.points.policy import RewardsPolicy
from domain.referrals.model import Referral, ReferralStatus
from domain.shop.orders import HoldStatus
from storage.database import Database
from tests.storage.builders import NOW, add_product, later, line_for, new_order

USER = 4242


async def test_an_entry_is_recorded_once_per_reason_and_reference(database: Database) -> None:
    async with database.uow() as uow:
        first = await uow.points.append(NewEntry(USER, 100, Reason.PURCHASE, "order:1", NOW, expires_at=later(60)))
        again = await uow.points.append(NewEntry(USER, 100, Reason.PURCHASE, "order:1", NOW, expires_at=later(60)))
        other = await uow.points.append(NewEntry(USER, 5, Reason.REFERRAL, "order:1", NOW, expires_at=later(60)))
        await uow.commit()
    assert first is not None and again is None and other is not None
    async with database.uow() as uow:
        assert await uow.points.balance(USER) == 105
        entries = await uow.points.entries(USER)
        assert [e.delta for e in entries] == [100, 5]
        assert entries[0].expires_at == later(60) and entries[0].created_at == NOW
        assert [e.reason for e in await uow.points.recent(USER, 1)] == [Reason.REFERRAL]


async def test_the_balance_can_never_go_below_zero(database: Database) -> None:
    async with database.uow() as uow:
        await uow.points.append(NewEntry(USER, 10, Reason.PURCHASE, "order:1", NOW, expires_at=later(60)))
        await uow.commit()
    async with database.uow() as uow:
        with pytest.raises(IntegrityError):
            await uow.points.append(NewEntry(USER, -11, Reason.SPEND, "order:2", NOW))
    async with database.uow() as uow:
        assert await uow.points.balance(USER) == 10
        assert len(await uow.points.entries(USER)) == 1


async def test_concurrent_spends_of_the_same_points_take_them_once(database: Database) -> None:
    async with database.uow() as uow:
        await accounts.earn(uow.points, NOW, RewardsPolicy(), USER, Reason.PURCHASE, "order:1", 100, None)
        await uow.commit()

    async def spend(n: int) -> bool:
        async with database.uow() as uow:
            try:
                await accounts.spend(uow.points, NOW, USER, 30, f"order:spend:{n}", None)
            except DomainError:
                return False
            await uow.commit()
        return True

    results = await asyncio.gather(*(spend(n) for n in range(10)))
    assert results.count(True) == 3
    async with database.uow() as uow:
        assert await uow.points.balance(USER) == 10


async def test_lots_due_and_lots_to_remind_skip_closed_and_reminded_ones(database: Database) -> None:
    async with database.uow() as uow:
        old = await uow.points.append(NewEntry(USER, 10, Reason.PURCHASE, "o:1", NOW, expires_at=later(10)))
        soon = await uow.points.append(NewEntry(USER + 1, 10, Reason.PURCHASE, "o:2", NOW, expires_at=later(100)))
        await uow.commit()
    assert old is not None and soon is not None
    async with database.uow() as uow:
        assert list(await uow.points.users_with_lots_due(later(20), 10)) == [USER]
        assert list(await uow.points.users_with_lots_expiring(later(20), later(200), 10)) == [USER + 1]
        await uow.points.append(NewEntry(USER, -10, Reason.EXPIRE, f"lot:{old.id}", later(20), lot_id=old.id))
        assert await uow.points.mark_reminded(soon.id, later(20))
        assert not await uow.points.mark_reminded(soon.id, later(21))
        await uow.commit()
    async with database.uow() as uow:
        assert list(await uow.points.users_with_lots_due(later(20), 10)) == []
        assert list(await uow.points.users_with_lots_expiring(later(20), later(200), 10)) == []
        assert await uow.points.earned_between(USER, Reason.PURCHASE, NOW, later(1)) == 10


async def test_referral_codes_and_referrals_are_unique(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.referrals.add_code(1, "abcd1234")
        assert not await uow.referrals.add_code(2, "abcd1234")  # the code is taken
        assert not await uow.referrals.add_code(1, "zzzz9999")  # the member has one
        assert await uow.referrals.owner_of("abcd1234") == 1
        assert await uow.referrals.add(Referral(2, 1, ReferralStatus.ATTRIBUTED, NOW))
        assert not await uow.referrals.add(Referral(2, 3, ReferralStatus.ATTRIBUTED, NOW))  # first link wins
        await uow.commit()
    product = await add_product(database)
    async with database.uow() as uow:
        order = await uow.orders.add(new_order(line_for(product), user_id=2))
        assert await uow.referrals.mark_pending(2, order.id, later(30))
        assert not await uow.referrals.mark_pending(2, order.id, later(30))
        assert await uow.referrals.due(later(29), 10) == []
        (due,) = await uow.referrals.due(later(30), 10)
        assert due.referrer_id == 1 and due.status is ReferralStatus.PENDING and due.release_at == later(30)
        assert (await uow.referrals.pending_for_order(order.id)) == due
        assert await uow.referrals.transition(2, ReferralStatus.PENDING, ReferralStatus.REWARDED)
        assert not await uow.referrals.transition(2, ReferralStatus.PENDING, ReferralStatus.VOIDED)


async def _group_buy(database: Database, size: int = 3) -> int:
    product = await add_product(database, stock=10)
    async with database.uow() as uow:
        await uow.group_buys.save_offer(GroupOffer(product.id, Money(200, "XTR"), size))
        await uow.group_buys.save_offer(GroupOffer(product.id, Money(180, "XTR"), size, hours=12))
        offer = await uow.group_buys.offer(product.id)
        assert offer == GroupOffer(product.id, Money(180, "XTR"), size, hours=12)
        group_buy = await uow.group_buys.add(
            NewGroupBuy("code1234", product.id, product.title, Money(180, "XTR"), size, -100, -100, 1, later(3600), NOW)
        )
        await uow.commit()
    assert group_buy.status is GroupBuyStatus.PENDING and group_buy.paid_count == 0
    return group_buy.id


async def test_concurrent_payments_never_overfill_a_group_buy(database: Database) -> None:
    group_buy_id = await _group_buy(database, size=3)

    async def seat() -> bool:
        async with database.uow() as uow:
            taken = await uow.group_buys.take_seat(group_buy_id, NOW)
            await uow.commit()
        return taken

    results = await asyncio.gather(*(seat() for _ in range(12)))
    assert results.count(True) == 3

    async def complete() -> bool:
        async with database.uow() as uow:
            done = await uow.group_buys.complete(group_buy_id, NOW)
            await uow.commit()
        return done

    assert (await asyncio.gather(*(complete() for _ in range(5)))).count(True) == 1
    async with database.uow() as uow:
        group_buy = await uow.group_buys.get(group_buy_id)
        assert group_buy is not None and group_buy.status is GroupBuyStatus.FILLED and group_buy.paid_count == 3
        assert not await uow.group_buys.cancel(group_buy_id, later(7200), only_if_due=True)


async def test_a_group_buy_takes_no_seat_after_its_deadline_and_is_cancelled_once(database: Database) -> None:
    group_buy_id = await _group_buy(database)
    async with database.uow() as uow:
        assert await uow.group_buys.take_seat(group_buy_id, NOW)
        assert not await uow.group_buys.take_seat(group_buy_id, later(3600))
        assert await uow.group_buys.due(later(3599), 10) == []
        assert not await uow.group_buys.cancel(group_buy_id, later(3599), only_if_due=True)
        assert [g.id for g in await uow.group_buys.due(later(3600), 10)] == [group_buy_id]
        assert await uow.group_buys.cancel(group_buy_id, later(3600), only_if_due=True)
        assert not await uow.group_buys.cancel(group_buy_id, later(3600), only_if_due=True)
        assert await uow.group_buys.next_card_version(group_buy_id) == 1
        assert await uow.group_buys.next_card_version(group_buy_id) == 2


async def test_a_member_joins_a_group_buy_once_and_a_sold_unit_is_released_once(database: Database) -> None:
    group_buy_id = await _group_buy(database)
    async with database.uow() as uow:
        group_buy = await uow.group_buys.get(group_buy_id)
        assert group_buy is not None
        product = await uow.products.get(group_buy.product_id)
        assert product is not None
        order = await uow.orders.add(new_order(line_for(product)))
        first = await uow.group_buys.add_participant(group_buy_id, 7, "Mei", order.id, NOW)
        assert first is not None and first.status is ParticipantStatus.JOINED
        assert await uow.group_buys.add_participant(group_buy_id, 7, "Mei", order.id, NOW) is None
        assert await uow.group_buys.participant_for_order(order.id) == first
        assert await uow.group_buys.set_participant_status(
            first.id, ParticipantStatus.JOINED, ParticipantStatus.PAID, paid_at=later(5)
        )
        hold = await uow.holds.add(order.id, product.id, 1, later(900))
        assert await uow.holds.transition(hold.id, HoldStatus.ACTIVE, HoldStatus.CONVERTED)
        assert await uow.group_buys.release_converted_hold(order.id) == (product.id, 1)
        assert await uow.group_buys.release_converted_hold(order.id) is None
        (stored,) = await uow.group_buys.participants(group_buy_id)
        assert stored.status is ParticipantStatus.PAID and stored.paid_at == later(5)
        assert await uow.group_buys.find(product.id, -100, ("pending",), starter_id=1) == group_buy
        assert await uow.group_buys.find(product.id, -100, ("open",)) is None
        assert timedelta(0) < group_buy.deadline - NOW
