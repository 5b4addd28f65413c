"""What can go wrong managing brands and their staff."""

from __future__ import annotations

from domain.errors import ErrorCode


class BrandError(ErrorCode):
    OPERATOR_ONLY = "brand.operator_only"
    UNKNOWN = "brand.unknown"
    NOT_STAFF = "brand.not_staff"
    BAD_NAME = "brand.bad_name"
    EXISTS = "brand.exists"
    BAD_USER = "brand.bad_user"
