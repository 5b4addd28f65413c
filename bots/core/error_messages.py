"""Domain error codes in the member's words. A code with no entry gets the generic apology."""

from __future__ import annotations

from bots.core.i18n import N_

MESSAGES: dict[str, str] = {
    "product.not_found": N_("That product is no longer available. Send /shop to see what is."),
    "product.sold_out": N_("Sorry, {title} is sold out."),
    "product.price_changed": N_("The price of {title} has changed to {price}. Press Buy again to pay the new price."),
    "order.unknown": N_("This invoice is not valid any more. Press Buy on the product again."),
    "order.not_yours": N_("This invoice belongs to another member. Press Buy on the product to get your own."),
    "order.already_paid": N_("This order is already paid. See /orders."),
    "order.closed": N_("This invoice has expired. Press Buy on the product again."),
    "order.refunded": N_("This order was refunded, so its invoice cannot be paid again. Press Buy for a new one."),
    "product.in_drop": N_(
        "{title} is in a limited drop right now: it is sold only through the drop, at the drop price. "
        "Press Buy again for the drop's invoice."
    ),
    "order.amount_mismatch": N_("The amount does not match the invoice. Press Buy on the product again."),
    "order.bad_quantity": N_("You can buy between 1 and {max} units at a time."),
    "payment.currency_unavailable": N_("This product is priced in {currency}, which this shop cannot accept yet."),
    "language.unsupported": N_("That language is not available."),
    "member.unknown": N_("Please send /start first."),
    # Money rules (domain/money.py) are shared by every feature that reads a price or a currency typed by
    # someone: drops, membership plans, group prices. So their texts live here, not in one feature's table.
    "currency.unknown": N_("{currency} is not a currency this shop knows. Use a code such as USD, or XTR for Stars."),
    "currency.mismatch": N_("Amounts in {left} and {right} cannot be added together."),
    "price.invalid": N_("“{value}” is not a price. Write a number, for example 250 or 2.50."),
    "price.negative": N_("A price cannot be below zero."),
    "price.too_precise": N_("“{value}” has too many decimals: {currency} prices have at most {decimals}."),
}

GENERIC = N_("Something went wrong on our side. Please try again in a moment.")


def message_for(code: str) -> str:
    return MESSAGES.get(code, GENERIC)
