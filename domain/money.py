"""Money as integer minor units with a currency code; prices are parsed exactly, never through float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.errors import DomainError, ErrorCode
from domain.numbers import is_decimal


class MoneyError(ErrorCode):
    """A price or a currency someone typed, or amounts that cannot be added: every feature reads money."""

    CURRENCY_UNKNOWN = "currency.unknown"
    CURRENCY_MISMATCH = "currency.mismatch"
    PRICE_INVALID = "price.invalid"
    PRICE_NEGATIVE = "price.negative"
    PRICE_TOO_PRECISE = "price.too_precise"


# Minor-unit exponents (ISO 4217, plus Telegram Stars). Unknown currencies are refused rather than guessed,
# because a wrong exponent silently multiplies or divides every price by 100.
CURRENCY_EXPONENTS: dict[str, int] = {
    "XTR": 0,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CNY": 2,
    "HKD": 2,
    "TWD": 2,
    "SGD": 2,
    "RUB": 2,
    "UAH": 2,
    "INR": 2,
    "BRL": 2,
    "CAD": 2,
    "AUD": 2,
    "CHF": 2,
    "KRW": 0,
    "JPY": 0,
    "VND": 0,
    "IDR": 2,
    "KWD": 3,
    "BHD": 3,
}

STARS = "XTR"  # Telegram Stars: digital goods and services, refunded by the bot itself

CURRENCY_SYMBOLS: dict[str, str] = {STARS: "⭐", "USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "JPY": "¥"}


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise DomainError(MoneyError.CURRENCY_UNKNOWN, currency=currency) from None


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        exponent(self.currency)

    def __mul__(self, n: int) -> Money:
        return Money(self.amount * n, self.currency)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise DomainError(MoneyError.CURRENCY_MISMATCH, left=self.currency, right=other.currency)
        return Money(self.amount + other.amount, self.currency)

    @property
    def is_stars(self) -> bool:
        """Paid in Telegram Stars: no payment provider, and the bot itself can refund it."""
        return self.currency == STARS

    def major_text(self) -> str:
        """The amount in major units as exact text: 250 XTR -> '250', 1999 USD -> '19.99'."""
        exp = exponent(self.currency)
        if exp == 0:
            return str(self.amount)
        return str((Decimal(self.amount) / (Decimal(10) ** exp)).quantize(Decimal(1).scaleb(-exp)))

    def display(self) -> str:
        symbol = CURRENCY_SYMBOLS.get(self.currency)
        if self.is_stars:
            return f"{self.major_text()} ⭐"
        if symbol:
            return f"{symbol}{self.major_text()}"
        return f"{self.major_text()} {self.currency}"


def parse_major(text: str | int | Decimal, currency: str) -> Money:
    """Parse a price given in major units ('2.50', '250') into Money, exactly.

    Rejects negative amounts, non-numbers and more decimals than the currency allows.
    """
    exp = exponent(currency)
    if isinstance(text, bool):
        raise DomainError(MoneyError.PRICE_INVALID, value=str(text))
    if isinstance(text, str):
        # Decimal() itself reads '١٢', '1_000' and '1e2': a price typed as text must be plain ASCII digits.
        stripped = text.strip()
        if stripped.startswith("-") and is_decimal(stripped[1:]):
            raise DomainError(MoneyError.PRICE_NEGATIVE, value=text)
        if not is_decimal(stripped):
            raise DomainError(MoneyError.PRICE_INVALID, value=text)
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise DomainError(MoneyError.PRICE_INVALID, value=str(text)) from None
    if not value.is_finite():
        raise DomainError(MoneyError.PRICE_INVALID, value=str(text))
    if value < 0:
        raise DomainError(MoneyError.PRICE_NEGATIVE, value=str(text))
    as_tuple = value.normalize().as_tuple()
    decimals = -as_tuple.exponent if isinstance(as_tuple.exponent, int) and as_tuple.exponent < 0 else 0
    if decimals > exp:
        raise DomainError(MoneyError.PRICE_TOO_PRECISE, value=str(text), currency=currency, decimals=exp)
    return Money(int(value.scaleb(exp)), currency)
