"""What can go wrong in the membership commands, beyond the domain's membership rules."""

from __future__ import annotations

from domain.errors import ErrorCode


class MembershipCommandError(ErrorCode):
    GROUP_NEEDED = "membership.group_needed"
