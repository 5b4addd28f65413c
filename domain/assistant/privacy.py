"""What the assistant holds about a member: their daily usage, the requests it handed over to the shop's
people, and their messages kept for a group's digest (all erased; a digest they received is switched off
until an admin turns it on again)."""

from __future__ import annotations

from domain.privacy.holdings import Topic, erased

HOLDINGS = (
    erased(Topic.ASSISTANT, lambda uow: uow.assistant_usage),
    erased(Topic.ASSISTANT, lambda uow: uow.handovers),
    erased(Topic.ASSISTANT, lambda uow: uow.digests),
)
