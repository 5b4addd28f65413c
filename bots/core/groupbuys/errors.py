"""What can go wrong in the group-buy commands, beyond the domain's group-buy rules."""

from __future__ import annotations

from domain.errors import ErrorCode


class GroupBuyCommandError(ErrorCode):
    USAGE = "groupbuy.usage"
