"""What the group-buy use cases need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.groupbuys.model import GroupBuy, GroupOffer, NewGroupBuy, Participant, ParticipantStatus


class GroupBuyRepository(Protocol):
    async def offer(self, product_id: int) -> GroupOffer | None: ...
    async def save_offer(self, offer: GroupOffer) -> None:
        """Insert or update by product id."""

    async def active_offers(self, limit: int) -> Sequence[GroupOffer]: ...
    async def add(self, group_buy: NewGroupBuy) -> GroupBuy:
        """Insert with status PENDING and nobody paid."""

    async def get(self, group_buy_id: int) -> GroupBuy | None: ...
    async def get_by_code(self, code: str) -> GroupBuy | None: ...
    async def find(
        self, product_id: int, chat_id: int, statuses: Sequence[str], starter_id: int | None = None
    ) -> GroupBuy | None:
        """The newest group buy of this product in this chat with one of these statuses (and this starter)."""

    async def take_seat(self, group_buy_id: int, now: datetime) -> bool:
        """Atomically: one more paid member if a seat is left, it is PENDING or OPEN and before its deadline.

        The group buy becomes OPEN. One conditional UPDATE, so concurrent payments never overfill it.
        """

    async def free_seat(self, group_buy_id: int) -> bool:
        """One paid member fewer, while it is OPEN."""

    async def complete(self, group_buy_id: int, now: datetime) -> bool:
        """OPEN -> FILLED once every seat is paid; True for the one call that did it."""

    async def cancel(self, group_buy_id: int, now: datetime, only_if_due: bool) -> bool:
        """PENDING/OPEN -> CANCELLED (only if its deadline passed, when asked); True if this call did it."""

    async def due(self, now: datetime, limit: int) -> Sequence[GroupBuy]:
        """PENDING or OPEN group buys whose deadline passed, oldest deadline first."""

    async def set_card(self, group_buy_id: int, message_id: int) -> None: ...
    async def next_card_version(self, group_buy_id: int) -> int:
        """Add one to the card's version and return it (keys the card's edit notices)."""

    async def add_participant(
        self, group_buy_id: int, user_id: int, name: str, order_id: int, now: datetime
    ) -> Participant | None:
        """Insert (status JOINED) unless this member is already in it (unique per group buy and member)."""

    async def participant(self, participant_id: int) -> Participant | None: ...
    async def participant_of(self, group_buy_id: int, user_id: int) -> Participant | None: ...
    async def participant_for_order(self, order_id: int) -> Participant | None: ...
    async def participants(self, group_buy_id: int) -> Sequence[Participant]:
        """In the order they joined."""

    async def rejoin(self, participant_id: int, order_id: int, from_statuses: Sequence[ParticipantStatus]) -> bool:
        """Back to JOINED with a new order, from one of these statuses."""

    async def set_participant_status(
        self,
        participant_id: int,
        from_status: ParticipantStatus,
        to_status: ParticipantStatus,
        paid_at: datetime | None = None,
    ) -> bool: ...

    async def release_converted_hold(self, order_id: int) -> tuple[int, int] | None:
        """CONVERTED -> RELEASED for the hold sold to this order; (product id, quantity) if this call did it."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Group buys they started and seats they took move to `pseudonym`; the name a seat showed is erased."""

    async def open_seats_of(self, user_id: int) -> int:
        """Seats the member paid for in group buys still PENDING or OPEN (refunded if the group falls short)."""
