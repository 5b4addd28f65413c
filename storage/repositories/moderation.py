"""Community settings, giveaways and meetups: rows to the domain's values and back, with conditional updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, and_, func, or_, select, update

from domain.moderation.model import (
    CommunitySettings,
    Eligibility,
    EntryStatus,
    Feature,
    Giveaway,
    GiveawayEntry,
    GiveawayStatus,
    Meetup,
    NewGiveaway,
    NewMeetup,
    Rsvp,
    RsvpStatus,
)
from storage.moderation_tables import community_settings, giveaway_entries, giveaways, meetup_rsvps, meetups
from storage.repositories._base import SqlRepository, rowcount


def _features(text: str) -> frozenset[Feature]:
    known = {f.value for f in Feature}
    return frozenset(Feature(name) for name in text.split(",") if name in known)


def _settings(row: RowMapping) -> CommunitySettings:
    return CommunitySettings(
        chat_id=row["chat_id"],
        shop_enabled=row["shop_enabled"],
        disabled=_features(row["disabled_features"]),
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        timezone=row["timezone"],
        daily_cap=row["daily_cap"],
        risk_notice=row["risk_notice"],
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
    )


class SqlCommunitySettingsRepository(SqlRepository):
    async def get(self, chat_id: int) -> CommunitySettings | None:
        query = select(community_settings).where(community_settings.c.chat_id == chat_id)
        row = (await self._session.execute(query)).mappings().first()
        return _settings(row) if row is not None else None

    async def save(self, settings: CommunitySettings) -> None:
        values = {
            "chat_id": settings.chat_id,
            "shop_enabled": settings.shop_enabled,
            "disabled_features": ",".join(sorted(f.value for f in settings.disabled)),
            "quiet_start": settings.quiet_start,
            "quiet_end": settings.quiet_end,
            "timezone": settings.timezone,
            "daily_cap": settings.daily_cap,
            "risk_notice": settings.risk_notice,
            "updated_by": settings.updated_by,
            "updated_at": settings.updated_at,
        }
        statement = self._insert(community_settings).values(values)
        updates = {name: statement.excluded[name] for name in values if name != "chat_id"}
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[community_settings.c.chat_id], set_=updates)
        )

    async def for_chats(self, chat_ids: Sequence[int]) -> dict[int, CommunitySettings]:
        if not chat_ids:
            return {}
        query = select(community_settings).where(community_settings.c.chat_id.in_(sorted(set(chat_ids))))
        return {row["chat_id"]: _settings(row) for row in (await self._session.execute(query)).mappings()}


def _giveaway(row: RowMapping) -> Giveaway:
    return Giveaway(
        id=row["id"],
        chat_id=row["chat_id"],
        prize=row["prize"],
        units=row["units"],
        hours=row["hours"],
        claim_hours=row["claim_hours"],
        eligibility=Eligibility(row["plan_id"], row["min_points"], row["joined_before"]),
        brand_id=row["brand_id"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        status=GiveawayStatus(row["status"]),
        secret=row["secret"],
        pseudonym_key=row["pseudonym_key"],
        opened_at=row["opened_at"],
        closes_at=row["closes_at"],
        beacon_chain=row["beacon_chain"],
        beacon_round=row["beacon_round"],
        beacon_at=row["beacon_at"],
        entrants=row["entrants"],
        entrants_digest=row["entrants_digest"],
        randomness=row["randomness"],
        signature=row["signature"],
        draw_seed=row["draw_seed"],
        drawn_at=row["drawn_at"],
    )


def _entry(row: RowMapping) -> GiveawayEntry:
    return GiveawayEntry(
        giveaway_id=row["giveaway_id"],
        user_id=row["user_id"],
        pseudonym=row["pseudonym"],
        entered_at=row["entered_at"],
        status=EntryStatus(row["status"]),
        rank=row["rank"],
        claim_by=row["claim_by"],
    )


class SqlGiveawayRepository(SqlRepository):
    async def add(self, giveaway: NewGiveaway, status: GiveawayStatus) -> Giveaway:
        statement = (
            giveaways.insert()
            .values(
                chat_id=giveaway.chat_id,
                prize=giveaway.prize,
                units=giveaway.units,
                hours=giveaway.hours,
                claim_hours=giveaway.claim_hours,
                plan_id=giveaway.eligibility.plan_id,
                min_points=giveaway.eligibility.min_points,
                joined_before=giveaway.eligibility.joined_before,
                brand_id=giveaway.brand_id,
                created_by=giveaway.created_by,
                created_at=giveaway.created_at,
                status=status.value,
                secret=giveaway.secret,
                pseudonym_key=giveaway.pseudonym_key,
            )
            .returning(giveaways)
        )
        return _giveaway((await self._session.execute(statement)).mappings().one())

    async def get(self, giveaway_id: int) -> Giveaway | None:
        row = (await self._session.execute(select(giveaways).where(giveaways.c.id == giveaway_id))).mappings().first()
        return _giveaway(row) if row is not None else None

    async def _move(self, giveaway_id: int, from_status: GiveawayStatus, **values: object) -> bool:
        statement = (
            update(giveaways)
            .where(giveaways.c.id == giveaway_id, giveaways.c.status == from_status.value)
            .values(values)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def open(
        self,
        giveaway_id: int,
        from_status: GiveawayStatus,
        opened_at: datetime,
        closes_at: datetime,
        beacon_chain: str,
        beacon_round: int,
        beacon_at: datetime,
    ) -> bool:
        return await self._move(
            giveaway_id,
            from_status,
            status=GiveawayStatus.OPEN.value,
            opened_at=opened_at,
            closes_at=closes_at,
            beacon_chain=beacon_chain,
            beacon_round=beacon_round,
            beacon_at=beacon_at,
        )

    async def decline(self, giveaway_id: int) -> bool:
        return await self._move(giveaway_id, GiveawayStatus.AWAITING_BRAND, status=GiveawayStatus.DECLINED.value)

    async def close(self, giveaway_id: int, entrants: int, digest: str) -> bool:
        return await self._move(
            giveaway_id,
            GiveawayStatus.OPEN,
            status=GiveawayStatus.CLOSED.value,
            entrants=entrants,
            entrants_digest=digest,
        )

    async def drawn(
        self, giveaway_id: int, at: datetime, seed: str, randomness: str | None, signature: str | None
    ) -> bool:
        return await self._move(
            giveaway_id,
            GiveawayStatus.CLOSED,
            status=GiveawayStatus.DRAWN.value,
            drawn_at=at,
            draw_seed=seed,
            randomness=randomness,
            signature=signature,
        )

    async def due(self, now: datetime, limit: int) -> Sequence[Giveaway]:
        query = (
            select(giveaways)
            .where(
                or_(
                    and_(giveaways.c.status == GiveawayStatus.OPEN.value, giveaways.c.closes_at <= now),
                    and_(giveaways.c.status == GiveawayStatus.CLOSED.value, giveaways.c.beacon_at <= now),
                )
            )
            .order_by(giveaways.c.id)
            .limit(limit)
        )
        return [_giveaway(row) for row in (await self._session.execute(query)).mappings()]

    async def add_entry(self, entry: GiveawayEntry) -> bool:
        statement = (
            self._insert(giveaway_entries)
            .values(
                giveaway_id=entry.giveaway_id,
                user_id=entry.user_id,
                pseudonym=entry.pseudonym,
                entered_at=entry.entered_at,
                status=entry.status.value,
            )
            .on_conflict_do_nothing()
            .returning(giveaway_entries.c.user_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def entry(self, giveaway_id: int, user_id: int) -> GiveawayEntry | None:
        query = select(giveaway_entries).where(
            giveaway_entries.c.giveaway_id == giveaway_id, giveaway_entries.c.user_id == user_id
        )
        row = (await self._session.execute(query)).mappings().first()
        return _entry(row) if row is not None else None

    async def entries(self, giveaway_id: int) -> Sequence[GiveawayEntry]:
        query = (
            select(giveaway_entries)
            .where(giveaway_entries.c.giveaway_id == giveaway_id)
            .order_by(giveaway_entries.c.rank, giveaway_entries.c.pseudonym)
        )
        return [_entry(row) for row in (await self._session.execute(query)).mappings()]

    async def set_ranks(self, giveaway_id: int, ranks: dict[str, int]) -> None:
        for pseudonym, rank in ranks.items():
            await self._session.execute(
                update(giveaway_entries)
                .where(giveaway_entries.c.giveaway_id == giveaway_id, giveaway_entries.c.pseudonym == pseudonym)
                .values(rank=rank)
            )

    async def offer(self, giveaway_id: int, user_id: int, claim_by: datetime) -> bool:
        statement = (
            update(giveaway_entries)
            .where(
                giveaway_entries.c.giveaway_id == giveaway_id,
                giveaway_entries.c.user_id == user_id,
                giveaway_entries.c.status == EntryStatus.ENTERED.value,
            )
            .values(status=EntryStatus.OFFERED.value, claim_by=claim_by)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def set_entry_status(
        self, giveaway_id: int, user_id: int, from_status: EntryStatus, to_status: EntryStatus
    ) -> bool:
        statement = (
            update(giveaway_entries)
            .where(
                giveaway_entries.c.giveaway_id == giveaway_id,
                giveaway_entries.c.user_id == user_id,
                giveaway_entries.c.status == from_status.value,
            )
            .values(status=to_status.value)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def lapsed_offers(self, now: datetime, limit: int) -> Sequence[GiveawayEntry]:
        query = (
            select(giveaway_entries)
            .where(giveaway_entries.c.status == EntryStatus.OFFERED.value, giveaway_entries.c.claim_by <= now)
            .order_by(giveaway_entries.c.claim_by)
            .limit(limit)
        )
        return [_entry(row) for row in (await self._session.execute(query)).mappings()]


def _meetup(row: RowMapping) -> Meetup:
    return Meetup(
        id=row["id"],
        chat_id=row["chat_id"],
        title=row["title"],
        starts_at=row["starts_at"],
        capacity=row["capacity"],
        points=row["points"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        going=row["going"],
        reminded_at=row["reminded_at"],
        code=row["code"],
        code_until=row["code_until"],
    )


def _rsvp(row: RowMapping) -> Rsvp:
    return Rsvp(
        id=row["id"],
        meetup_id=row["meetup_id"],
        user_id=row["user_id"],
        status=RsvpStatus(row["status"]),
        created_at=row["created_at"],
        checked_in_at=row["checked_in_at"],
    )


class SqlMeetupRepository(SqlRepository):
    async def add(self, meetup: NewMeetup) -> Meetup:
        statement = (
            meetups.insert()
            .values(
                chat_id=meetup.chat_id,
                title=meetup.title,
                starts_at=meetup.starts_at,
                capacity=meetup.capacity,
                points=meetup.points,
                created_by=meetup.created_by,
                created_at=meetup.created_at,
            )
            .returning(meetups)
        )
        return _meetup((await self._session.execute(statement)).mappings().one())

    async def get(self, meetup_id: int) -> Meetup | None:
        row = (await self._session.execute(select(meetups).where(meetups.c.id == meetup_id))).mappings().first()
        return _meetup(row) if row is not None else None

    async def take_place(self, meetup_id: int) -> bool:
        statement = (
            update(meetups)
            .where(meetups.c.id == meetup_id, meetups.c.going < meetups.c.capacity)
            .values(going=meetups.c.going + 1)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def free_place(self, meetup_id: int) -> None:
        await self._session.execute(
            update(meetups).where(meetups.c.id == meetup_id, meetups.c.going > 0).values(going=meetups.c.going - 1)
        )

    async def rsvp(self, meetup_id: int, user_id: int) -> Rsvp | None:
        query = select(meetup_rsvps).where(meetup_rsvps.c.meetup_id == meetup_id, meetup_rsvps.c.user_id == user_id)
        row = (await self._session.execute(query)).mappings().first()
        return _rsvp(row) if row is not None else None

    async def add_rsvp(self, meetup_id: int, user_id: int, status: RsvpStatus, now: datetime) -> Rsvp:
        last = select(func.coalesce(func.max(meetup_rsvps.c.queued_at), 0) + 1).where(
            meetup_rsvps.c.meetup_id == meetup_id
        )
        queued_at = int((await self._session.execute(last)).scalar_one())
        statement = (
            self._insert(meetup_rsvps)
            .values(
                meetup_id=meetup_id,
                user_id=user_id,
                status=status.value,
                queued_at=queued_at,
                created_at=now,
            )
            .on_conflict_do_update(
                index_elements=[meetup_rsvps.c.meetup_id, meetup_rsvps.c.user_id],
                set_={"status": status.value, "queued_at": queued_at},
            )
            .returning(meetup_rsvps)
        )
        return _rsvp((await self._session.execute(statement)).mappings().one())

    async def set_rsvp_status(self, rsvp_id: int, from_status: RsvpStatus, to_status: RsvpStatus) -> bool:
        statement = (
            update(meetup_rsvps)
            .where(meetup_rsvps.c.id == rsvp_id, meetup_rsvps.c.status == from_status.value)
            .values(status=to_status.value)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def first_waiting(self, meetup_id: int) -> Rsvp | None:
        query = (
            select(meetup_rsvps)
            .where(meetup_rsvps.c.meetup_id == meetup_id, meetup_rsvps.c.status == RsvpStatus.WAITING.value)
            .order_by(meetup_rsvps.c.queued_at, meetup_rsvps.c.id)
            .limit(1)
        )
        row = (await self._session.execute(query)).mappings().first()
        return _rsvp(row) if row is not None else None

    async def waiting_place(self, rsvp_id: int) -> int:
        row = (await self._session.execute(select(meetup_rsvps).where(meetup_rsvps.c.id == rsvp_id))).mappings().first()
        if row is None or row["status"] != RsvpStatus.WAITING.value:
            return 0
        ahead = (
            select(func.count())
            .select_from(meetup_rsvps)
            .where(
                meetup_rsvps.c.meetup_id == row["meetup_id"],
                meetup_rsvps.c.status == RsvpStatus.WAITING.value,
                or_(
                    meetup_rsvps.c.queued_at < row["queued_at"],
                    and_(meetup_rsvps.c.queued_at == row["queued_at"], meetup_rsvps.c.id <= rsvp_id),
                ),
            )
        )
        return int((await self._session.execute(ahead)).scalar_one())

    async def going(self, meetup_id: int) -> Sequence[Rsvp]:
        query = (
            select(meetup_rsvps)
            .where(meetup_rsvps.c.meetup_id == meetup_id, meetup_rsvps.c.status == RsvpStatus.GOING.value)
            .order_by(meetup_rsvps.c.queued_at)
        )
        return [_rsvp(row) for row in (await self._session.execute(query)).mappings()]

    async def set_code(self, meetup_id: int, code: str, until: datetime) -> None:
        await self._session.execute(
            update(meetups).where(meetups.c.id == meetup_id).values(code=code, code_until=until)
        )

    async def check_in(self, rsvp_id: int, at: datetime) -> bool:
        statement = (
            update(meetup_rsvps)
            .where(meetup_rsvps.c.id == rsvp_id, meetup_rsvps.c.checked_in_at.is_(None))
            .values(checked_in_at=at)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def due_reminders(self, now: datetime, lead: datetime, limit: int) -> Sequence[Meetup]:
        query = (
            select(meetups)
            .where(meetups.c.reminded_at.is_(None), meetups.c.starts_at > now, meetups.c.starts_at <= lead)
            .order_by(meetups.c.starts_at)
            .limit(limit)
        )
        return [_meetup(row) for row in (await self._session.execute(query)).mappings()]

    async def mark_reminded(self, meetup_id: int, at: datetime) -> bool:
        statement = (
            update(meetups).where(meetups.c.id == meetup_id, meetups.c.reminded_at.is_(None)).values(reminded_at=at)
        )
        return rowcount(await self._session.execute(statement)) == 1
