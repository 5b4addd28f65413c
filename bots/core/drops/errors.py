"""What can go wrong in the brand menu and the drop dialogs, beyond the domain's drop rules."""

from __future__ import annotations

from domain.errors import ErrorCode


class DropCommandError(ErrorCode):
    UNKNOWN_FIELD = "drop.unknown_field"
    NO_BRANDS = "brand.no_brands"
