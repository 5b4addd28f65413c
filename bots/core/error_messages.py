"""Domain error codes in the member's words. A code with no entry gets the generic apology."""

from __future__ import annotations

from bots.core.i18n import N_
from domain.errors import ErrorCode
from domain.members import MemberError
from domain.money import MoneyError
from domain.shop.errors import ShopError

MESSAGES: dict[ErrorCode, str] = {
    ShopError.PRODUCT_NOT_FOUND: N_("That product is no longer available. Send /shop to see what is."),
    ShopError.PRODUCT_SOLD_OUT: N_("Sorry, {title} is sold out."),
    ShopError.PRODUCT_PRICE_CHANGED: N_(
        "The price of {title} has changed to {price}. Press Buy again to pay the new price."
    ),
    ShopError.ORDER_UNKNOWN: N_("This invoice is not valid any more. Press Buy on the product again."),
    ShopError.ORDER_NOT_YOURS: N_("This invoice belongs to another member. Press Buy on the product to get your own."),
    ShopError.ORDER_ALREADY_PAID: N_("This order is already paid. See /orders."),
    ShopError.ORDER_CLOSED: N_("This invoice has expired. Press Buy on the product again."),
    ShopError.ORDER_REFUNDED: N_(
        "This order was refunded, so its invoice cannot be paid again. Press Buy for a new one."
    ),
    ShopError.PRODUCT_IN_DROP: N_(
        "{title} is in a limited drop right now: it is sold only through the drop, at the drop price. "
        "Press Buy again for the drop's invoice."
    ),
    ShopError.ORDER_AMOUNT_MISMATCH: N_("The amount does not match the invoice. Press Buy on the product again."),
    ShopError.ORDER_BAD_QUANTITY: N_("You can buy between 1 and {max} units at a time."),
    ShopError.CURRENCY_UNAVAILABLE: N_("This product is priced in {currency}, which this shop cannot accept yet."),
    ShopError.SHIPPING_COUNTRY_UNAVAILABLE: N_(
        "Sorry, this shop does not ship to {country}. Choose an address in a country it ships to."
    ),
    MemberError.LANGUAGE_UNSUPPORTED: N_("That language is not available."),
    MemberError.UNKNOWN: N_("Please send /start first."),
    # Money rules (domain/money.py) are shared by every feature that reads a price or a currency typed by
    # someone: drops, membership plans, group prices. So their texts live here, not in one feature's table.
    MoneyError.CURRENCY_UNKNOWN: N_(
        "{currency} is not a currency this shop knows. Use a code such as USD, or XTR for Stars."
    ),
    MoneyError.CURRENCY_MISMATCH: N_("Amounts in {left} and {right} cannot be added together."),
    MoneyError.PRICE_INVALID: N_("“{value}” is not a price. Write a number, for example 250 or 2.50."),
    MoneyError.PRICE_NEGATIVE: N_("A price cannot be below zero."),
    MoneyError.PRICE_TOO_PRECISE: N_("“{value}” has too many decimals: {currency} prices have at most {decimals}."),
}

GENERIC = N_("Something went wrong on our side. Please try again in a moment.")


# By value, as a stored refund reason or a notice carries the code.
_BY_VALUE = {code.value: text for code, text in MESSAGES.items()}


def message_for(code: str) -> str:
    """The text of an ErrorCode, or of its value read back from storage."""
    return _BY_VALUE.get(code, GENERIC)
