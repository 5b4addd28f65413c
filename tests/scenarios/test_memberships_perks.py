"""Who may grant which perk, and members-only groups shared by plans, played through the fake Bot API on both
frameworks (DESIGN.md, invariant 10: a perk is granted only by whoever pays for it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.memberships.lifecycle import MembershipStatus, Seat
from tests.scenarios.harness import Shop
from tests.scenarios.memberships_steps import (
    PERIOD,
    add_plan,
    bans,
    count,
    follow_the_shop_clock,
    make_staff,
    outbox_drained,
    run_jobs,
    subscribe,
)


async def _plans(shop: Shop) -> list[Any]:
    async with shop.uow() as uow:
        return list(await uow.plans.list_plans(active_only=False))


async def _invoice_for(shop: Shop, member: Any, group: Any, search: str, title: str) -> tuple[Any, int]:
    """Find a product in the group, open its card, press Buy: (the card, the invoice's total)."""
    (found,) = await shop.say(member, group, f"/find {search}")
    await shop.press(member, found, text=next(t for t in found.button_texts if t.startswith(title)))
    card = shop.fake.last(group)
    await shop.press(member, card, text=next(t for t in card.button_texts if t.startswith("Buy ·")))
    invoice = shop.fake.last(group)
    paid = await shop.pay(member, invoice)
    assert paid.accepted, paid.error_message
    return card, int(invoice.data["invoice"]["total_amount"])


async def test_a_group_admin_cannot_give_away_the_catalog(shop: Shop) -> None:
    follow_the_shop_clock(shop)
    ade = shop.member("Ade")
    bargains = await shop.group_with_bot("Bargain Hunters", admin=ade)

    (refused,) = await shop.say(ade, bargains, "/plan add 1 XTR Freebies discount=99 trial=90")
    assert "A community's plan can open its members-only group, but it cannot give perks on products" in refused.text
    assert "come only from the operator or from the product's brand. Nothing was saved." in refused.text
    for sneaky in ("points=3 early=60", "TEA-SET-01=125"):
        (again,) = await shop.say(ade, bargains, f"/plan add 1 XTR Freebies {sneaky}")
        assert "cannot give perks on products" in again.text
    (typo,) = await shop.say(ade, bargains, "/plan add 1 XTR Freebies dicount=10")
    assert "There is no option or product SKU “dicount”. Options are days, trial, grace, discount" in typo.text
    (private,) = await shop.say(ade, None, "/plan add 1 XTR Freebies discount=10")
    assert "Only the operator makes plans for the whole shop" in private.text
    (squared,) = await shop.say(ade, bargains, "/plan add 1 XTR Freebies trial=²")
    assert "I could not read “trial=²”" in squared.text
    assert await _plans(shop) == [], "nothing was saved"

    lin = shop.member("Lin", language_code="zh")
    chinese = await shop.group_with_bot("茶友", admin=lin)
    (translated,) = await shop.say(lin, chinese, "/plan add 1 XTR Freebies discount=99")
    assert "社群方案可以开放会员专属群，但不能提供商品权益" in translated.text

    # Mei, a shopper in the group, still pays every brand's full price.
    mei = shop.member("Mei")
    (pointer,) = await shop.say(mei, bargains, "/membership")
    assert "only in private" in pointer.text  # her membership status is hers: the link starts the private chat
    (view,) = await shop.say(mei, None, "/start membership")
    assert "There are no membership plans yet." in view.text
    _, total = await _invoice_for(shop, mei, bargains, "celadon tea set", "Celadon tea set")
    assert total == 250

    # What a community may sell: its members-only group, with a trial within the bounds.
    (created,) = await shop.say(ade, bargains, "/plan add 100 XTR Bargain Club trial=7")
    assert "created" in created.text, created.text
    (too_long,) = await shop.say(ade, bargains, "/plan add 100 XTR Bargain Club trial=90")
    assert "A free trial is 0 to 30 days." in too_long.text
    shop.fake.assert_no_errors()


async def test_a_brand_plan_discounts_only_its_own_products(shop: Shop) -> None:
    follow_the_shop_clock(shop)
    cel, mu = shop.member("Cel"), shop.member("Mu")
    await make_staff(shop, "Celadon Studio", cel)
    await make_staff(shop, "City Museum Shop", mu)
    tea_lovers = await shop.group_with_bot("Tea Lovers")

    (not_theirs,) = await shop.say(mu, None, "/plan add 100 XTR Celadon Circle brand=Celadon_Studio discount=20")
    assert "You are not staff of Celadon Studio." in not_theirs.text
    (foreign,) = await shop.say(cel, None, "/plan add 100 XTR Celadon Circle brand=Celadon_Studio PRINT-WAVE-A3=400")
    assert "PRINT-WAVE-A3 is not a product of Celadon Studio" in foreign.text
    (greedy,) = await shop.say(cel, None, "/plan add 100 XTR Celadon Circle brand=Celadon_Studio discount=60")
    assert "A discount is 1 to 50 percent (or 0 for none)." in greedy.text
    (too_low,) = await shop.say(cel, None, "/plan add 100 XTR Celadon Circle brand=Celadon_Studio TEA-SET-01=100")
    assert "The member price of TEA-SET-01 must be at least 50% of its price: 125 ⭐ or more." in too_low.text
    (in_group,) = await shop.say(cel, tea_lovers, "/plan add 100 XTR Celadon Circle brand=Celadon_Studio")
    assert "Make a brand's plan in a private chat with me" in in_group.text
    assert await _plans(shop) == []

    plan_id = await add_plan(shop, cel, None, "100 XTR Celadon Circle discount=20", brand="Celadon Studio")
    (plan,) = await _plans(shop)
    assert plan.id == plan_id and plan.brand_id is not None and plan.community_id is None

    mei, jun = shop.member("Mei"), shop.member("Jun")
    (offer,) = await shop.say(mei, None, "/membership")
    assert "· perks on Celadon Studio products only" in offer.text and "· 20% off in the shop" in offer.text
    await subscribe(shop, mei)
    await outbox_drained(shop)

    card, tea = await _invoice_for(shop, mei, tea_lovers, "celadon tea set", "Celadon tea set")
    assert tea == 200 and "Members of Celadon Circle pay 200 ⭐" in card.content
    card, wave = await _invoice_for(shop, mei, tea_lovers, "great wave", "Great Wave art print")
    assert wave == 450 and "Members of" not in card.content, "another brand's product keeps its price"
    _, not_a_member = await _invoice_for(shop, jun, tea_lovers, "celadon tea set", "Celadon tea set")
    assert not_a_member == 250

    # Brand staff change their own plan's terms within the bounds; the other brand's staff cannot.
    (changed,) = await shop.say(cel, None, f"/plan terms {plan_id} discount=10 TEA-SET-01=180")
    assert "Celadon Circle has new terms (version 2)." in changed.text
    (refused,) = await shop.say(mu, None, f"/plan terms {plan_id} discount=50")
    assert "You are not staff of Celadon Studio." in refused.text
    shop.fake.assert_no_errors()


async def test_a_member_admitted_on_one_plan_who_pays_another_for_the_same_group_is_never_removed(
    shop: Shop,
) -> None:
    follow_the_shop_clock(shop)
    owner = shop.member("Owner")
    community = await shop.group_with_bot("Tea Lovers", admin=owner)
    club = await add_plan(shop, owner, community, "100 XTR Tea Club")
    plus = await add_plan(shop, owner, community, "150 XTR Tea Club Plus")
    lounge = await shop.group_with_bot("Tea Club Lounge", admin=owner)
    for plan_id in (club, plus):
        (attached,) = await shop.say(owner, lounge, f"/plan group {plan_id}")
        assert "members-only group" in attached.text, attached.text
    link = next(p.invite_link for p in await _plans(shop) if p.id == club)

    mei = shop.member("Mei")
    await subscribe(shop, mei, join="Join Tea Club ·")
    await shop.settle(await shop.fake.join_request(mei, lounge, invite_link=link))
    assert lounge.is_member(mei.id)

    shop.clock.advance(timedelta(days=10))
    await subscribe(shop, mei, join="Join Tea Club Plus ·")  # paid until day 40

    shop.clock.advance(PERIOD - timedelta(days=10) + timedelta(days=4))  # day 34: Tea Club is past its grace
    (dry_run,) = await shop.say(owner, community, "/members dry-run")
    assert "Would be removed now: 0" in dry_run.text, dry_run.text
    await run_jobs(shop)
    await run_jobs(shop)
    assert lounge.is_member(mei.id), "Mei pays Tea Club Plus, which grants the same group"
    assert bans(shop, mei, lounge) == 0
    async with shop.uow() as uow:
        first = await uow.memberships.get_for(mei.id, club)
        second = await uow.memberships.get_for(mei.id, plus)
    assert first.status is MembershipStatus.EXPIRED and first.seat is Seat.NONE
    assert second.status is MembershipStatus.ACTIVE and second.seat is Seat.IN
    assert count(shop, mei, "Your Tea Club membership has ended.") == 1
    assert count(shop, mei, "left the members' group") == 0

    shop.clock.advance(timedelta(days=10))  # day 44: Tea Club Plus is past its grace too
    (dry_run,) = await shop.say(owner, community, "/members dry-run")
    assert "Would be removed now: 1" in dry_run.text and f"user {mei.id}" in dry_run.text
    await run_jobs(shop)
    await run_jobs(shop)
    assert not lounge.is_member(mei.id)
    assert bans(shop, mei, lounge) == 1
    assert count(shop, mei, "Your Tea Club Plus membership has ended, so you have left the members' group.") == 1
    shop.fake.assert_no_errors()
