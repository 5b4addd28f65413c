"""Numbers typed by people or forged by clients, read from ASCII digits only.

`str.isdigit()` and `int()` accept far more than 0-9: `'²'.isdigit()` is True, and `int('١٢')` is 12 (Arabic-Indic
digits), as is a regex's `\\d`. Everything circlecart reads as a number from text goes through here.
"""

from __future__ import annotations

import re

MAX_DIGITS = 18  # fits a signed 64-bit column with room to spare
_WHOLE = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def whole_number(text: str, *, signed: bool = False, max_digits: int = MAX_DIGITS) -> int | None:
    """`text` (surrounding spaces ignored) as an int if it is ASCII digits only, with a leading '-' when
    `signed`, and at most `max_digits` digits; None otherwise."""
    cleaned = text.strip()
    if _WHOLE.fullmatch(cleaned) is None:
        return None
    digits = cleaned.removeprefix("-")
    if (cleaned.startswith("-") and not signed) or len(digits) > max_digits:
        return None
    return int(cleaned)


def is_decimal(text: str) -> bool:
    """ASCII digits with an optional fractional part ('2', '2.50'): the only shape a price may have."""
    return _DECIMAL.fullmatch(text) is not None
