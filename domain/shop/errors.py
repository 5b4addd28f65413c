"""What can go wrong in the shop: an order and its invoice, a product, the payment's currency, a refund."""

from __future__ import annotations

from domain.errors import ErrorCode


class ShopError(ErrorCode):
    # An order's invoice; these also travel as the reason a payment is refunded (stored, so never renamed).
    ORDER_UNKNOWN = "order.unknown"
    ORDER_NOT_YOURS = "order.not_yours"
    ORDER_ALREADY_PAID = "order.already_paid"
    ORDER_CLOSED = "order.closed"
    ORDER_REFUNDED = "order.refunded"
    ORDER_AMOUNT_MISMATCH = "order.amount_mismatch"
    ORDER_BAD_QUANTITY = "order.bad_quantity"
    PRODUCT_NOT_FOUND = "product.not_found"
    PRODUCT_SOLD_OUT = "product.sold_out"
    PRODUCT_PRICE_CHANGED = "product.price_changed"
    PRODUCT_IN_DROP = "product.in_drop"
    CURRENCY_UNAVAILABLE = "payment.currency_unavailable"
    # A digital product: a paid order its pool of codes cannot serve (also a stored refund reason).
    DIGITAL_OUT_OF_CODES = "digital.out_of_codes"
    # Uploading and counting a pool of codes (brand staff in the private chat, the operator in the CLI).
    CODES_UNKNOWN_PRODUCT = "codes.unknown_product"
    CODES_NOT_A_POOL = "codes.not_a_pool"
    CODES_NOT_ALLOWED = "codes.not_allowed"
    CODES_INVALID = "codes.invalid"
    # Sending a digital order's content again from /orders.
    RESEND_NOT_YOURS = "resend.not_yours"
    RESEND_NOTHING = "resend.nothing"
    RESEND_NOT_PAID = "resend.not_paid"
    # A physical product's shipping, answered in Telegram's payment form.
    SHIPPING_COUNTRY_UNAVAILABLE = "shipping.country_unavailable"
    # An operator refunding an order with /refund.
    REFUND_NOT_ALLOWED = "refund.not_allowed"
    REFUND_UNKNOWN_ORDER = "refund.unknown_order"
    REFUND_ALREADY_DONE = "refund.already"
    REFUND_NOT_PAID = "refund.not_paid"


class FulfilmentError(ErrorCode):
    """Shipping a physical order, sending it back, and the brand console's CSV files."""

    NO_SUCH_ORDER = "fulfilment.no_such_order"  # also when the order is another brand's: nothing is revealed
    WRONG_STATE = "fulfilment.wrong_state"
    NOT_SHIPPABLE = "fulfilment.not_shippable"
    PREORDER_COLLECTING = "fulfilment.preorder_collecting"  # its pre-order may still miss its minimum
    BAD_TRACKING = "fulfilment.bad_tracking"
    BAD_CARRIER = "fulfilment.bad_carrier"
    BAD_REASON = "fulfilment.bad_reason"
    FINAL_SALE = "return.final_sale"
    WINDOW_CLOSED = "return.window_closed"
    NOT_RETURNABLE = "return.not_returnable"
    NOTHING_PAID = "return.nothing_paid"  # a free order (a membership's box): no money to return
    CSV_EMPTY = "fulfilment.csv_empty"
    CSV_BAD_LINE = "fulfilment.csv_bad_line"
    CSV_DUPLICATE = "fulfilment.csv_duplicate"
    CSV_TOO_BIG = "fulfilment.csv_too_big"
