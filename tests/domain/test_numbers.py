"""Numbers are read from ASCII digits only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.numbers import is_decimal, whole_number


@pytest.mark.parametrize("text", ["²", "١٢", "１２", "12²", "1_000", "+5", " ", "", "1.0", "0x10", "1e3", "--1", "٣"])
def test_anything_but_ascii_digits_is_not_a_number(text: str) -> None:
    assert whole_number(text) is None
    assert whole_number(text, signed=True) is None


def test_ascii_digits_are_read() -> None:
    assert whole_number(" 42 ") == 42
    assert whole_number("007") == 7
    assert whole_number("-5") is None
    assert whole_number("-5", signed=True) == -5
    assert whole_number("9" * 18) == int("9" * 18)
    assert whole_number("9" * 19) is None
    assert whole_number("123", max_digits=2) is None


@given(st.text(max_size=8))
def test_whole_number_agrees_with_a_plain_ascii_reading(text: str) -> None:
    stripped = text.strip()
    expected = int(stripped) if stripped and all(c in "0123456789" for c in stripped) else None
    assert whole_number(text) == expected


def test_prices_are_ascii_decimals() -> None:
    assert is_decimal("2.50") and is_decimal("250")
    assert not any(is_decimal(t) for t in ("²", "١٢", "1_0", "1e2", ".5", "5.", "NaN", "-1", "Infinity"))


@pytest.mark.parametrize("text", ["١٢", "1_000", "1e2", "²", "NaN"])
def test_a_price_in_other_digits_or_notations_is_refused(text: str) -> None:
    from domain.errors import DomainError
    from domain.money import parse_major

    with pytest.raises(DomainError) as refused:
        parse_major(text, "XTR")
    assert refused.value.code == "price.invalid"
    assert parse_major(" 2.50 ", "USD").amount == 250
    with pytest.raises(DomainError, match=r"price\.negative"):
        parse_major("-1", "XTR")
