from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, delete, or_, select, update

from domain.points.ledger import Reason
from domain.referrals.model import Referral, ReferralStatus
from storage.repositories._base import SqlRepository, rowcount
from storage.rewards_tables import points_entries, referral_codes, referrals


def _referral(row: RowMapping) -> Referral:
    return Referral(
        referee_id=row["referee_id"],
        referrer_id=row["referrer_id"],
        status=ReferralStatus(row["status"]),
        created_at=row["created_at"],
        order_id=row["order_id"],
        release_at=row["release_at"],
    )


class SqlReferralRepository(SqlRepository):
    async def code_of(self, user_id: int) -> str | None:
        query = select(referral_codes.c.code).where(referral_codes.c.user_id == user_id)
        value = (await self._session.execute(query)).scalar_one_or_none()
        return str(value) if value is not None else None

    async def add_code(self, user_id: int, code: str) -> bool:
        """INSERT ... ON CONFLICT DO NOTHING on either key: the member's code or the code itself."""
        statement = (
            self._insert(referral_codes).values(user_id=user_id, code=code).on_conflict_do_nothing()
        ).returning(referral_codes.c.user_id)
        return (await self._session.execute(statement)).first() is not None

    async def owner_of(self, code: str) -> int | None:
        query = select(referral_codes.c.user_id).where(referral_codes.c.code == code)
        value = (await self._session.execute(query)).scalar_one_or_none()
        return int(value) if value is not None else None

    async def get(self, referee_id: int) -> Referral | None:
        row = (
            (await self._session.execute(select(referrals).where(referrals.c.referee_id == referee_id)))
            .mappings()
            .first()
        )
        return _referral(row) if row is not None else None

    async def add(self, referral: Referral) -> bool:
        statement = (
            self._insert(referrals)
            .values(
                referee_id=referral.referee_id,
                referrer_id=referral.referrer_id,
                status=referral.status.value,
                created_at=referral.created_at,
                order_id=referral.order_id,
                release_at=referral.release_at,
            )
            .on_conflict_do_nothing(index_elements=[referrals.c.referee_id])
            .returning(referrals.c.referee_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def mark_pending(self, referee_id: int, order_id: int, release_at: datetime) -> bool:
        statement = (
            update(referrals)
            .where(referrals.c.referee_id == referee_id, referrals.c.status == ReferralStatus.ATTRIBUTED.value)
            .values(status=ReferralStatus.PENDING.value, order_id=order_id, release_at=release_at)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def transition(self, referee_id: int, from_status: ReferralStatus, to_status: ReferralStatus) -> bool:
        statement = (
            update(referrals)
            .where(referrals.c.referee_id == referee_id, referrals.c.status == from_status.value)
            .values(status=to_status.value)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def pending_for_order(self, order_id: int) -> Referral | None:
        query = select(referrals).where(
            referrals.c.order_id == order_id, referrals.c.status == ReferralStatus.PENDING.value
        )
        row = (await self._session.execute(query)).mappings().first()
        return _referral(row) if row is not None else None

    async def due(self, now: datetime, limit: int) -> Sequence[Referral]:
        if limit <= 0:
            return []
        query = (
            select(referrals)
            .where(referrals.c.status == ReferralStatus.PENDING.value, referrals.c.release_at <= now)
            .order_by(referrals.c.release_at, referrals.c.referee_id)
            .limit(limit)
        )
        return [_referral(row) for row in (await self._session.execute(query)).mappings()]

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._session.execute(delete(referral_codes).where(referral_codes.c.user_id == user_id))
        await self._session.execute(
            delete(referrals).where(or_(referrals.c.referee_id == user_id, referrals.c.referrer_id == user_id))
        )
        # The referrer's reward stays in their ledger; it no longer says whom they brought.
        await self._session.execute(
            update(points_entries)
            .where(points_entries.c.reason == Reason.REFERRAL.value)
            .where(points_entries.c.reference == f"referee:{user_id}")
            .values(reference=f"referee:{pseudonym}")
        )
