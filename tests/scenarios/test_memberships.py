"""Paid memberships and the members-only group, played through the fake Bot API on both frameworks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from domain.memberships.lifecycle import MembershipStatus, Seat
from tests.scenarios.harness import Shop
from tests.scenarios.memberships_steps import (
    PERIOD,
    bans,
    count,
    open_club,
    outbox_drained,
    restartable_shop,
    run_jobs,
)


async def test_stars_member_renews_twice_cancels_keeps_access_then_is_removed_once(shop: Shop) -> None:
    club = await open_club(shop)
    mei = shop.member("Mei")
    await club.subscribe(mei)
    await outbox_drained(shop)
    assert count(shop, mei, "Welcome to Tea Club") == 1
    await club.ask_to_join(mei)
    assert club.group.is_member(mei.id)

    charges = []
    for _ in range(2):
        shop.clock.advance(PERIOD)
        renewal = await club.renew(mei)
        charges.append(renewal.message.data["successful_payment"]["telegram_payment_charge_id"])
        await run_jobs(shop)
    assert count(shop, mei, "renewed until") == 2
    membership = await club.membership_of(mei)
    assert membership is not None and membership.status is MembershipStatus.ACTIVE and membership.stars
    paid_until = membership.period_end

    (view,) = await shop.say(mei, None, "/membership")
    await shop.press(mei, view, text="Cancel Tea Club")
    await shop.press(mei, shop.fake.last(mei), text="Yes, cancel")
    assert shop.fake.charges[charges[-1]].subscription_canceled is True
    await outbox_drained(shop)
    assert count(shop, mei, "is cancelled") == 1

    shop.clock.set(paid_until - timedelta(hours=1))
    await run_jobs(shop)
    assert club.group.is_member(mei.id), "a cancelled member keeps access until the paid period ends"
    assert (await club.membership_of(mei)).status is MembershipStatus.CANCELLED

    shop.clock.set(paid_until + timedelta(minutes=5))
    await run_jobs(shop)
    await run_jobs(shop)  # firing again changes nothing
    assert not club.group.is_member(mei.id)
    assert club.group.status_of(mei.id).status == "left", "removed, not banned: they may come back"
    assert bans(shop, mei, club.group) == 1
    assert count(shop, mei, "left the members' group") == 1
    assert count(shop, mei, "has ended") == 1
    shop.fake.assert_no_errors()


async def test_join_requests_admit_members_decline_others_and_let_returning_members_back(shop: Shop) -> None:
    club = await open_club(shop)
    jun, mei = shop.member("Jun"), shop.member("Mei")

    await club.ask_to_join(jun)
    assert not club.group.is_member(jun.id) and jun.id not in club.group.join_requests
    (declined,) = shop.fake.sent(jun)
    assert "for members" in declined.text and "Join Tea Club" in " ".join(declined.button_texts)

    await club.subscribe(mei)
    await club.ask_to_join(mei)
    assert club.group.is_member(mei.id)

    # Mei's subscription is not renewed: grace, then expiry and removal.
    shop.clock.advance(PERIOD + timedelta(days=4))
    await run_jobs(shop)
    assert not club.group.is_member(mei.id)
    assert (await club.membership_of(mei)).status is MembershipStatus.EXPIRED

    await club.subscribe(mei)
    await club.ask_to_join(mei)
    assert club.group.is_member(mei.id)
    membership = await club.membership_of(mei)
    assert membership.status is MembershipStatus.ACTIVE and membership.seat is Seat.IN


async def test_a_duplicate_renewal_update_extends_the_period_once(shop: Shop) -> None:
    club = await open_club(shop)
    mei = shop.member("Mei")
    await club.subscribe(mei)
    shop.clock.advance(PERIOD)
    renewal = await club.renew(mei)
    extended = (await club.membership_of(mei)).period_end

    await shop.fake.redeliver(renewal.update_id)
    await shop.settle(renewal.update_id)
    charge = renewal.message.data["successful_payment"]["telegram_payment_charge_id"]
    again = await club.renew(mei, charge_id=charge)  # the same charge in a new update
    await outbox_drained(shop)

    assert again.update_id != renewal.update_id
    assert (await club.membership_of(mei)).period_end == extended
    assert count(shop, mei, "renewed until") == 1
    async with shop.uow() as uow:
        plan_payments = await uow.memberships.payments_since([club.plan_id], shop.clock.now() - 2 * PERIOD)
    assert len(plan_payments) == 2  # the first payment and one renewal


async def test_the_owner_sees_members_by_state_renewals_and_a_revenue_chart(shop: Shop) -> None:
    club = await open_club(shop)
    for name in ("Mei", "Jun"):
        await club.subscribe(shop.member(name))
    stranger = shop.member("Lin")
    (refused,) = await shop.say(stranger, club.community, "/members")
    assert "Only the operator or an admin" in refused.text

    report = await shop.say(club.owner, club.community, "/members")
    assert "active: 2" in report[0].text and "200 ⭐" in report[0].text
    chart = shop.fake.last(club.community)
    assert chart.photo, "the revenue chart is a PNG photo"


async def test_after_three_periods_of_downtime_states_and_the_group_are_right_with_one_message_each(
    framework: str, tmp_path: Path
) -> None:
    async with restartable_shop(framework, tmp_path) as process:
        shop = process.shop
        club = await open_club(shop)
        mei, jun, lin = shop.member("Mei"), shop.member("Jun"), shop.member("Lin")
        for member in (mei, jun):
            await club.subscribe(member)
            await club.ask_to_join(member)
        (view,) = await shop.say(jun, None, "/membership")
        await shop.press(jun, view, text="Cancel Tea Club")
        await shop.press(jun, shop.fake.last(jun), text="Yes, cancel")
        await club.ask_to_join(lin)  # declined: not a member
        await outbox_drained(shop)
        before = {m.id: len(shop.fake.sent(m)) for m in (mei, jun, lin)}

        await process.down()
        shop.clock.advance(3 * PERIOD)
        await process.up()
        await outbox_drained(shop)

        for member in (mei, jun):
            membership = await club.membership_of(member)
            assert membership.status is MembershipStatus.EXPIRED and membership.seat is Seat.NONE
            assert not club.group.is_member(member.id)
            assert bans(shop, member, club.group) == 1
            news = [m.text for m in shop.fake.sent(member)[before[member.id] :]]
            assert len(news) == 1 and "left the members' group" in news[0], news
        assert len(shop.fake.sent(lin)) == before[lin.id]

        await run_jobs(shop)  # the next scheduled runs find nothing more to do
        assert [bans(shop, m, club.group) for m in (mei, jun)] == [1, 1]
        assert [len(shop.fake.sent(m)) - before[m.id] for m in (mei, jun, lin)] == [1, 1, 0]


async def test_a_member_pays_the_member_price_at_checkout_and_others_the_list_price(shop: Shop) -> None:
    club = await open_club(shop, options="discount=10 TEA-SET-01=200", brand="Celadon Studio")
    mei, jun = shop.member("Mei"), shop.member("Jun")
    await club.subscribe(mei)
    for member, expected in ((mei, 200), (jun, 250)):
        (found,) = await shop.say(member, club.community, "/find celadon tea set")
        await shop.press(member, found, text=next(t for t in found.button_texts if t.startswith("Celadon tea set")))
        card = shop.fake.last(club.community)
        plan_name = (await club.plan()).name
        assert f"Members of {plan_name} pay 200 ⭐ (/membership)" in card.content  # told to member and not alike
        await shop.press(member, card, text="Buy · 250 ⭐")
        invoice = shop.fake.last(club.community)
        assert invoice.data["invoice"]["total_amount"] == expected
        paid = await shop.pay(member, invoice)
        assert paid.accepted, paid.error_message


async def test_a_renewal_telegram_kept_while_the_bot_was_down_counts_before_the_catch_up(
    framework: str, tmp_path: Path
) -> None:
    async with restartable_shop(framework, tmp_path) as process:
        shop = process.shop
        club = await open_club(shop)
        mei = shop.member("Mei")
        await club.subscribe(mei)
        await club.ask_to_join(mei)
        await outbox_drained(shop)
        membership = await club.membership_of(mei)
        price = (await club.plan()).current.terms.price.amount

        await process.down()
        shop.clock.advance(PERIOD + timedelta(days=10))  # long past the period and its grace
        # A backlog piled up while the bot was down, and at its end Telegram's on-time renewal of Mei's
        # subscription: the catch-up must not decide she lapsed before reading it.
        for i in range(40):
            await shop.fake.send_message(shop.member(f"Waiting{i}"), None, "/help")
        await shop.fake.successful_payment(
            mei, None, f"mb:{membership.version_id}", "XTR", price, subscription_period=int(PERIOD.total_seconds())
        )
        await process.up()
        await outbox_drained(shop)

        assert club.group.is_member(mei.id)
        assert bans(shop, mei, club.group) == 0
        renewed = await club.membership_of(mei)
        assert renewed.status is MembershipStatus.ACTIVE
