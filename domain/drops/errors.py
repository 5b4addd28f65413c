"""What can go wrong with a drop: buying or entering it, and a brand scheduling or editing it."""

from __future__ import annotations

from domain.errors import ErrorCode


class DropError(ErrorCode):
    # A member buying, entering or asking to be reminded.
    UNKNOWN = "drop.unknown"
    ENDED = "drop.ended"
    CANCELLED = "drop.cancelled"
    NOT_OPEN = "drop.not_open"
    ALREADY_OPEN = "drop.already_open"
    SOLD_OUT = "drop.sold_out"
    LIMIT_REACHED = "drop.limit_reached"
    RAFFLE_ONLY = "drop.raffle_only"
    NOT_A_RAFFLE = "drop.not_a_raffle"
    NOT_A_WINNER = "drop.not_a_winner"
    OFFER_EXPIRED = "drop.offer_expired"
    START_BOT_FIRST = "drop.start_bot_first"
    # Brand staff scheduling or editing one.
    NOT_EDITABLE = "drop.not_editable"
    STARTS_IN_PAST = "drop.starts_in_past"
    BAD_QUANTITY = "drop.bad_quantity"
    BAD_PRICE = "drop.bad_price"
    BAD_LIMIT = "drop.bad_limit"
    BAD_EARLY_ACCESS = "drop.bad_early_access"
    BAD_TIME = "drop.bad_time"
    BAD_DURATION = "drop.bad_duration"
    BAD_CURRENCY = "drop.bad_currency"
    PHYSICAL_IN_STARS = "drop.physical_in_stars"
    NOT_BRAND_PRODUCT = "drop.not_brand_product"
    COMMUNITY_NOT_OPTED_IN = "drop.community_not_opted_in"
    NOT_ENOUGH_STOCK = "drop.not_enough_stock"
