"""What can go wrong with invite links."""

from __future__ import annotations

from domain.errors import ErrorCode


class ReferralError(ErrorCode):
    NO_CODE = "referral.no_code"
