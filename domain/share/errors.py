"""What can go wrong with commission offers and settlements."""

from __future__ import annotations

from domain.errors import ErrorCode


class ShareError(ErrorCode):
    BAD_RATE = "share.bad_rate"
    NO_OFFER = "share.no_offer"
    GROUP_ONLY = "share.group_only"
    BRAND_NOT_ALLOWED = "share.brand_not_allowed"
    NAME_BRAND = "share.name_brand"
