"""Forgetting a member, table by table, on SQLite and PostgreSQL: each feature's eraser leaves no name,
username or Telegram id behind, and what accounting keeps still agrees under one pseudonym."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.actors import Actor
from domain.assistant.ports import KeptMessage
from domain.drops import raffle
from domain.errors import DomainError
from domain.groupbuys.model import NewGroupBuy, ParticipantStatus
from domain.members import Member
from domain.moderation import giveaways, meetups
from domain.moderation.model import (
    CommunitySettings,
    Eligibility,
    GiveawayEntry,
    GiveawayStatus,
    NewGiveaway,
    NewMeetup,
    RsvpStatus,
)
from domain.money import Money
from domain.notices import Notice, NoticeStatus
from domain.points.ledger import NewEntry, Reason
from domain.points.policy import RewardsPolicy
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


async def _ann_takes_part_in_the_community(database: Database) -> tuple[int, int, int, int, int]:
    """Ann enters a giveaway that is drawn, goes to a meetup and checks in, waits for a full one, changes her
    group's settings, asks the assistant, talks in a group with the digest on, and buys a code from a pool.
    (giveaway, meetup, full meetup, order, product) ids."""
    product = await add_product(database)
    key = raffle.new_pseudonym_key()
    async with database.uow() as uow:
        for member in (
            Member(ANN, "Annabel", "annabel_tea", started_bot=True),
            Member(BEN, "Ben", started_bot=True),
            Member(CAT, "Cat"),
        ):
            await uow.members.save(member)
        new = NewGiveaway(GROUP, "Tea tin", 1, 2, 1, Eligibility(), None, ANN, NOW, raffle.new_seed(), key)
        giveaway = await uow.giveaways.add(new, GiveawayStatus.AWAITING_BRAND)
        assert await uow.giveaways.open(giveaway.id, GiveawayStatus.AWAITING_BRAND, NOW, NOW, "chain", 1, NOW)
        for user_id in (ANN, BEN, CAT):
            assert await uow.giveaways.add_entry(
                GiveawayEntry(giveaway.id, user_id, raffle.pseudonym(key, user_id), NOW)
            )
        opened = await uow.giveaways.get(giveaway.id)
        assert opened is not None and await giveaways.close_entries(uow, NOW, opened)
        closed = await uow.giveaways.get(giveaway.id)
        assert closed is not None and await giveaways.draw(uow, NOW, closed, None)

        meetup = await uow.meetups.add(NewMeetup(GROUP, "Tasting", NOW + timedelta(hours=2), 5, 30, ANN, NOW))
        assert (await meetups.rsvp(uow, NOW, meetup.id, ANN)).status is RsvpStatus.GOING
        await uow.meetups.set_code(meetup.id, "4242", NOW + timedelta(hours=3))
        assert (await meetups.check_in(uow, NOW, RewardsPolicy(), meetup.id, ANN, "4242")).points == 30
        full = await uow.meetups.add(NewMeetup(GROUP, "Workshop", NOW + timedelta(days=1), 1, 0, BEN, NOW))
        await meetups.rsvp(uow, NOW, full.id, BEN)
        assert (await meetups.rsvp(uow, NOW, full.id, ANN)).status is RsvpStatus.WAITING

        await uow.community_settings.save(CommunitySettings(GROUP, daily_cap=3, updated_by=ANN, updated_at=NOW))
        assert await uow.assistant_usage.take_request(NOW.date(), ANN, 10, 10_000)
        await uow.assistant_usage.add_tokens(NOW.date(), ANN, 120)
        handover = await uow.handovers.add(ANN, ANN, "Annabel asks: can I return the tea set?", NOW)
        params = {"number": handover.id, "member": ANN, "chat": ANN, "text": "can I return the tea set?"}
        await uow.outbox.enqueue(
            Notice(f"assistant.handover:{handover.id}:{CAT}", CAT, "assistant.handover", params), NOW
        )
        await uow.digests.switch(GROUP, True, ANN, NOW, NOW.date())
        await uow.digests.keep(KeptMessage(GROUP, 77, ANN, "Annabel here, who has the oolong?", NOW))
        await uow.digests.keep(KeptMessage(GROUP, 78, BEN, "Ben: I do", NOW, reply_to=77))

        order = await uow.orders.add(new_order(line_for(product), user_id=ANN, chat_id=ANN))
        await uow.codes.add(product.id, ["TICKET-0001", "TICKET-0002"], NOW)
        assert await uow.codes.claim(product.id, order.id, NOW) == "TICKET-0001"
        await uow.commit()
    return giveaway.id, meetup.id, full.id, order.id, product.id


async def test_a_giveaway_entrant_meetup_goer_assistant_user_and_code_buyer_is_forgotten(database: Database) -> None:
    giveaway_id, meetup_id, full_id, order_id, product_id = await _ann_takes_part_in_the_community(database)
    async with database.uow() as uow:
        published = await giveaways.published_record(uow, giveaway_id)
        exported = await privacy.export_data(uow, NOW, Actor(ANN), ANN)
    assert published is not None
    records = exported.records
    assert {e["user_id"] for e in records["giveaway_entries"]} == {ANN}, "only her own entry"
    assert [r["status"] for r in records["meetup_rsvps"]] == ["going", "waiting"]
    assert records["community_settings"][0]["updated_by"] == ANN
    assert records["assistant_usage"][0]["requests"] == 1
    assert records["assistant_handovers"][0]["text"].startswith("Annabel asks")
    assert [m["message_id"] for m in records["digest_messages"]] == [77], "Ben's reply is his"
    assert records["digest_groups"][0]["moderator_id"] == ANN
    assert [c["code"] for c in records["digital_codes"]] == ["TICKET-0001"], "the code given to her order"

    async with database.uow() as uow:
        forgotten = await privacy.forget(uow, Actor(ANN), ANN)
        await uow.commit()

    words = ("Annabel", "annabel_tea", str(ANN))
    assert await stored_anywhere(database.uow, ANN, *words) == []
    pseudonym = forgotten.pseudonym
    async with database.uow() as uow:
        assert await giveaways.published_record(uow, giveaway_id) == published, "the published draw still verifies"
        entries = await uow.giveaways.entries(giveaway_id)
        assert sorted(e.user_id for e in entries) == sorted((BEN, CAT, pseudonym))
        meetup = await uow.meetups.get(meetup_id)
        assert meetup is not None and meetup.going == 1 and meetup.created_by == pseudonym
        kept = await uow.meetups.rsvp(meetup_id, pseudonym)
        assert kept is not None and kept.checked_in_at is not None, "the attendance is kept, under the pseudonym"
        assert await uow.points.balance(pseudonym) == 30
        assert await uow.points.get(Reason.EVENT, f"meetup:{meetup_id}:{pseudonym}") is not None
        waited = await uow.meetups.rsvp(full_id, pseudonym)
        assert waited is not None and waited.status is RsvpStatus.CANCELLED, "her waiting place is given up"
        assert await uow.meetups.first_waiting(full_id) is None
        settings = await uow.community_settings.get(GROUP)
        assert settings is not None and settings.daily_cap == 3 and settings.updated_by is None
        assert await uow.assistant_usage.tokens_used(NOW.date()) == 120, "the shop's own count stays"
        assert await uow.handovers.recent(10) == []
        (to_operator,) = await uow.outbox.with_key_prefix("assistant.handover:")
        assert to_operator.notice.params == {} and to_operator.status is NoticeStatus.SUPERSEDED, "it was about her"
        (bens,) = await uow.digests.messages(GROUP, NOW - timedelta(days=1))
        assert bens.user_id == BEN
        group = await uow.digests.get(GROUP)
        assert group is not None and not group.enabled, "a digest addressed to her goes to nobody: it is off"
        assert await uow.codes.for_order(order_id) == ["TICKET-0001"], "the code stays with the anonymised order"
        assert await uow.codes.count(product_id) == (1, 1)
        order = await uow.orders.get(order_id)
        assert order is not None and order.user_id == pseudonym
