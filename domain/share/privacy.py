"""What the community's share holds about a member: commission offers they made as brand staff and
acceptances they gave as a group's moderator (kept for the accounts, the person pseudonymised)."""

from __future__ import annotations

from domain.privacy.holdings import Topic, anonymised

HOLDINGS = (anonymised(Topic.ROLES, lambda uow: uow.share),)
