"""What can go wrong in the operators' refund commands, beyond the domain's refund rules."""

from __future__ import annotations

from domain.errors import ErrorCode


class RefundCommandError(ErrorCode):
    USAGE = "refund.usage"
    DONE_USAGE = "refund.done_usage"
    NOT_OWED = "refund.not_owed"
