"""What a feature holds about a member, and how it forgets them: one `Holding` per kind of record.

A feature declares its holdings in its own `privacy.py`, one line each, naming the repository that forgets:

    erased(Topic.ADDRESSES, lambda uow: uow.shipping_addresses)   # has forget_member(user_id)
    anonymised(Topic.ORDERS, lambda uow: uow.orders)              # has anonymise_member(user_id, pseudonym)

*Erased* records are deleted (or their personal fields blanked); *anonymised* ones are what accounting must
keep (orders, payments, the points ledger...): every link to the member is moved to one stable pseudonym.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


class Topic(StrEnum):
    """What a member is told is stored, and why (the bot's privacy screen words each one)."""

    PROFILE = "profile"  # name, username, language, whether the bot may write to them
    ORDERS = "orders"
    PAYMENTS = "payments"
    ADDRESSES = "addresses"
    POINTS = "points"
    REFERRALS = "referrals"
    GROUP_BUYS = "group_buys"
    DROPS = "drops"
    MEMBERSHIPS = "memberships"
    ROLES = "roles"  # brand staff, and what they decided as a group's moderator
    NOTICES = "notices"  # messages queued for them or sent to them


class Erasable(Protocol):
    async def forget_member(self, user_id: int) -> None:
        """Delete what this repository holds about the member (or blank its personal fields)."""


class Anonymisable(Protocol):
    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Keep the records accounting needs, every link to the member moved to `pseudonym`; erase the rest."""


Forget = Callable[["UnitOfWork", int, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Holding:
    topic: Topic
    kept: bool  # True: kept under a pseudonym (accounting); False: erased
    forget: Forget  # (uow, user_id, pseudonym)


def erased(topic: Topic, repository: Callable[[UnitOfWork], Erasable]) -> Holding:
    async def forget(uow: UnitOfWork, user_id: int, pseudonym: int) -> None:
        await repository(uow).forget_member(user_id)

    return Holding(topic, False, forget)


def anonymised(topic: Topic, repository: Callable[[UnitOfWork], Anonymisable], kept: bool = True) -> Holding:
    """`kept=False` when what the member would call theirs is erased and only a pseudonymous trace stays (a
    reward's reference, a notice's key)."""

    async def forget(uow: UnitOfWork, user_id: int, pseudonym: int) -> None:
        await repository(uow).anonymise_member(user_id, pseudonym)

    return Holding(topic, kept, forget)
