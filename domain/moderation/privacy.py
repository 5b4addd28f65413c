"""What moderation holds about a member: giveaway entries and wins (kept under the pseudonym: a drawn giveaway's
published record must still verify, and it only ever named the entry's own pseudonym), meetup answers and
check-ins (kept: places and attendance points add up; a waiting place is given up), the giveaways and meetups
an admin made (kept, the maker pseudonymised), and which admin last changed a group's settings (erased)."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised, erased

HOLDINGS = (
    anonymised(Topic.EVENTS, lambda uow: uow.giveaways),
    anonymised(Topic.EVENTS, lambda uow: uow.meetups),
    erased(Topic.ROLES, lambda uow: uow.community_settings),
)
