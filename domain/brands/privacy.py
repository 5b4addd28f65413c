"""What brands hold about a member: being a brand's staff (erased) and a group's decisions about a brand
they made as its moderator (kept, the decider pseudonymised)."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised, erased

HOLDINGS = (
    erased(Topic.ROLES, lambda uow: uow.brand_staff),
    anonymised(Topic.ROLES, lambda uow: uow.brand_optins),
)
