"""What can go wrong with a group buy: starting or joining one, and an operator setting a group price."""

from __future__ import annotations

from domain.errors import ErrorCode


class GroupBuyError(ErrorCode):
    # A member starting or joining; FULL and CLOSED also travel as a refunded payment's reason.
    UNKNOWN = "groupbuy.unknown"
    NO_OFFER = "groupbuy.no_offer"
    FULL = "groupbuy.full"
    CLOSED = "groupbuy.closed"
    NOT_STARTED = "groupbuy.not_started"
    ALREADY_JOINED = "groupbuy.already_joined"
    # An operator setting a product's group price.
    NOT_ALLOWED = "groupbuy.not_allowed"
    UNKNOWN_PRODUCT = "groupbuy.unknown_product"
    BAD_PRICE = "groupbuy.bad_price"
    BAD_PRICE_TEXT = "groupbuy.bad_price_text"
    PRICE_NOT_LOWER = "groupbuy.price_not_lower"
    BAD_SIZE = "groupbuy.bad_size"
    BAD_HOURS = "groupbuy.bad_hours"
    PHYSICAL_IN_STARS = "groupbuy.physical_in_stars"
