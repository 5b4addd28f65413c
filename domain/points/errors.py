"""What can go wrong spending points."""

from __future__ import annotations

from domain.errors import ErrorCode


class PointsError(ErrorCode):
    NOT_ENOUGH = "points.not_enough"
    BAD_AMOUNT = "points.bad_amount"
    NO_OFFER = "points.no_offer"
    NO_LONGER_ENOUGH = "points.no_longer_enough"
