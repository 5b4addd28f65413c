"""What can go wrong with a member's data rights."""

from __future__ import annotations

from domain.errors import ErrorCode


class PrivacyError(ErrorCode):
    NOT_YOURS = "privacy.not_yours"  # someone asked for another member's data
    CONFIRMATION_STALE = "privacy.confirmation_stale"  # a forged, old or already used confirmation
    MONEY_IN_FLIGHT = "privacy.money_in_flight"  # a refund owed or a group-buy seat not settled yet
