"""Shipping rules: zones by country, free over a threshold, a refusal elsewhere (domain/shop/shipping.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import DomainError
from domain.money import Money
from domain.shop.errors import ShopError
from domain.shop.shipping import ShippingRulesError, option_price, options, parse_rules

RULES = parse_rules("DE FR NL=4.90; us, ca=14", "60")


def test_rules_read_zones_and_the_free_shipping_threshold() -> None:
    assert RULES.countries == {"DE", "FR", "NL", "US", "CA"}
    assert RULES.free_over == Decimal("60")
    assert parse_rules("", "").zones == ()


@pytest.mark.parametrize("zones", ["DE", "DE=", "DE=-1", "DEU=4", "=4", "DE=4; DE=5", "DE=4.9.1", "DE=١"])
def test_malformed_rules_say_what_is_wrong(zones: str) -> None:
    with pytest.raises(ShippingRulesError):
        parse_rules(zones)


def test_a_country_in_a_zone_gets_its_price_in_the_orders_currency() -> None:
    (option,) = options(RULES, "de", Money(2200, "EUR"))
    assert (option.id, option.price) == ("std-DE", Money(490, "EUR"))
    (option,) = options(RULES, "US", Money(50, "JPY"))  # zero-decimal currency: 14 yen (under 60 yen)
    assert option.price == Money(14, "JPY")


def test_an_order_at_or_over_the_threshold_ships_free() -> None:
    (option,) = options(RULES, "US", Money(6000, "EUR"))
    assert (option.id, option.price) == ("free-US", Money(0, "EUR"))


def test_a_country_in_no_zone_is_refused_with_its_code() -> None:
    with pytest.raises(DomainError) as refused:
        options(RULES, "BR", Money(2200, "EUR"))
    assert refused.value.code is ShopError.SHIPPING_COUNTRY_UNAVAILABLE
    assert refused.value.params["country"] == "BR"


def test_a_price_too_precise_for_the_currency_is_refused_rather_than_rounded() -> None:
    with pytest.raises(DomainError):
        options(RULES, "DE", Money(50, "JPY"))  # 4.90 yen does not exist


def test_the_chosen_option_is_priced_from_the_rules_never_from_the_client() -> None:
    assert option_price(RULES, "std-DE", "DE", Money(2200, "EUR")) == Money(490, "EUR")
    assert option_price(RULES, "free-DE", "DE", Money(2200, "EUR")) is None  # not free under the threshold
    assert option_price(RULES, "std-DE", "BR", Money(2200, "EUR")) is None
