"""A perk is granted only by whoever pays for it: plan owners, the bounds of every perk, and perks applied by
owner at checkout, in points and in drops (DESIGN.md, invariant 10)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.actors import Actor
from domain.errors import DomainError
from domain.memberships import joining, management, perks
from domain.memberships.plan_text import parse_new_plan, parse_options
from domain.memberships.plans import (
    MAX_DISCOUNT_PERCENT,
    MAX_EARLY_ACCESS_MINUTES,
    MAX_GRACE_DAYS,
    MAX_MULTIPLIER_PERCENT,
    MAX_PERIOD_DAYS,
    MAX_TRIAL_DAYS,
    MIN_MEMBER_PRICE_PERCENT,
    Benefits,
    NewPlan,
    OwnerKind,
    Terms,
)
from domain.money import Money
from tests.domain.charges import charge
from tests.domain.memberships_fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 1, tzinfo=UTC)
GROUP = -100
ADMIN, STAFF, OTHER_STAFF, STRANGER, MEMBER = 5, 6, 7, 8, 9
OPERATOR = Actor.command_line()
ADMIN_HERE = Actor(ADMIN, admin_of=frozenset({GROUP}))


def _shop() -> Any:
    """The example catalog in small: two brands with their staff, and a product of no brand."""
    uow: Any = FakeUnitOfWork()
    celadon = uow.catalog.brand("Celadon Studio", STAFF)
    museum = uow.catalog.brand("City Museum Shop", OTHER_STAFF)
    uow.catalog.product("TEA-SET-01", 250, celadon)
    uow.catalog.product("TEA-CUP-PAIR", 90, celadon)
    uow.catalog.product("PRINT-WAVE-A3", 450, museum)
    uow.catalog.product("PIN-CRANE", 35)
    uow.celadon, uow.museum = celadon, museum
    return uow


def _run(play: Callable[[Any], Awaitable[None]]) -> None:
    asyncio.run(play(_shop()))


def _refused(code: str) -> Any:
    return pytest.raises(DomainError, match=code.replace(".", r"\."))


# -- who owns what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("perk", ["discount=99", "discount=10", "points=1.5", "early=60", "TEA-SET-01=200"])
def test_a_group_admin_cannot_give_away_the_catalog(perk: str) -> None:
    async def play(uow: Any) -> None:
        name, terms = parse_new_plan(["1", "XTR", "Freebies", perk, "trial=30"])
        with _refused("membership.community_product_perks") as refusal:
            await management.create_plan(uow, NOW, ADMIN_HERE, name, GROUP, terms)
        assert refusal.value.params["perks"] in perk or perk.startswith("TEA")
        with _refused("membership.community_product_perks"):  # not even the operator, on a community's plan
            await management.create_plan(uow, NOW, OPERATOR, name, GROUP, terms)
        assert uow.plans.plans == {}, "nothing is saved"

    _run(play)


def test_a_community_plan_gates_its_group_and_only_its_admins_make_it() -> None:
    async def play(uow: Any) -> None:
        plan = await management.create_plan(uow, NOW, ADMIN_HERE, "Tea Club", GROUP, Terms(Money(100, "XTR")))
        assert plan.owner is OwnerKind.COMMUNITY and plan.community_id == GROUP and plan.brand_id is None
        with _refused("membership.not_owner"):
            await management.create_plan(uow, NOW, Actor(STRANGER), "Mine", GROUP, Terms(Money(100, "XTR")))

    _run(play)


def test_only_the_operator_makes_platform_plans() -> None:
    async def play(uow: Any) -> None:
        terms = Terms(Money(100, "XTR"), benefits=Benefits(discount_percent=10))
        for who in (ADMIN_HERE, Actor(STAFF)):
            with _refused("membership.platform_operator_only"):
                await management.create_plan(uow, NOW, who, "Everything", None, terms)
        plan = await management.create_plan(uow, NOW, OPERATOR, "Everything", None, terms)
        assert plan.owner is OwnerKind.PLATFORM
        with _refused("membership.not_owner"):
            await management.change_price(uow, NOW, ADMIN_HERE, plan.id, Money(1, "XTR"))

    _run(play)


def test_brand_staff_make_and_manage_plans_of_their_own_brand_only() -> None:
    async def play(uow: Any) -> None:
        terms = Terms(Money(100, "XTR"), benefits=Benefits(discount_percent=20, early_access_minutes=60))
        celadon = uow.celadon.id
        for who in (Actor(OTHER_STAFF), Actor(STRANGER), ADMIN_HERE):
            with _refused("brand.not_staff"):
                await management.create_plan(uow, NOW, who, "Celadon Circle", None, terms, brand_id=celadon)
        with _refused("brand.unknown"):
            await management.create_plan(uow, NOW, OPERATOR, "Nobody's", None, terms, brand_id=99)
        with _refused("membership.brand_plan_in_private"):
            await management.create_plan(uow, NOW, ADMIN_HERE, "Both", GROUP, terms, brand_id=celadon)

        plan = await management.create_plan(uow, NOW, Actor(STAFF), "Celadon Circle", None, terms, celadon)
        assert plan.owner is OwnerKind.BRAND and plan.brand_id == celadon
        by_operator = await management.create_plan(uow, NOW, OPERATOR, "Celadon Club", None, terms, celadon)
        assert by_operator.brand_id == celadon

        await management.change_price(uow, NOW, Actor(STAFF), plan.id, Money(120, "XTR"))
        with _refused("brand.not_staff"):
            await management.change_price(uow, NOW, Actor(OTHER_STAFF), plan.id, Money(1, "XTR"))
        with _refused("brand.not_staff"):
            await management.set_active(uow, Actor(OTHER_STAFF), plan.id, False)
        mine = await management.plans_managed_by(uow, Actor(STAFF), None)
        assert [p.id for p in mine] == [plan.id, by_operator.id]
        assert await management.plans_managed_by(uow, Actor(OTHER_STAFF), None) == ()
        with _refused("membership.not_owner"):
            await management.plans_managed_by(uow, Actor(STRANGER), None)

    _run(play)


def test_a_brand_plans_member_prices_name_only_that_brands_products() -> None:
    async def play(uow: Any) -> None:
        celadon = uow.celadon.id
        ok = parse_options(["TEA-SET-01=200", "TEA-CUP-PAIR=80"], Terms(Money(100, "XTR")))
        plan = await management.create_plan(uow, NOW, Actor(STAFF), "Celadon Circle", None, ok, celadon)
        assert plan.current.terms.benefits.member_price_of("TEA-SET-01") == Money(200, "XTR")
        for foreign in ("PRINT-WAVE-A3=400", "PIN-CRANE=30"):
            terms = parse_options([foreign], Terms(Money(100, "XTR")))
            with _refused("membership.member_price_other_brand") as refusal:
                await management.create_plan(uow, NOW, Actor(STAFF), "Greedy", None, terms, celadon)
            assert refusal.value.params["brand"] == "Celadon Studio"
        # The operator's plan may name any product.
        any_product = parse_options(["PRINT-WAVE-A3=400", "PIN-CRANE=30"], Terms(Money(100, "XTR")))
        await management.create_plan(uow, NOW, OPERATOR, "Patrons", None, any_product)

    _run(play)


# -- every perk is bounded where it is defined -----------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "code", "bound"),
    [
        (["discount=51"], "membership.discount_invalid", MAX_DISCOUNT_PERCENT),
        (["discount=99"], "membership.discount_invalid", MAX_DISCOUNT_PERCENT),
        (["points=3.01"], "membership.multiplier_invalid", "3"),
        (["points=0.5"], "membership.multiplier_invalid", "3"),
        (["trial=31"], "membership.trial_invalid", MAX_TRIAL_DAYS),
        (["trial=90"], "membership.trial_invalid", MAX_TRIAL_DAYS),
        (["grace=15"], "membership.grace_invalid", MAX_GRACE_DAYS),
        (["early=1441"], "membership.early_access_invalid", MAX_EARLY_ACCESS_MINUTES),
    ],
)
def test_each_perk_beyond_its_bound_is_refused_naming_the_bound(words: list[str], code: str, bound: object) -> None:
    async def play(uow: Any) -> None:
        name, terms = parse_new_plan(["100", "XTR", "Generous", *words])
        with _refused(code) as refusal:
            await management.create_plan(uow, NOW, OPERATOR, name, None, terms)
        assert refusal.value.params["max"] == bound
        assert uow.plans.plans == {}

    _run(play)


def test_a_period_is_1_to_366_days() -> None:
    async def play(uow: Any) -> None:
        for days in ("0", str(MAX_PERIOD_DAYS + 1)):
            name, terms = parse_new_plan(["5", "USD", "Yearly", f"days={days}"])
            with _refused("membership.period_invalid") as refusal:
                await management.create_plan(uow, NOW, OPERATOR, name, None, terms)
            assert (refusal.value.params["min"], refusal.value.params["max"]) == (1, MAX_PERIOD_DAYS)
        name, terms = parse_new_plan(["5", "USD", "Yearly", "days=366"])
        await management.create_plan(uow, NOW, OPERATOR, name, None, terms)

    _run(play)


def test_perks_at_their_bounds_are_accepted() -> None:
    async def play(uow: Any) -> None:
        words = ["100", "XTR", "Most", "discount=50", "points=3", "trial=30", "grace=14", "early=1440"]
        name, terms = parse_new_plan([*words, "TEA-SET-01=125"])  # exactly half of 250
        plan = await management.create_plan(uow, NOW, OPERATOR, name, None, terms)
        assert plan.current.terms.benefits == Benefits(50, (("TEA-SET-01", Money(125, "XTR")),), 300, 1440)

    _run(play)


@pytest.mark.parametrize(
    ("price", "code"),
    [
        ("251", "membership.member_price_above_list"),
        ("124", "membership.member_price_too_low"),
        ("1", "membership.member_price_too_low"),
        ("0", "membership.member_price_not_positive"),
    ],
)
def test_a_member_price_is_at_most_the_price_and_at_least_half_of_it(price: str, code: str) -> None:
    async def play(uow: Any) -> None:
        terms = parse_options([f"TEA-SET-01={price}"], Terms(Money(100, "XTR")))
        with _refused(code) as refusal:
            await management.create_plan(uow, NOW, OPERATOR, "Cheap tea", None, terms)
        assert refusal.value.params["sku"] == "TEA-SET-01"
        if code.endswith("too_low"):
            assert refusal.value.params["percent"] == MIN_MEMBER_PRICE_PERCENT
            assert refusal.value.params["min"] == Money(125, "XTR").display()

    _run(play)


def test_a_member_price_in_another_currency_than_the_products_is_refused() -> None:
    async def play(uow: Any) -> None:
        terms = parse_options(["TEA-SET-01=2.00"], Terms(Money(500, "USD")))
        with _refused("membership.member_price_currency"):
            await management.create_plan(uow, NOW, OPERATOR, "Dollars", None, terms)

    _run(play)


def test_a_mistyped_option_is_refused_not_saved_as_a_member_price() -> None:
    async def play(uow: Any) -> None:
        name, terms = parse_new_plan(["100", "XTR", "Typo", "dicount=10"])
        for who, community in ((OPERATOR, None), (ADMIN_HERE, GROUP)):
            with _refused("membership.unknown_option") as refusal:
                await management.create_plan(uow, NOW, who, name, community, terms)
            assert refusal.value.params["option"] == "dicount"
            assert "discount" in str(refusal.value.params["options"])
        assert uow.plans.plans == {}

    _run(play)


def test_changing_terms_keeps_every_bound_and_the_owners_limits() -> None:
    async def play(uow: Any) -> None:
        community = await management.create_plan(uow, NOW, ADMIN_HERE, "Tea Club", GROUP, Terms(Money(100, "XTR")))
        with _refused("membership.community_product_perks"):
            terms = parse_options(["discount=10"], community.current.terms)
            await management.change_terms(uow, NOW, ADMIN_HERE, community.id, terms)
        celadon = await management.create_plan(
            uow, NOW, Actor(STAFF), "Celadon Circle", None, Terms(Money(100, "XTR")), uow.celadon.id
        )
        for words, code in (
            (["discount=60"], "membership.discount_invalid"),
            (["trial=45"], "membership.trial_invalid"),
            (["PRINT-WAVE-A3=300"], "membership.member_price_other_brand"),
            (["TEA-SET-01=100"], "membership.member_price_too_low"),
        ):
            with _refused(code):
                terms = parse_options(words, celadon.current.terms)
                await management.change_terms(uow, NOW, Actor(STAFF), celadon.id, terms)
        with _refused("membership.owner_fixed"):
            parse_options(["brand=City_Museum_Shop"], celadon.current.terms)
        assert (await uow.plans.get(celadon.id)).current.number == 1
        terms = parse_options(["discount=20", "TEA-SET-01=200"], celadon.current.terms)
        change = await management.change_terms(uow, NOW, Actor(STAFF), celadon.id, terms)
        assert change.version.number == 2
        withdrawn = parse_options(["TEA-SET-01=off"], change.version.terms)
        assert withdrawn.benefits.member_prices == () and withdrawn.benefits.discount_percent == 20

    _run(play)


@pytest.mark.parametrize(
    "word", ["trial=²", "discount=١٠", "days=３０", "early=6O", "points=１.５", "points=1.", "grace=-1"]
)
def test_numbers_are_plain_ascii_digits(word: str) -> None:
    with _refused("membership.bad_command"):
        parse_new_plan(["100", "XTR", "Club", word])


def test_a_brand_is_named_by_its_name_with_underscores_for_spaces_or_its_number() -> None:
    async def play(uow: Any) -> None:
        assert (await management.brand_named(uow, "City_Museum_Shop")).id == uow.museum.id
        assert (await management.brand_named(uow, str(uow.celadon.id))).id == uow.celadon.id
        with _refused("brand.unknown"):
            await management.brand_named(uow, "Nobody")

    _run(play)


# -- perks apply by owner --------------------------------------------------------------------------------


async def _member_of(uow: Any, user: int, plan_id: int) -> None:
    plan = await uow.plans.get(plan_id)
    amount = plan.current.terms.price
    await joining.record_payment(uow, NOW, charge(user, f"mb:{plan.current.id}", amount, f"ch{user}:{plan_id}"))


async def _stored(
    uow: Any, name: str, benefits: Benefits, community: int | None = None, brand: int | None = None
) -> int:
    """A plan as an older release could have stored it, past today's checks."""
    plan = await uow.plans.add(NewPlan(name, community, Terms(Money(100, "XTR"), benefits=benefits), NOW, brand))
    return int(plan.id)


