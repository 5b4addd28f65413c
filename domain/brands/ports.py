"""What brands and community opt-ins need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.shop.products import Brand


class BrandStaffRepository(Protocol):
    async def add(self, brand_id: int, user_id: int, now: datetime) -> bool:
        """Make the user staff of the brand; False if they already were (INSERT ... ON CONFLICT DO NOTHING)."""

    async def is_staff(self, brand_id: int, user_id: int) -> bool: ...
    async def brands_of(self, user_id: int) -> Sequence[int]:
        """Ids of the brands the user is staff of, ascending."""

    async def staff_of(self, brand_id: int) -> Sequence[int]:
        """User ids of the brand's staff, ascending."""

    async def all_brands(self) -> Sequence[Brand]:
        """Every brand, by name (the brands repository of the shop only looks brands up one at a time)."""

    async def forget_member(self, user_id: int) -> None:
        """The member is no longer staff of any brand."""


class BrandOptInRepository(Protocol):
    async def set(self, chat_id: int, brand_id: int, allowed: bool, by_user: int, now: datetime) -> None:
        """Insert or overwrite the group's decision about the brand."""

    async def for_chat(self, chat_id: int) -> dict[int, bool]:
        """brand id -> allowed, for every brand the group decided about."""

    async def allowed_chats(self, brand_id: int) -> Sequence[int]:
        """Groups that allowed the brand's drops, ascending."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Decisions they made as a group's moderator name `pseudonym` as who decided."""
