"""What group buys hold about a member: the groups they started or joined (with their name), kept under a
pseudonym with the name erased."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised

HOLDINGS = (anonymised(Topic.GROUP_BUYS, lambda uow: uow.group_buys),)
