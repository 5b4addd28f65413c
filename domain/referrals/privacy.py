"""What referrals hold about a member: their invite code and who brought whom. The graph is erased; a points
entry that named a referee names the pseudonym instead."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised

HOLDINGS = (anonymised(Topic.REFERRALS, lambda uow: uow.referrals, kept=False),)
