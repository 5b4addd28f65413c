"""Forgetting a member, table by table, on SQLite and PostgreSQL: each feature's eraser leaves no name,
username or Telegram id behind, and what accounting keeps still agrees under one pseudonym."""

from __future__ import annotations

import pytest

from domain.actors import Actor
from domain.errors import DomainError
from domain.groupbuys.model import NewGroupBuy, ParticipantStatus
from domain.members import Member
from domain.money import Money
from domain.notices import Notice, NoticeStatus
from domain.points.ledger import NewEntry, Reason
from domain.privacy import members as privacy
from domain.privacy.errors import PrivacyError
from domain.privacy.pseudonyms import is_pseudonym
from domain.referrals.model import Referral, ReferralStatus
from domain.shop.orders import PaymentStatus
from storage.database import Database
from tests.scenarios.privacy_steps import stored_anywhere
from tests.storage.builders import NOW, add_product, line_for, new_order, new_payment

ANN, BEN, CAT = 7_100_000_001, 7_100_000_002, 7_100_000_003
GROUP = -1001234567890


async def _ann_shops_invites_and_is_staff(database: Database) -> int:
    product = await add_product(database)
    async with database.uow() as uow:
        for member in (Member(ANN, "Annabel", "annabel_tea", started_bot=True), Member(BEN, "Ben"), Member(CAT, "Cat")):
            await uow.members.save(member)
        order = await uow.orders.add(new_order(line_for(product), user_id=ANN, chat_id=ANN))
        await uow.payments.add_if_new(new_payment(order_id=order.id, user_id=ANN))
        await uow.points.append(NewEntry(ANN, 40, Reason.PURCHASE, f"order:{order.id}", NOW, order_id=order.id))
        await uow.referrals.add_code(ANN, "annabel1")
        await uow.referrals.add(Referral(BEN, ANN, ReferralStatus.REWARDED, NOW))  # Ann brought Ben
        await uow.referrals.add(Referral(ANN, CAT, ReferralStatus.REWARDED, NOW))  # Cat brought Ann
        await uow.points.append(NewEntry(CAT, 200, Reason.REFERRAL, f"referee:{ANN}", NOW))
        buy = await uow.group_buys.add(
            NewGroupBuy("gb1", product.id, product.title, Money(200, "XTR"), 3, GROUP, GROUP, ANN, NOW, NOW)
        )
        await uow.group_buys.add_participant(buy.id, ANN, "Annabel", order.id, NOW)
        await uow.outbox.enqueue(Notice(f"points:expiring:{ANN}:1", ANN, "points.expiring", {"points": 40}), NOW)
        await uow.outbox.enqueue(
            Notice(f"gb:{buy.id}:card:1", GROUP, "groupbuy.card", {"names": "Annabel, Ben", "leader": "Annabel"}), NOW
        )
        brand = await uow.brands.add("Celadon Studio")
        await uow.brand_staff.add(brand.id, ANN, NOW)
        await uow.commit()
    return order.id


async def test_forgetting_leaves_no_trace_and_keeps_the_accounts_under_one_pseudonym(database: Database) -> None:
    order_id = await _ann_shops_invites_and_is_staff(database)
    async with database.uow() as uow:
        exported = await privacy.export_data(uow, NOW, Actor(ANN), ANN)
    assert exported.records["members"][0]["first_name"] == "Annabel"
    assert {"orders", "payments", "points_entries", "referral_codes", "referrals", "group_buy_participants"} <= set(
        exported.records
    )

    async with database.uow() as uow:
        forgotten = await privacy.forget(uow, Actor(ANN), ANN)
        await uow.commit()

    assert await stored_anywhere(database.uow, ANN, "Annabel", "annabel_tea", "annabel1") == []
    pseudonym = forgotten.pseudonym
    assert is_pseudonym(pseudonym)
    async with database.uow() as uow:
        order = await uow.orders.get(order_id)
        assert order is not None and (order.user_id, order.chat_id) == (pseudonym, pseudonym)
        (payment,) = await uow.payments.for_order(order_id)
        assert payment.user_id == pseudonym
        assert await uow.points.balance(pseudonym) == 40, "the ledger adds up under the pseudonym"
        assert await uow.points.balance(CAT) == 200, "Cat keeps the reward she earned"
        assert await uow.points.get(Reason.REFERRAL, f"referee:{pseudonym}") is not None
        assert await uow.referrals.get(BEN) is None and await uow.referrals.code_of(ANN) is None
        participant = await uow.group_buys.participant_for_order(order_id)
        assert participant is not None and (participant.user_id, participant.name) == (pseudonym, "")
        own = await uow.outbox.get_by_key(f"points:expiring:{pseudonym}:1")
        assert own is not None and own.status is NoticeStatus.SUPERSEDED and own.notice.params == {}
        card = await uow.outbox.with_key_prefix("gb:")
        assert card[0].notice.params == {"names": "—, Ben", "leader": "—"}
        assert await uow.brand_staff.brands_of(ANN) == []
        assert await uow.members.get(BEN) is not None

        with_pseudonym = await uow.personal_data.export_member(pseudonym)
    assert "members" not in with_pseudonym, "the pseudonym is nobody"


async def test_only_the_member_and_the_operator_may_see_or_forget_a_member(database: Database) -> None:
    await _ann_shops_invites_and_is_staff(database)
    async with database.uow() as uow:
        with pytest.raises(DomainError):
            await privacy.export_data(uow, NOW, Actor(BEN), ANN)
        with pytest.raises(DomainError):
            await privacy.forget(uow, Actor(BEN), ANN)
        assert (await privacy.export_data(uow, NOW, Actor.command_line(), ANN)).count > 0


async def test_a_member_with_money_still_moving_is_forgotten_only_once_it_settles(database: Database) -> None:
    order_id = await _ann_shops_invites_and_is_staff(database)
    async with database.uow() as uow:
        seat = await uow.group_buys.participant_for_order(order_id)
        assert seat is not None
        await uow.group_buys.set_participant_status(seat.id, ParticipantStatus.JOINED, ParticipantStatus.PAID, NOW)
        (payment,) = await uow.payments.for_order(order_id)
        await uow.payments.set_status(payment.id, PaymentStatus.CAPTURED, PaymentStatus.REFUND_DUE)
        await uow.commit()

    for settle in ("the group buy", "the refund"):
        async with database.uow() as uow:
            with pytest.raises(DomainError) as refused:
                await privacy.forget(uow, Actor(ANN), ANN)
        assert refused.value.code is PrivacyError.MONEY_IN_FLIGHT, f"before {settle} settled"
        async with database.uow() as uow:
            if settle == "the group buy":
                await uow.group_buys.set_participant_status(seat.id, ParticipantStatus.PAID, ParticipantStatus.REFUNDED)
            else:
                await uow.payments.set_status(payment.id, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED, at=NOW)
            await uow.commit()

    async with database.uow() as uow:
        await privacy.forget(uow, Actor(ANN), ANN)
        await uow.commit()
    assert await stored_anywhere(database.uow, ANN, "Annabel") == []
