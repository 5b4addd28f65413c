"""What the points ledger holds about a member: an append-only ledger, kept whole under a pseudonym."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised

HOLDINGS = (anonymised(Topic.POINTS, lambda uow: uow.points),)
