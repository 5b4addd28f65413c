"""What votes hold about a member: their ballots, pre-order lines and the votes they proposed (kept under a
pseudonym, so each vote's counts and each pre-order's accounts stay right)."""

from domain.privacy.holdings import Topic, anonymised

HOLDINGS = (anonymised(Topic.VOTES, lambda uow: uow.votes),)