def test_a_brand_plan_discounts_only_its_own_products_and_a_community_plan_none() -> None:
    async def play(uow: Any) -> None:
        tea, cup, wave, pin = (
            uow.catalog.products[s] for s in ("TEA-SET-01", "TEA-CUP-PAIR", "PRINT-WAVE-A3", "PIN-CRANE")
        )
        celadon = await management.create_plan(
            uow,
            NOW,
            Actor(STAFF),
            "Celadon Circle",
            None,
            Terms(Money(100, "XTR"), benefits=Benefits(20, (("TEA-SET-01", Money(150, "XTR")),), 200, 60)),
            uow.celadon.id,
        )
        await _member_of(uow, MEMBER, celadon.id)
        assert await perks.unit_price(uow, NOW, MEMBER, tea) == Money(150, "XTR")
        assert await perks.unit_price(uow, NOW, MEMBER, cup) == Money(72, "XTR")
        assert await perks.unit_price(uow, NOW, MEMBER, wave) == wave.price
        assert await perks.unit_price(uow, NOW, MEMBER, pin) == pin.price
        assert await perks.points_multiplier_percent(uow, NOW, MEMBER, {uow.celadon.id}) == 200
        assert await perks.points_multiplier_percent(uow, NOW, MEMBER, {uow.museum.id}) == 100
        assert await perks.points_multiplier_percent(uow, NOW, MEMBER, {uow.celadon.id, None}) == 100
        assert await perks.early_access_minutes(uow, NOW, MEMBER, uow.celadon.id) == 60
        assert await perks.early_access_minutes(uow, NOW, MEMBER, uow.museum.id) == 0
        advertised = await perks.advertised_price(uow, tea)
        assert advertised is not None and advertised.price == Money(150, "XTR")
        assert await perks.advertised_price(uow, wave) is None

        # A community plan stored with product perks before this release grants none of them.
        legacy = await _stored(
            uow, "Freebies", Benefits(99, (("PRINT-WAVE-A3", Money(1, "XTR")),), 1000, 10_000), GROUP
        )
        await _member_of(uow, MEMBER, legacy)
        assert await perks.unit_price(uow, NOW, MEMBER, wave) == wave.price
        assert await perks.points_multiplier_percent(uow, NOW, MEMBER, {uow.museum.id}) == 100
        assert await perks.early_access_minutes(uow, NOW, MEMBER, uow.museum.id) == 0
        assert await perks.advertised_price(uow, wave) is None

    _run(play)


