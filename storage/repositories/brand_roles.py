from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select

from domain.shop.products import Brand
from storage.drops_tables import brand_optins, brand_staff
from storage.repositories._base import SqlRepository
from storage.tables import brands


class SqlBrandStaffRepository(SqlRepository):
    async def add(self, brand_id: int, user_id: int, now: datetime) -> bool:
        statement = (
            self._insert(brand_staff)
            .values(brand_id=brand_id, user_id=user_id, added_at=now)
            .on_conflict_do_nothing(index_elements=[brand_staff.c.brand_id, brand_staff.c.user_id])
            .returning(brand_staff.c.user_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def is_staff(self, brand_id: int, user_id: int) -> bool:
        query = select(brand_staff.c.user_id).where(
            brand_staff.c.brand_id == brand_id, brand_staff.c.user_id == user_id
        )
        return (await self._session.execute(query)).first() is not None

    async def brands_of(self, user_id: int) -> Sequence[int]:
        query = select(brand_staff.c.brand_id).where(brand_staff.c.user_id == user_id).order_by(brand_staff.c.brand_id)
        return list((await self._session.execute(query)).scalars())

    async def staff_of(self, brand_id: int) -> Sequence[int]:
        query = select(brand_staff.c.user_id).where(brand_staff.c.brand_id == brand_id).order_by(brand_staff.c.user_id)
        return list((await self._session.execute(query)).scalars())

    async def all_brands(self) -> Sequence[Brand]:
        rows = (await self._session.execute(select(brands).order_by(brands.c.name))).mappings()
        return [Brand(id=row["id"], name=row["name"]) for row in rows]

    async def forget_member(self, user_id: int) -> None:
        await self._session.execute(delete(brand_staff).where(brand_staff.c.user_id == user_id))


class SqlBrandOptInRepository(SqlRepository):
    async def set(self, chat_id: int, brand_id: int, allowed: bool, by_user: int, now: datetime) -> None:
        values = {
            "chat_id": chat_id,
            "brand_id": brand_id,
            "allowed": allowed,
            "changed_by": by_user,
            "changed_at": now,
        }
        statement = self._insert(brand_optins).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[brand_optins.c.chat_id, brand_optins.c.brand_id],
                set_={name: statement.excluded[name] for name in ("allowed", "changed_by", "changed_at")},
            )
        )

    async def for_chat(self, chat_id: int) -> dict[int, bool]:
        query = select(brand_optins.c.brand_id, brand_optins.c.allowed).where(brand_optins.c.chat_id == chat_id)
        return {row.brand_id: bool(row.allowed) for row in await self._session.execute(query)}

    async def allowed_chats(self, brand_id: int) -> Sequence[int]:
        query = (
            select(brand_optins.c.chat_id)
            .where(brand_optins.c.brand_id == brand_id, brand_optins.c.allowed.is_(True))
            .order_by(brand_optins.c.chat_id)
        )
        return list((await self._session.execute(query)).scalars())

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._rekey(user_id, pseudonym, brand_optins.c.changed_by)
