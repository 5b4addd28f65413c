"""The bot joining and leaving group chats."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.communities import Community, CommunityError
from domain.errors import DomainError
from domain.ports import UnitOfWork


async def register_community(uow: UnitOfWork, now: datetime, chat_id: int, title: str) -> Community:
    existing = await uow.communities.get(chat_id)
    if existing is None:
        community = Community(chat_id=chat_id, title=title, active=True, joined_at=now)
    else:
        community = replace(existing, title=title, active=True, left_at=None)
    await uow.communities.save(community)
    return community


async def active_community(uow: UnitOfWork, chat_id: int) -> Community:
    """The group as a community the bot is in now; CommunityError.UNKNOWN when it is not."""
    community = await uow.communities.get(chat_id)
    if community is None or not community.active:
        raise DomainError(CommunityError.UNKNOWN)
    return community


async def deactivate_community(uow: UnitOfWork, now: datetime, chat_id: int) -> Community | None:
    """Orders keep pointing at the community, so it is marked inactive rather than deleted."""
    existing = await uow.communities.get(chat_id)
    if existing is None or not existing.active:
        return existing
    community = replace(existing, active=False, left_at=now)
    await uow.communities.save(community)
    return community
