from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, func, insert, select, update

from domain.groupbuys.model import (
    GroupBuy,
    GroupBuyStatus,
    GroupOffer,
    NewGroupBuy,
    Participant,
    ParticipantStatus,
)
from domain.money import Money
from domain.shop.orders import HoldStatus
from storage.repositories._base import SqlRepository, rowcount
from storage.rewards_tables import group_buy_participants, group_buys, group_offers
from storage.tables import stock_holds

_LIVE = (GroupBuyStatus.PENDING.value, GroupBuyStatus.OPEN.value)


def _offer(row: RowMapping) -> GroupOffer:
    return GroupOffer(
        product_id=row["product_id"],
        price=Money(int(row["price_amount"]), row["currency"]),
        size=row["size"],
        hours=row["hours"],
        active=row["active"],
    )


def _group_buy(row: RowMapping) -> GroupBuy:
    return GroupBuy(
        id=row["id"],
        code=row["code"],
        product_id=row["product_id"],
        title=row["title"],
        price=Money(int(row["price_amount"]), row["currency"]),
        size=row["size"],
        chat_id=row["chat_id"],
        community_id=row["community_id"],
        starter_id=row["starter_id"],
        status=GroupBuyStatus(row["status"]),
        paid_count=row["paid_count"],
        deadline=row["deadline"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
        card_message_id=row["card_message_id"],
        card_version=row["card_version"],
    )


def _participant(row: RowMapping) -> Participant:
    return Participant(
        id=row["id"],
        group_buy_id=row["group_buy_id"],
        user_id=row["user_id"],
        name=row["name"],
        order_id=row["order_id"],
        status=ParticipantStatus(row["status"]),
        joined_at=row["joined_at"],
        paid_at=row["paid_at"],
    )


class SqlGroupBuyRepository(SqlRepository):
    # -- offers -------------------------------------------------------------------------------------
    async def offer(self, product_id: int) -> GroupOffer | None:
        row = (
            (await self._session.execute(select(group_offers).where(group_offers.c.product_id == product_id)))
            .mappings()
            .first()
        )
        return _offer(row) if row is not None else None

    async def save_offer(self, offer: GroupOffer) -> None:
        values = {
            "price_amount": offer.price.amount,
            "currency": offer.price.currency,
            "size": offer.size,
            "hours": offer.hours,
            "active": offer.active,
        }
        statement = (
            self._insert(group_offers)
            .values(product_id=offer.product_id, **values)
            .on_conflict_do_update(index_elements=[group_offers.c.product_id], set_=values)
        )
        await self._session.execute(statement)

    async def active_offers(self, limit: int) -> Sequence[GroupOffer]:
        if limit <= 0:
            return []
        query = (
            select(group_offers).where(group_offers.c.active.is_(True)).order_by(group_offers.c.product_id).limit(limit)
        )
        return [_offer(row) for row in (await self._session.execute(query)).mappings()]

    # -- group buys ---------------------------------------------------------------------------------
    async def add(self, group_buy: NewGroupBuy) -> GroupBuy:
        statement = (
            insert(group_buys)
            .values(
                code=group_buy.code,
                product_id=group_buy.product_id,
                title=group_buy.title,
                price_amount=group_buy.price.amount,
                currency=group_buy.price.currency,
                size=group_buy.size,
                chat_id=group_buy.chat_id,
                community_id=group_buy.community_id,
                starter_id=group_buy.starter_id,
                status=GroupBuyStatus.PENDING.value,
                paid_count=0,
                deadline=group_buy.deadline,
                created_at=group_buy.created_at,
                card_version=0,
            )
            .returning(group_buys)
        )
        return _group_buy((await self._session.execute(statement)).mappings().one())

    async def get(self, group_buy_id: int) -> GroupBuy | None:
        return await self._one(select(group_buys).where(group_buys.c.id == group_buy_id))

    async def get_by_code(self, code: str) -> GroupBuy | None:
        return await self._one(select(group_buys).where(group_buys.c.code == code))

    async def find(
        self, product_id: int, chat_id: int, statuses: Sequence[str], starter_id: int | None = None
    ) -> GroupBuy | None:
        query = select(group_buys).where(
            group_buys.c.product_id == product_id,
            group_buys.c.chat_id == chat_id,
            group_buys.c.status.in_(list(statuses)),
        )
        if starter_id is not None:
            query = query.where(group_buys.c.starter_id == starter_id)
        return await self._one(query.order_by(group_buys.c.id.desc()).limit(1))

    async def take_seat(self, group_buy_id: int, now: datetime) -> bool:
        statement = (
            update(group_buys)
            .where(
                group_buys.c.id == group_buy_id,
                group_buys.c.status.in_(_LIVE),
                group_buys.c.paid_count < group_buys.c.size,
                group_buys.c.deadline > now,
            )
            .values(paid_count=group_buys.c.paid_count + 1, status=GroupBuyStatus.OPEN.value)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def free_seat(self, group_buy_id: int) -> bool:
        statement = (
            update(group_buys)
            .where(
                group_buys.c.id == group_buy_id,
                group_buys.c.status == GroupBuyStatus.OPEN.value,
                group_buys.c.paid_count > 0,
            )
            .values(paid_count=group_buys.c.paid_count - 1)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def complete(self, group_buy_id: int, now: datetime) -> bool:
        statement = (
            update(group_buys)
            .where(
                group_buys.c.id == group_buy_id,
                group_buys.c.status == GroupBuyStatus.OPEN.value,
                group_buys.c.paid_count >= group_buys.c.size,
            )
            .values(status=GroupBuyStatus.FILLED.value, closed_at=now)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def cancel(self, group_buy_id: int, now: datetime, only_if_due: bool) -> bool:
        conditions = [group_buys.c.id == group_buy_id, group_buys.c.status.in_(_LIVE)]
        if only_if_due:
            conditions.append(group_buys.c.deadline <= now)
        statement = update(group_buys).where(*conditions).values(status=GroupBuyStatus.CANCELLED.value, closed_at=now)
        return rowcount(await self._session.execute(statement)) == 1

    async def due(self, now: datetime, limit: int) -> Sequence[GroupBuy]:
        if limit <= 0:
            return []
        query = (
            select(group_buys)
            .where(group_buys.c.status.in_(_LIVE), group_buys.c.deadline <= now)
            .order_by(group_buys.c.deadline, group_buys.c.id)
            .limit(limit)
        )
        return [_group_buy(row) for row in (await self._session.execute(query)).mappings()]

    async def set_card(self, group_buy_id: int, message_id: int) -> None:
        await self._session.execute(
            update(group_buys).where(group_buys.c.id == group_buy_id).values(card_message_id=message_id)
        )

    async def next_card_version(self, group_buy_id: int) -> int:
        statement = (
            update(group_buys)
            .where(group_buys.c.id == group_buy_id)
            .values(card_version=group_buys.c.card_version + 1)
            .returning(group_buys.c.card_version)
        )
        return int((await self._session.execute(statement)).scalar_one())

    # -- participants -------------------------------------------------------------------------------
    async def add_participant(
        self, group_buy_id: int, user_id: int, name: str, order_id: int, now: datetime
    ) -> Participant | None:
        statement = (
            self._insert(group_buy_participants)
            .values(
                group_buy_id=group_buy_id,
                user_id=user_id,
                name=name,
                order_id=order_id,
                status=ParticipantStatus.JOINED.value,
                joined_at=now,
                paid_at=None,
            )
            .on_conflict_do_nothing(
                index_elements=[group_buy_participants.c.group_buy_id, group_buy_participants.c.user_id]
            )
            .returning(group_buy_participants)
        )
        row = (await self._session.execute(statement)).mappings().first()
        return _participant(row) if row is not None else None

    async def participant(self, participant_id: int) -> Participant | None:
        return await self._one_participant(
            select(group_buy_participants).where(group_buy_participants.c.id == participant_id)
        )

    async def participant_of(self, group_buy_id: int, user_id: int) -> Participant | None:
        return await self._one_participant(
            select(group_buy_participants).where(
                group_buy_participants.c.group_buy_id == group_buy_id, group_buy_participants.c.user_id == user_id
            )
        )

    async def participant_for_order(self, order_id: int) -> Participant | None:
        return await self._one_participant(
            select(group_buy_participants).where(group_buy_participants.c.order_id == order_id)
        )

    async def participants(self, group_buy_id: int) -> Sequence[Participant]:
        query = (
            select(group_buy_participants)
            .where(group_buy_participants.c.group_buy_id == group_buy_id)
            .order_by(group_buy_participants.c.id)
        )
        return [_participant(row) for row in (await self._session.execute(query)).mappings()]

    async def rejoin(self, participant_id: int, order_id: int, from_statuses: Sequence[ParticipantStatus]) -> bool:
        statement = (
            update(group_buy_participants)
            .where(
                group_buy_participants.c.id == participant_id,
                group_buy_participants.c.status.in_([s.value for s in from_statuses]),
            )
            .values(order_id=order_id, status=ParticipantStatus.JOINED.value, paid_at=None)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def set_participant_status(
        self,
        participant_id: int,
        from_status: ParticipantStatus,
        to_status: ParticipantStatus,
        paid_at: datetime | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": to_status.value}
        if paid_at is not None:
            values["paid_at"] = paid_at
        statement = (
            update(group_buy_participants)
            .where(group_buy_participants.c.id == participant_id, group_buy_participants.c.status == from_status.value)
            .values(values)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def release_converted_hold(self, order_id: int) -> tuple[int, int] | None:
        """UPDATE stock_holds ... WHERE status = 'converted' RETURNING: exactly one caller gets the unit back."""
        statement = (
            update(stock_holds)
            .where(stock_holds.c.order_id == order_id, stock_holds.c.status == HoldStatus.CONVERTED.value)
            .values(status=HoldStatus.RELEASED.value)
            .returning(stock_holds.c.product_id, stock_holds.c.quantity)
        )
        rows = list((await self._session.execute(statement)).all())
        if not rows:
            return None
        return int(rows[0][0]), sum(int(row[1]) for row in rows)

    async def _one(self, query: Any) -> GroupBuy | None:
        row = (await self._session.execute(query)).mappings().first()
        return _group_buy(row) if row is not None else None

    async def _one_participant(self, query: Any) -> Participant | None:
        row = (await self._session.execute(query)).mappings().first()
        return _participant(row) if row is not None else None

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._session.execute(
            update(group_buy_participants)
            .where(group_buy_participants.c.user_id == user_id)
            .values(user_id=pseudonym, name="")
        )
        await self._rekey(user_id, pseudonym, group_buys.c.starter_id)

    async def open_seats_of(self, user_id: int) -> int:
        query = (
            select(func.count())
            .select_from(
                group_buy_participants.join(group_buys, group_buys.c.id == group_buy_participants.c.group_buy_id)
            )
            .where(
                group_buy_participants.c.user_id == user_id,
                group_buy_participants.c.status == ParticipantStatus.PAID.value,
                group_buys.c.status.in_([GroupBuyStatus.PENDING.value, GroupBuyStatus.OPEN.value]),
            )
        )
        return int((await self._session.execute(query)).scalar_one())
