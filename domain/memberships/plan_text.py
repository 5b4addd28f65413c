"""Plan terms from words, as owners type them (`/plan add` and the command line share this)."""

from __future__ import annotations

import re

from domain.errors import DomainError
from domain.memberships.errors import MembershipError
from domain.memberships.plans import DEFAULT_GRACE_DAYS, Benefits, Terms
from domain.money import STARS, Money, parse_major
from domain.numbers import whole_number

OPTIONS = ("days", "trial", "grace", "discount", "points", "early", "box")
OWNER_OPTION = "brand"  # `brand=NAME` on `/plan add`: whose plan it is, not one of its terms
PLAN_DIGITS = 9
_MULTIPLIER = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?")


def _int(key: str, value: str) -> int:
    number = whole_number(value, max_digits=PLAN_DIGITS) if value == value.strip() else None
    if number is None:
        raise DomainError(MembershipError.BAD_COMMAND, detail=f"{key}={value}")
    return number


def number(text: str) -> int | None:
    """A plan or chat number as typed ('12', '#12'), in ASCII digits; None otherwise."""
    digits = text.removeprefix("#")
    return whole_number(digits, max_digits=PLAN_DIGITS) if digits == digits.strip() else None


def multiplier_percent(text: str) -> int:
    """'1.5' -> 150, exactly (no float); at most two decimals, ASCII digits only."""
    if _MULTIPLIER.fullmatch(text) is None:
        raise DomainError(MembershipError.BAD_COMMAND, detail=f"points={text}")
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int(cents.ljust(2, "0"))


def parse_options(words: list[str], base: Terms) -> Terms:
    """key=value words over `base`. A key that is not an option names a product (SKU=PRICE, a member
    price; SKU=off withdraws it). Whether that product exists, and may get one from this plan, is
    `management.check_perks`'s question: this function needs no catalog."""
    values = {"days": base.period_days, "trial": base.trial_days, "grace": base.grace_days}
    benefits = base.benefits
    discount, points, early = (
        benefits.discount_percent,
        benefits.points_multiplier_percent,
        benefits.early_access_minutes,
    )
    prices = dict(benefits.member_prices)
    box = benefits.box_sku
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key or not value:
            raise DomainError(MembershipError.BAD_COMMAND, detail=word)
        lowered = key.lower()
        if lowered in ("days", "trial", "grace"):
            values[lowered] = _int(lowered, value)
        elif lowered == "discount":
            discount = _int(lowered, value.removesuffix("%"))
        elif lowered == "points":
            points = multiplier_percent(value.removeprefix("x").removeprefix("×"))
        elif lowered == "early":
            early = _int(lowered, value)
        elif lowered == "box":
            box = None if value.lower() == "off" else value  # box=SKU, box=off withdraws it
        elif lowered == OWNER_OPTION:
            raise DomainError(MembershipError.OWNER_FIXED)
        elif value.lower() == "off":
            prices.pop(key, None)  # SKU=off withdraws that product's member price
        else:
            prices[key] = _member_price(word, value, base.price.currency)
    return Terms(
        price=base.price,
        period_days=values["days"],
        trial_days=values["trial"],
        grace_days=values["grace"],
        benefits=Benefits(discount, tuple(sorted(prices.items())), points, early, box),
    )


def _member_price(word: str, value: str, currency: str) -> Money:
    try:
        return parse_major(value, currency)
    except DomainError:
        raise DomainError(MembershipError.BAD_COMMAND, detail=word) from None


def take_owner(words: list[str]) -> tuple[str | None, list[str]]:
    """Split `brand=NAME_OR_ID` off the words of `/plan add` (an underscore in the name stands for a space)."""
    owner: str | None = None
    rest = []
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key.lower() == OWNER_OPTION:
            if owner is not None or not value:
                raise DomainError(MembershipError.BAD_COMMAND, detail=word)
            owner = value
        else:
            rest.append(word)
    return owner, rest


def parse_new_plan(words: list[str]) -> tuple[str, Terms]:
    """PRICE CURRENCY NAME WORDS... [key=value ...] -> (name, terms)."""
    if len(words) < 3:
        raise DomainError(MembershipError.BAD_COMMAND, detail=" ".join(words))
    price_text, currency = words[0], words[1].upper()
    price = parse_major(price_text, currency)
    name = " ".join(w for w in words[2:] if "=" not in w)
    options = [w for w in words[2:] if "=" in w]
    base = Terms(price=price, period_days=30, grace_days=DEFAULT_GRACE_DAYS)
    return name, parse_options(options, base)


def parse_price(text: str, currency: str) -> Money:
    return parse_major(text, currency if currency else STARS)