def test_a_platform_plan_applies_to_every_product_within_the_bounds() -> None:
    async def play(uow: Any) -> None:
        wave, pin = uow.catalog.products["PRINT-WAVE-A3"], uow.catalog.products["PIN-CRANE"]
        platform = await management.create_plan(
            uow, NOW, OPERATOR, "Patrons", None, Terms(Money(100, "XTR"), benefits=Benefits(10, (), 150, 30))
        )
        await _member_of(uow, MEMBER, platform.id)
        assert await perks.unit_price(uow, NOW, MEMBER, wave) == Money(405, "XTR")
        assert await perks.unit_price(uow, NOW, MEMBER, pin) == Money(32, "XTR")
        assert await perks.points_multiplier_percent(uow, NOW, MEMBER, {uow.museum.id, None}) == 150
        assert await perks.early_access_minutes(uow, NOW, MEMBER, uow.museum.id) == 30

        # A platform plan stored past today's bounds gives no more than the bounds.
        legacy = await _stored(uow, "Old", Benefits(99, (("PIN-CRANE", Money(1, "XTR")),), 1000, 10_000))
        await _member_of(uow, MEMBER + 1, legacy)
        assert await perks.unit_price(uow, NOW, MEMBER + 1, wave) == Money(225, "XTR")  # 50 % off at most
        assert await perks.unit_price(uow, NOW, MEMBER + 1, pin) == Money(18, "XTR")  # half of 35, rounded up
        multiplier = await perks.points_multiplier_percent(uow, NOW, MEMBER + 1, {None})
        assert multiplier == MAX_MULTIPLIER_PERCENT
        assert await perks.early_access_minutes(uow, NOW, MEMBER + 1, None) == MAX_EARLY_ACCESS_MINUTES

    _run(play)


def test_perks_end_with_the_membership() -> None:
    async def play(uow: Any) -> None:
        tea = uow.catalog.products["TEA-SET-01"]
        terms = Terms(Money(100, "XTR"), period_days=30, grace_days=0, benefits=Benefits(discount_percent=20))
        plan = await management.create_plan(uow, NOW, OPERATOR, "Patrons", None, terms)
        await _member_of(uow, MEMBER, plan.id)
        later = NOW + timedelta(days=31)
        assert await perks.unit_price(uow, later, MEMBER, tea) == tea.price

    _run(play)
