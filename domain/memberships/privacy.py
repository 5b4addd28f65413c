"""What memberships hold about a member: their memberships and what they paid, kept for accounting under a
pseudonym. A forgotten membership ends: its perks stop and no reminder or renewal notice follows."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised

HOLDINGS = (anonymised(Topic.MEMBERSHIPS, lambda uow: uow.memberships),)
