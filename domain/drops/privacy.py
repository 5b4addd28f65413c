"""What drops hold about a member: claims and per-member counters (kept under a pseudonym), raffle entries
(kept: a published draw must still add up; the published pseudonym never named them), reminders (erased),
and the drops a brand's staff member made (kept, the maker pseudonymised)."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised

HOLDINGS = (
    anonymised(Topic.DROPS, lambda uow: uow.drops),
    anonymised(Topic.DROPS, lambda uow: uow.drop_claims),
    anonymised(Topic.DROPS, lambda uow: uow.drop_fans),
)
