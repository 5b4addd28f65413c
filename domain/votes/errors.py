"""What can go wrong with a co-creation vote or its pre-order."""

from __future__ import annotations

from domain.errors import ErrorCode


class VoteError(ErrorCode):
    # Proposing a vote (brand staff, a moderator with the brand's consent, the operator).
    USAGE = "vote.usage"
    NOT_ALLOWED = "vote.not_allowed"
    NO_CONSENT = "vote.no_consent"
    UNKNOWN_COMMUNITY = "vote.unknown_community"
    OPTION_COUNT = "vote.option_count"
    BAD_OPTION = "vote.bad_option"
    BAD_TERMS = "vote.bad_terms"
    BAD_TIMES = "vote.bad_times"
    WRONG_CURRENCY = "vote.wrong_currency"
    # A member pre-ordering the winner.
    UNKNOWN = "vote.unknown"
    NOT_CLOSED = "vote.not_closed"
    PREORDER_CLOSED = "vote.preorder_closed"
    SUPPORTERS_FIRST = "vote.supporters_first"
    ALREADY_ORDERED = "vote.already_ordered"
