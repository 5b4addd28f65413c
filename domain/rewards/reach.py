"""Whether the bot may write to a member first."""

from __future__ import annotations

from domain.ports import UnitOfWork


async def can_message(uow: UnitOfWork, user_id: int) -> bool:
    """Only members who opened a private chat with the bot (and did not block it) can get a message first.

    Enqueueing to anyone else would fail and mark them as having blocked the bot, which they did not.
    """
    member = await uow.members.get(user_id)
    return member is not None and member.started_bot and not member.blocked_bot
