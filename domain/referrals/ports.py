"""What the referral use cases need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.referrals.model import Referral, ReferralStatus


class ReferralRepository(Protocol):
    async def code_of(self, user_id: int) -> str | None: ...
    async def add_code(self, user_id: int, code: str) -> bool:
        """Give the member this code; False if the member already has one or the code is taken."""

    async def owner_of(self, code: str) -> int | None: ...
    async def get(self, referee_id: int) -> Referral | None: ...
    async def add(self, referral: Referral) -> bool:
        """Insert unless the referee already has a referral (one referrer per member, first link wins)."""

    async def mark_pending(self, referee_id: int, order_id: int, release_at: datetime) -> bool:
        """ATTRIBUTED -> PENDING with the order and release time; False if not ATTRIBUTED any more."""

    async def transition(self, referee_id: int, from_status: ReferralStatus, to_status: ReferralStatus) -> bool: ...
    async def pending_for_order(self, order_id: int) -> Referral | None: ...
    async def due(self, now: datetime, limit: int) -> Sequence[Referral]:
        """PENDING referrals with release_at <= now, oldest first."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Erase the member's invite code and every referral they are either side of; a points entry whose
        reference names them as a referee names `pseudonym` instead."""
