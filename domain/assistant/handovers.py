"""The operators' list of the requests the assistant handed over, newest first.

Each operator also gets every request as a notice when it is made; the list is there for the one they missed
(an operator who had not started the bot yet, a notice scrolled away) and for an operator added later.
Members' words are in it, so only the operators see it.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.actors import Actor
from domain.assistant.ports import Handover
from domain.errors import DomainError, ErrorCode
from domain.ports import UnitOfWork

DEFAULT_COUNT = 10
MAX_COUNT = 50


class HandoverError(ErrorCode):
    OPERATORS_ONLY = "handover.operators_only"
    BAD_COUNT = "handover.bad_count"


async def recent_handovers(uow: UnitOfWork, actor: Actor, count: int = DEFAULT_COUNT) -> Sequence[Handover]:
    """The last `count` (1 to MAX_COUNT) requests handed over, the newest first; for the operators only."""
    actor.require_operator(refusal=HandoverError.OPERATORS_ONLY)
    if not 1 <= count <= MAX_COUNT:
        raise DomainError(HandoverError.BAD_COUNT, most=MAX_COUNT)
    return await uow.handovers.recent(count)
