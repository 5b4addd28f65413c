"""Knowing who is talking to the bot, in which language to answer, and whether the bot may write first."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.errors import DomainError
from domain.members import Member, MemberError
from domain.ports import UnitOfWork


async def remember_member(
    uow: UnitOfWork,
    now: datetime,
    user_id: int,
    first_name: str,
    username: str | None,
    telegram_language: str | None,
    in_private_chat: bool = False,
) -> Member:
    existing = await uow.members.get(user_id)
    if existing is None:
        member = Member(user_id, first_name, username, telegram_language, created_at=now)
    else:
        member = existing.with_profile(first_name, username, telegram_language)
    if in_private_chat and (not member.started_bot or member.blocked_bot):
        # Writing to the bot in private is what lets it message the member later.
        member = replace(member, started_bot=True, blocked_bot=False)
    if member != existing:
        await uow.members.save(member)
    return member


async def remembered_as(
    uow: UnitOfWork, user_id: int, first_name: str, username: str | None, telegram_language: str | None
) -> Member | None:
    """The member, if remembering them as they appear now would write nothing; None when it would (new, or
    a changed profile). Lets a path that only reads skip `remember_member`."""
    existing = await uow.members.get(user_id)
    if existing is None or existing.with_profile(first_name, username, telegram_language) != existing:
        return None
    return existing


async def choose_language(uow: UnitOfWork, user_id: int, language: str, supported: tuple[str, ...]) -> Member:
    if language not in supported:
        raise DomainError(MemberError.LANGUAGE_UNSUPPORTED, language=language)
    member = await uow.members.get(user_id)
    if member is None:
        raise DomainError(MemberError.UNKNOWN)
    member = replace(member, chosen_language=language)
    await uow.members.save(member)
    return member


async def mark_blocked(uow: UnitOfWork, user_id: int) -> None:
    member = await uow.members.get(user_id)
    if member is not None and not member.blocked_bot:
        await uow.members.save(replace(member, blocked_bot=True))


async def can_message(uow: UnitOfWork, user_id: int) -> bool:
    """Only members who opened a private chat with the bot (and did not block it) can get a message first.

    Enqueueing to anyone else would fail and mark them as having blocked the bot, which they did not.
    """
    member = await uow.members.get(user_id)
    return member is not None and member.started_bot and not member.blocked_bot
