"""The use cases of a member's data rights: what is held, an export, and forgetting them.

A member acts on their own data; the operator (the CLI) on anyone's. Nothing else may.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.actors import Actor
from domain.errors import DomainError
from domain.memberships.lifecycle import MembershipStatus
from domain.ports import UnitOfWork
from domain.privacy.errors import PrivacyError
from domain.privacy.holdings import Holding, Topic
from domain.privacy.ports import MemberRecords
from domain.privacy.pseudonyms import new_pseudonym
from domain.privacy.registry import HOLDINGS


class Fate(StrEnum):
    """What deleting does to a topic's records."""

    ERASED = "erased"
    KEPT = "kept"  # for the accounts, under a pseudonym
    PARTLY = "partly"  # some kept under a pseudonym, the rest erased


@dataclass(frozen=True, slots=True)
class Held:
    """One topic of the privacy screen: what is stored, and what deleting does to it."""

    topic: Topic
    fate: Fate


@dataclass(frozen=True, slots=True)
class MemberData:
    user_id: int
    exported_at: datetime
    records: MemberRecords  # table -> rows

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.records.values())


@dataclass(frozen=True, slots=True)
class Forgotten:
    user_id: int
    pseudonym: int  # what the kept records now carry
    records: int  # rows that referred to the member before
    subscriptions: tuple[str, ...] = ()  # charges of Telegram Stars subscriptions still running: cancel them


def what_is_held(holdings: tuple[Holding, ...] = HOLDINGS) -> tuple[Held, ...]:
    """Each topic once, in the order of `Topic`, with what deleting does to its records."""
    topics: dict[Topic, set[bool]] = {}
    for holding in holdings:
        topics.setdefault(holding.topic, set()).add(holding.kept)
    fates = {frozenset({True}): Fate.KEPT, frozenset({False}): Fate.ERASED}
    return tuple(Held(topic, fates.get(frozenset(topics[topic]), Fate.PARTLY)) for topic in Topic if topic in topics)


def _require_own_or_operator(actor: Actor, user_id: int) -> None:
    if actor.user_id != user_id:
        actor.require_operator(refusal=PrivacyError.NOT_YOURS)


async def export_data(uow: UnitOfWork, now: datetime, actor: Actor, user_id: int) -> MemberData:
    _require_own_or_operator(actor, user_id)
    return MemberData(user_id, now, await uow.personal_data.export_member(user_id))


async def require_settled(uow: UnitOfWork, user_id: int) -> None:
    """A refund needs the payer's Telegram id, which forgetting replaces: money still moving settles first."""
    if await uow.payments.refunds_due_to(user_id) or await uow.group_buys.open_seats_of(user_id):
        raise DomainError(PrivacyError.MONEY_IN_FLIGHT)


async def forget(uow: UnitOfWork, actor: Actor, user_id: int, holdings: tuple[Holding, ...] = HOLDINGS) -> Forgotten:
    """Run every feature's eraser in one transaction (the caller commits): all of it is forgotten, or none."""
    _require_own_or_operator(actor, user_id)
    if user_id <= 0:
        raise DomainError(PrivacyError.NOT_YOURS)
    await require_settled(uow, user_id)
    before = await uow.personal_data.export_member(user_id)
    running = tuple(
        m.charge_id
        for m in await uow.memberships.list_for_user(user_id)
        if m.stars and m.charge_id and m.status is not MembershipStatus.EXPIRED
    )
    pseudonym = new_pseudonym()
    for holding in holdings:
        await holding.forget(uow, user_id, pseudonym)
    return Forgotten(user_id, pseudonym, sum(len(rows) for rows in before.values()), running)
