"""Plan terms from words, as owners type them (`/plan add` and the command line share this)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from domain.errors import DomainError
from domain.memberships.plans import DEFAULT_GRACE_DAYS, STARS, Benefits, Terms
from domain.money import Money, parse_major

OPTIONS = ("days", "trial", "grace", "discount", "points", "early")


def _int(key: str, value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise DomainError("membership.bad_command", detail=f"{key}={value}")
    return int(value)


def multiplier_percent(text: str) -> int:
    """'1.5' -> 150, exactly (no float)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DomainError("membership.bad_command", detail=f"points={text}") from None
    percent = value * 100
    if not value.is_finite() or percent != percent.to_integral_value():
        raise DomainError("membership.bad_command", detail=f"points={text}")
    return int(percent)


def parse_options(words: list[str], base: Terms) -> Terms:
    """key=value words over `base`; a key that is not an option is a SKU with its member price."""
    values = {"days": base.period_days, "trial": base.trial_days, "grace": base.grace_days}
    benefits = base.benefits
    discount, points, early = (
        benefits.discount_percent,
        benefits.points_multiplier_percent,
        benefits.early_access_minutes,
    )
    prices = dict(benefits.member_prices)
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key or not value:
            raise DomainError("membership.bad_command", detail=word)
        lowered = key.lower()
        if lowered in ("days", "trial", "grace"):
            values[lowered] = _int(lowered, value)
        elif lowered == "discount":
            discount = _int(lowered, value.rstrip("%"))
        elif lowered == "points":
            points = multiplier_percent(value.lstrip("x×"))
        elif lowered == "early":
            early = _int(lowered, value)
        else:
            prices[key] = parse_major(value, base.price.currency)
    return Terms(
        price=base.price,
        period_days=values["days"],
        trial_days=values["trial"],
        grace_days=values["grace"],
        benefits=Benefits(discount, tuple(sorted(prices.items())), points, early),
    )


def parse_new_plan(words: list[str]) -> tuple[str, Terms]:
    """PRICE CURRENCY NAME WORDS... [key=value ...] -> (name, terms)."""
    if len(words) < 3:
        raise DomainError("membership.bad_command", detail=" ".join(words))
    price_text, currency = words[0], words[1].upper()
    price = parse_major(price_text, currency)
    name = " ".join(w for w in words[2:] if "=" not in w)
    options = [w for w in words[2:] if "=" in w]
    base = Terms(price=price, period_days=30, grace_days=DEFAULT_GRACE_DAYS)
    return name, parse_options(options, base)


def parse_price(text: str, currency: str) -> Money:
    return parse_major(text, currency if currency else STARS)
