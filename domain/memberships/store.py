"""Storing a state-machine step: reload, decide, conditional update, again if someone else moved first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from domain.errors import DomainError
from domain.memberships.errors import MembershipError
from domain.memberships.lifecycle import Membership

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

T = TypeVar("T")
ATTEMPTS = 5


async def mutate(
    uow: UnitOfWork, membership_id: int, decide: Callable[[Membership], tuple[Membership, T]]
) -> tuple[Membership, T, bool]:
    """Apply `decide` to the stored membership; returns (membership as stored, decide's extra, changed).

    `decide` is pure and may raise DomainError; it runs again on a fresh copy when a concurrent writer won.
    """
    for _ in range(ATTEMPTS):
        current = await uow.memberships.get(membership_id)
        if current is None:
            raise DomainError(MembershipError.UNKNOWN)
        updated, extra = decide(current)
        if updated == current:
            return current, extra, False
        if await uow.memberships.update(current, updated):
            return replace(updated, revision=current.revision + 1), extra, True
    raise DomainError(MembershipError.BUSY)
