"""What memberships hold about a member: their memberships and what they paid, kept for accounting under a
pseudonym. A forgotten member's memberships end first (expired, no seat, no subscription charge), so no perk,
reminder, renewal or removal follows for the pseudonym."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from domain.memberships.lifecycle import Membership, MembershipStatus, Seat
from domain.privacy.holdings import Holding, Topic

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


async def end_and_anonymise(uow: UnitOfWork, user_id: int, pseudonym: int) -> None:
    for _ in range(3):  # a renewal may change a membership meanwhile: read again and end that
        live = [m for m in await uow.memberships.list_for_user(user_id) if _ends(m)]
        ended = [
            await uow.memberships.update(
                m, replace(m, status=MembershipStatus.EXPIRED, seat=Seat.NONE, seat_chat_id=None, charge_id=None)
            )
            for m in live
        ]
        if all(ended):
            break
    else:
        raise RuntimeError(f"the memberships of {user_id} kept changing while they were being ended")
    await uow.memberships.anonymise_member(user_id, pseudonym)


def _ends(membership: Membership) -> bool:
    return (
        membership.status is not MembershipStatus.EXPIRED
        or membership.seat is not Seat.NONE
        or membership.charge_id is not None
    )


HOLDINGS = (Holding(Topic.MEMBERSHIPS, True, end_and_anonymise),)
