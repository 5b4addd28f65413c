"""Shipping physical goods: which countries the shop ships to, at what price, and when it is free.

Telegram asks the bot for shipping options (`shipping_query`) when a member enters an address in the payment
form of a flexible invoice, and waits about 10 seconds for the answer. The answer is computed here from the
rules alone, without the database, so it is fast and the same on every worker.

The rules are text, e.g. ``DE FR NL=4.90; GB=7.50; US CA=12.00`` (countries are ISO 3166-1 alpha-2 codes, a
zone's price is in the order's currency's major unit) and a free-shipping threshold such as ``60`` (an order
of at least that much ships free). A country in no zone is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.errors import DomainError
from domain.money import Money, parse_major
from domain.shop.errors import ShopError

_COUNTRY_RE = re.compile(r"[A-Z]{2}")
_AMOUNT_RE = re.compile(r"[0-9]+(\.[0-9]+)?")


class ShippingRulesError(ValueError):
    """The shipping rules' text is malformed; the message says where."""


@dataclass(frozen=True, slots=True)
class Zone:
    countries: frozenset[str]
    price: Decimal  # in the order currency's major unit


@dataclass(frozen=True, slots=True)
class ShippingOption:
    id: str  # 1-64 bytes, sent back in the pre-checkout query and the payment
    title: str
    price: Money


@dataclass(frozen=True, slots=True)
class ShippingRules:
    zones: tuple[Zone, ...] = ()
    free_over: Decimal | None = None  # an order of at least this much (major units) ships free

    @property
    def countries(self) -> frozenset[str]:
        return frozenset().union(*(zone.countries for zone in self.zones))

    def zone_of(self, country: str) -> Zone | None:
        code = country.strip().upper()
        return next((zone for zone in self.zones if code in zone.countries), None)


def parse_rules(zones_text: str, free_over_text: str = "") -> ShippingRules:
    """Read ``DE FR=4.90; US=12`` and an optional threshold; ShippingRulesError says what is wrong."""
    zones: list[Zone] = []
    seen: set[str] = set()
    for part in (p.strip() for p in zones_text.split(";")):
        if not part:
            continue
        countries_text, equals, price_text = part.partition("=")
        price_text = price_text.strip()
        if not equals or not _AMOUNT_RE.fullmatch(price_text):
            raise ShippingRulesError(f"shipping zone {part!r} must look like 'DE FR NL=4.90'")
        countries = countries_text.replace(",", " ").upper().split()
        if not countries:
            raise ShippingRulesError(f"shipping zone {part!r} names no country")
        for code in countries:
            if not _COUNTRY_RE.fullmatch(code):
                raise ShippingRulesError(f"{code!r} in {part!r} is not a two-letter country code like DE")
            if code in seen:
                raise ShippingRulesError(f"country {code} is in two shipping zones")
            seen.add(code)
        zones.append(Zone(frozenset(countries), Decimal(price_text)))
    free_over: Decimal | None = None
    if free_over_text.strip():
        if not _AMOUNT_RE.fullmatch(free_over_text.strip()):
            raise ShippingRulesError(f"free shipping threshold {free_over_text!r} must be a number like 60")
        free_over = Decimal(free_over_text.strip())
    return ShippingRules(tuple(zones), free_over)


def options(rules: ShippingRules, country: str, subtotal: Money) -> tuple[ShippingOption, ...]:
    """The shipping options for an order of `subtotal` to `country`; DomainError when it is not shipped there."""
    zone = rules.zone_of(country)
    if zone is None:
        raise DomainError(ShopError.SHIPPING_COUNTRY_UNAVAILABLE, country=country.strip().upper()[:2])
    code = country.strip().upper()
    try:
        price = parse_major(zone.price, subtotal.currency)
        threshold = parse_major(rules.free_over, subtotal.currency) if rules.free_over is not None else None
    except (DomainError, InvalidOperation):
        raise DomainError(ShopError.SHIPPING_COUNTRY_UNAVAILABLE, country=code) from None
    if threshold is not None and subtotal.amount >= threshold.amount:
        return (ShippingOption(f"free-{code}", "Free shipping", Money(0, subtotal.currency)),)
    return (ShippingOption(f"std-{code}", "Standard shipping", price),)


def option_price(rules: ShippingRules, option_id: str, country: str, subtotal: Money) -> Money | None:
    """What a chosen option costs for this order now, or None when it is not one the rules offer."""
    try:
        offered = options(rules, country, subtotal)
    except DomainError:
        return None
    return next((option.price for option in offered if option.id == option_id), None)
