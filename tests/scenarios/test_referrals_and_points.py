"""Invite links reward the member who brought a new buyer; points are earned, shown, refunded and expire."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.referrals.model import ReferralStatus
from domain.shop.orders import OrderStatus
from tests.scenarios.harness import Shop
from tests.scenarios.rewards_steps import balance, eventually, operator, rewards_shop, said

REFERRAL_POINTS = 200


@pytest.fixture
async def shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    async with rewards_shop(framework, tmp_path) as s:
        yield s


async def _invite_code(shop: Shop, member: Any) -> str:
    (answer,) = await shop.say(member, None, "/invite")
    match = re.search(r"start=r_([a-z0-9]+)", answer.text)
    assert match, answer.text
    return match.group(1)


async def _buy(shop: Shop, member: Any, sku: str = "PIN-CRANE") -> Any:
    (card,) = await shop.say(member, None, f"/start p_{sku}")
    await shop.press(member, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    paid = await shop.pay(member, shop.fake.last(member))
    assert paid.accepted, paid.error_message
    await shop.outbox_drained()  # the "points earned" notice must not land among later replies
    return paid


async def _release_rewards(shop: Shop) -> None:
    await shop.app.jobs.run_now("release_referral_rewards")  # type: ignore[union-attr]


async def test_a_referred_members_first_paid_order_earns_the_referrer_points_once(shop: Shop) -> None:
    ann, bob = shop.member("Ann"), shop.member("Bob")
    code = await _invite_code(shop, ann)
    welcome = await shop.say(bob, None, f"/start r_{code}")
    assert "through Ann's invitation" in welcome[0].text and "Welcome, Bob" in welcome[1].text

    await _buy(shop, bob)
    await _release_rewards(shop)
    assert await balance(shop, ann) == 0  # held while the order can still be refunded

    shop.clock.advance(timedelta(days=15))
    await _release_rewards(shop)
    await _release_rewards(shop)  # late or twice: once
    assert await balance(shop, ann) == REFERRAL_POINTS
    await eventually(lambda: bool(said(shop, ann, "Bob paid their first order through your invitation")))

    await _buy(shop, bob, "POSTCARD-SET-12")  # a second order earns the referrer nothing more
    shop.clock.advance(timedelta(days=15))
    await _release_rewards(shop)
    assert await balance(shop, ann) == REFERRAL_POINTS

    # Opening another link later changes nobody's referrer.
    cid = shop.member("Cid")
    await shop.say(bob, None, f"/start r_{await _invite_code(shop, cid)}")
    async with shop.uow() as uow:
        referral = await uow.referrals.get(bob.id)
    assert referral.referrer_id == ann.id and referral.status is ReferralStatus.REWARDED
    (points,) = await shop.say(ann, None, "/points")
    assert f"Your points: {REFERRAL_POINTS}" in points.text and "invitation" in points.text


async def test_a_self_referral_or_an_existing_customer_earns_nothing(shop: Shop) -> None:
    ann, dee = shop.member("Ann"), shop.member("Dee")
    code = await _invite_code(shop, ann)
    (own, _welcome) = await shop.say(ann, None, f"/start r_{code}")
    assert "your own invite link" in own.text
    await _buy(shop, ann)

    await _buy(shop, dee)  # Dee was a customer before she saw Ann's link
    await shop.say(dee, None, f"/start r_{code}")
    await _buy(shop, dee, "POSTCARD-SET-12")

    shop.clock.advance(timedelta(days=15))
    await _release_rewards(shop)
    assert await balance(shop, ann) == 35  # her own purchase only
    async with shop.uow() as uow:
        assert await uow.referrals.get(ann.id) is None
        assert await uow.referrals.get(dee.id) is None
    (unknown,) = await shop.say(dee, None, "/start r_nosuchcode")
    assert "Welcome" in unknown.text


async def test_a_refunded_order_reverses_the_reward_and_its_points(shop: Shop) -> None:
    ann, eve = shop.member("Ann"), shop.member("Eve")
    await shop.say(eve, None, f"/start r_{await _invite_code(shop, ann)}")
    await _buy(shop, eve, "TEA-SET-01")
    assert await balance(shop, eve) == 250
    (order,) = await shop.orders_of(eve)

    (done,) = await shop.say(operator(shop), None, f"/refund {order.id}")
    assert "is refunded" in done.text
    assert [r.user_id for r in shop.fake.refunds] == [eve.id]
    (order,) = await shop.orders_of(eve)
    assert order.status is OrderStatus.REFUNDED
    assert await balance(shop, eve) == 0
    await eventually(lambda: bool(said(shop, eve, f"Your order #{order.id} was refunded")))

    # Replaying the refund changes nothing.
    (again,) = await shop.say(operator(shop), None, f"/refund {order.id}")
    assert "already refunded" in again.text
    assert len(shop.fake.refunds) == 1

    shop.clock.advance(timedelta(days=15))
    await _release_rewards(shop)
    assert await balance(shop, ann) == 0
    async with shop.uow() as uow:
        assert (await uow.referrals.get(eve.id)).status is ReferralStatus.VOIDED
        entries = await uow.points.entries(eve.id)
    assert sum(e.delta for e in entries) == 0 and [e.reason.value for e in entries] == ["purchase", "clawback"]


async def test_only_operators_can_refund(shop: Shop) -> None:
    mei = shop.member("Mei")
    await _buy(shop, mei)
    (order,) = await shop.orders_of(mei)
    (refused,) = await shop.say(mei, None, f"/refund {order.id}")
    assert "Only the shop's operators" in refused.text
    (usage,) = await shop.say(operator(shop), None, "/refund twelve")
    assert "/refund 12" in usage.text
    (missing,) = await shop.say(operator(shop), None, "/refund 424242")
    assert "no order #424242" in missing.text
    (order,) = await shop.orders_of(mei)
    assert order.status is OrderStatus.PAID


async def test_paid_orders_earn_points_shown_with_their_expiry_which_come_and_go(shop: Shop) -> None:
    mei = shop.member("Mei")
    paid = await _buy(shop, mei, "TEA-SET-01")
    assert await balance(shop, mei) == 250
    await eventually(lambda: bool(said(shop, mei, "You earned 250 points")))
    (points,) = await shop.say(mei, None, "/points")
    assert "Your points: 250" in points.text and "250 of them expire on Nov 22, 2027" in points.text

    # A replayed payment earns nothing more.
    shop.tracker.forget(paid.update_id)
    await shop.fake.redeliver(paid.update_id)
    await shop.settle(paid.update_id)
    assert await balance(shop, mei) == 250

    shop.clock.advance(timedelta(days=365 - 20))  # within the 30-day reminder window
    await shop.app.jobs.run_now("remind_points_expiry")  # type: ignore[union-attr]
    await shop.app.jobs.run_now("remind_points_expiry")  # type: ignore[union-attr]
    await eventually(lambda: bool(said(shop, mei, "250 of your points expire on Nov 22, 2027")))
    assert len(said(shop, mei, "of your points expire")) == 1

    shop.clock.advance(timedelta(days=21))
    await shop.app.jobs.run_now("expire_points")  # type: ignore[union-attr]
    assert await balance(shop, mei) == 0
    (points,) = await shop.say(mei, None, "/points")
    assert "Your points: 0" in points.text and "points expired" in points.text
