from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    RowMapping,
    Update,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)

from domain.drops.beacon import BeaconRound, BeaconValue
from domain.drops.model import (
    ClaimStatus,
    Drop,
    DropClaim,
    DropMode,
    DropPlan,
    DropStatus,
    EntryStatus,
    RaffleEntry,
    UnitsHold,
    UnitsTaken,
)
from domain.drops.ports import DropTarget
from domain.money import Money
from domain.shop.orders import OrderStatus
from storage.drops_tables import drop_allowances, drop_claims, drop_entries, drop_reminders, drop_targets, drops
from storage.repositories._base import SqlRepository, rowcount
from storage.repositories.orders import order_transition
from storage.types import UTCDateTime


def _communities_text(chats: Sequence[int]) -> str:
    return json.dumps(sorted(set(chats)))


def _drop(row: RowMapping) -> Drop:
    return Drop(
        id=row["id"],
        brand_id=row["brand_id"],
        product_id=row["product_id"],
        title=row["title"],
        quantity=row["quantity"],
        price=Money(int(row["price_amount"]), row["currency"]),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        per_member_limit=row["per_member_limit"],
        early_access_minutes=row["early_access_minutes"],
        mode=DropMode(row["mode"]),
        status=DropStatus(row["status"]),
        communities=tuple(int(c) for c in json.loads(row["communities"] or "[]")),
        created_by=row["created_by"],
        created_at=row["created_at"],
        claimed=row["claimed"],
        sold=row["sold"],
        revenue=int(row["revenue"]),
        seed_hash=row["seed_hash"],
        seed=row["seed"],
        last_teaser_minutes=row["last_teaser_minutes"],
        revision=row["revision"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        sold_out_at=row["sold_out_at"],
        drawn_at=row["drawn_at"],
        reported_at=row["reported_at"],
        pseudonym_key=row["pseudonym_key"],
        beacon_chain=row["beacon_chain"],
        beacon_round=row["beacon_round"],
        beacon_at=row["beacon_at"],
        beacon_randomness=row["beacon_randomness"],
        beacon_signature=row["beacon_signature"],
        entrants=row["entrants"],
        entrants_digest=row["entrants_digest"],
        draw_seed=row["draw_seed"],
        reserved=row["reserved"],
        refunded=row["refunded"],
        key=row["file_key"],
    )


def _beacon_values(beacon: BeaconRound | None) -> dict[str, Any]:
    if beacon is None:
        return {}
    return {"beacon_chain": beacon.chain_hash, "beacon_round": beacon.round, "beacon_at": beacon.at}


def _plan_values(plan: DropPlan, title: str) -> dict[str, Any]:
    return {
        "brand_id": plan.brand_id,
        "product_id": plan.product_id,
        "title": title,
        "quantity": plan.quantity,
        "price_amount": plan.price.amount,
        "currency": plan.price.currency,
        "starts_at": plan.starts_at,
        "ends_at": plan.ends_at,
        "per_member_limit": plan.per_member_limit,
        "early_access_minutes": plan.early_access_minutes,
        "mode": plan.mode.value,
        "communities": _communities_text(plan.communities),
    }


def _values(statuses: Sequence[Any]) -> list[str]:
    return [status.value for status in statuses]


# The claim path of a rush, written once as text so that each call costs no statement building and the
# statement text never changes: SQLAlchemy's compiled cache and asyncpg's prepared-statement cache (per
# connection) both hit, so PostgreSQL parses and plans it once per pooled connection. The statuses travel as
# one array parameter on PostgreSQL for the same reason (an expanding IN would vary with their number).
#
# PostgreSQL, one statement and one round trip: `open_drop` reads the drop in the statement's snapshot; the
# allowance is upserted (its limit checked on the row's latest version, so two claims of one member
# serialise on that row) only if the drop looked available; the drop's counter moves only if the allowance
# did, re-checked on the latest version of the hot row (READ COMMITTED re-evaluates the WHERE after waiting
# on its lock), so it never oversells. The one case where the allowance moved and the unit did not (a
# concurrent buyer took the last unit after this statement's snapshot) is given back by a second statement.
_AVAILABLE_PG = """id = :drop_id AND status = ANY(CAST(:statuses AS VARCHAR[])) AND reported_at IS NULL
      AND claimed + :quantity <= quantity"""

# The member's allowance, then the drop's unit only if the allowance moved: the part of a claim that
# claim_for_member and hold_units share, each after its own `open_drop`.
_ALLOWANCE_THEN_UNIT_PG = f"""allowance AS (
    INSERT INTO drop_allowances (drop_id, user_id, used)
    SELECT id, :user_id, :quantity FROM open_drop WHERE :quantity <= :limit
    ON CONFLICT (drop_id, user_id) DO UPDATE SET used = drop_allowances.used + excluded.used
    WHERE drop_allowances.used + excluded.used <= :limit
    RETURNING used
), unit AS (
    UPDATE drops SET claimed = claimed + :quantity
    WHERE {_AVAILABLE_PG} AND EXISTS (SELECT 1 FROM allowance)
    RETURNING claimed
)"""

_CLAIM_PARAMETERS = (
    bindparam("drop_id", type_=Integer),
    bindparam("user_id", type_=BigInteger),
    bindparam("quantity", type_=Integer),
    bindparam("limit", type_=Integer),
)

_CLAIM_FOR_MEMBER_PG = text(
    f"""
WITH open_drop AS (
    SELECT id FROM drops WHERE {_AVAILABLE_PG}
), {_ALLOWANCE_THEN_UNIT_PG}
SELECT
    EXISTS (SELECT 1 FROM open_drop) AS available,
    EXISTS (SELECT 1 FROM allowance) AS allowed,
    EXISTS (SELECT 1 FROM unit) AS taken,
    (SELECT used FROM drop_allowances WHERE drop_id = :drop_id AND user_id = :user_id) AS used
"""
).bindparams(*_CLAIM_PARAMETERS)

# SQLite: writers are serialised (BEGIN IMMEDIATE), so the availability read inside the upsert stands
# until the commit and the unit's UPDATE after it cannot be refused: two statements in one transaction.
_TAKE_ALLOWANCE_SQLITE = text(
    """
INSERT INTO drop_allowances (drop_id, user_id, used)
SELECT :drop_id, :user_id, :quantity
WHERE :quantity <= :limit AND EXISTS (
    SELECT 1 FROM drops
    WHERE id = :drop_id AND status IN :statuses AND reported_at IS NULL AND claimed + :quantity <= quantity
)
ON CONFLICT (drop_id, user_id) DO UPDATE SET used = used + excluded.used WHERE used + excluded.used <= :limit
RETURNING used
"""
).bindparams(bindparam("statuses", expanding=True))

_CLAIM_UNITS_SQLITE = text(
    """
UPDATE drops SET claimed = claimed + :quantity
WHERE id = :drop_id AND status IN :statuses AND reported_at IS NULL AND claimed + :quantity <= quantity
"""
).bindparams(bindparam("statuses", expanding=True))

_CLAIM_UNITS_PG = text(f"UPDATE drops SET claimed = claimed + :quantity WHERE {_AVAILABLE_PG}")

# A pre-checkout's hold on PostgreSQL, one statement. `waiting` locks the order's claim and the order itself,
# `open_drop` the drop's row, each re-checked on its latest version (READ COMMITTED re-evaluates a locked row's
# WHERE): two pre-checkouts of one order serialise on the claim and the second finds it moved; an order that
# moved on (refunded, cancelled) is not held; and once the drop's row is locked and found available, nothing
# can refuse the unit after the allowance moved, so a refusal writes nothing. The allowance is taken within
# the limit, then the unit, then the claim and the order move to HELD. Locks are taken claim, order, drop,
# allowance: the order the hold-expiry job takes them in. Run on its own (autocommit), every lock ends with
# the statement, not one client round trip later at a COMMIT.
_HOLD_UNITS_PG = text(
    f"""
WITH waiting AS (
    SELECT drop_claims.order_id FROM drop_claims JOIN orders ON orders.id = drop_claims.order_id
    WHERE drop_claims.order_id = :order_id AND drop_claims.status = ANY(CAST(:claim_from AS VARCHAR[]))
      AND orders.status = ANY(CAST(:order_from AS VARCHAR[]))
    FOR UPDATE
), open_drop AS (
    SELECT id FROM drops WHERE {_AVAILABLE_PG} AND EXISTS (SELECT 1 FROM waiting)
    FOR UPDATE
), {_ALLOWANCE_THEN_UNIT_PG}, held AS (
    UPDATE drop_claims SET status = :held, expires_at = :expires_at
    WHERE order_id = :order_id AND status = ANY(CAST(:claim_from AS VARCHAR[])) AND EXISTS (SELECT 1 FROM unit)
    RETURNING order_id
), order_held AS (
    UPDATE orders SET status = :order_held
    WHERE id = :order_id AND status = ANY(CAST(:order_from AS VARCHAR[])) AND EXISTS (SELECT 1 FROM held)
    RETURNING id
)
SELECT
    EXISTS (SELECT 1 FROM waiting) AS waiting,
    EXISTS (SELECT 1 FROM open_drop) AS available,
    EXISTS (SELECT 1 FROM allowance) AS allowed,
    EXISTS (SELECT 1 FROM unit) AS taken,
    EXISTS (SELECT 1 FROM held) AND EXISTS (SELECT 1 FROM order_held) AS held,
    (SELECT used FROM drop_allowances WHERE drop_id = :drop_id AND user_id = :user_id) AS used
"""
).bindparams(*_CLAIM_PARAMETERS, bindparam("order_id", type_=Integer), bindparam("expires_at", type_=UTCDateTime()))

_CLAIM_WAITING_SQLITE = text(
    """
SELECT 1 FROM drop_claims JOIN orders ON orders.id = drop_claims.order_id
WHERE drop_claims.order_id = :order_id AND drop_claims.status IN :claim_from AND orders.status IN :order_from
"""
).bindparams(bindparam("claim_from", expanding=True), bindparam("order_from", expanding=True))

_ALLOWANCE_USED = text("SELECT used FROM drop_allowances WHERE drop_id = :drop_id AND user_id = :user_id")


def _give_back_allowance(drop_id: int, user_id: int, quantity: int) -> Update:
    """The member's units on the drop -= quantity, never below zero."""
    return (
        update(drop_allowances)
        .where(
            drop_allowances.c.drop_id == drop_id,
            drop_allowances.c.user_id == user_id,
            drop_allowances.c.used >= quantity,
        )
        .values(used=drop_allowances.c.used - quantity)
    )


def _claim_transition(order_id: int, from_statuses: Sequence[ClaimStatus], values: dict[str, Any]) -> Update:
    """The claim's move (`values` holds its new status) if it is in one of `from_statuses`."""
    return (
        update(drop_claims)
        .where(drop_claims.c.order_id == order_id, drop_claims.c.status.in_(_values(from_statuses)))
        .values(values)
    )


class SqlDropRepository(SqlRepository):
    async def add(
        self,
        plan: DropPlan,
        title: str,
        status: DropStatus,
        created_by: int,
        now: datetime,
        seed: str | None,
        seed_hash: str | None,
        pseudonym_key: str | None = None,
        beacon: BeaconRound | None = None,
        key: str | None = None,
    ) -> Drop:
        values = (
            _plan_values(plan, title)
            | {
                "file_key": key,
                "status": status.value,
                "created_by": created_by,
                "created_at": now,
                "claimed": 0,
                "sold": 0,
                "revenue": 0,
                "seed": seed,
                "seed_hash": seed_hash,
                "pseudonym_key": pseudonym_key,
                "entrants": 0,
            }
            | _beacon_values(beacon)
        )
        row = (await self._session.execute(insert(drops).values(values).returning(drops))).mappings().one()
        return _drop(row)

    async def get(self, drop_id: int) -> Drop | None:
        row = (await self._session.execute(select(drops).where(drops.c.id == drop_id))).mappings().first()
        return _drop(row) if row is not None else None

    async def by_key(self, brand_id: int, key: str) -> Drop | None:
        query = select(drops).where(drops.c.brand_id == brand_id, drops.c.file_key == key)
        row = (await self._session.execute(query)).mappings().first()
        return _drop(row) if row is not None else None

    async def set_key(self, drop_id: int, key: str) -> bool:
        statement = update(drops).where(drops.c.id == drop_id, drops.c.file_key.is_(None)).values(file_key=key)
        return rowcount(await self._session.execute(statement)) == 1

    async def same_plan(self, plan: DropPlan) -> Sequence[Drop]:
        query = (
            select(drops)
            .where(
                drops.c.brand_id == plan.brand_id,
                drops.c.product_id == plan.product_id,
                drops.c.starts_at == plan.starts_at,
                drops.c.ends_at == plan.ends_at,
            )
            .order_by(drops.c.id)
        )
        found = [_drop(row) for row in (await self._session.execute(query)).mappings()]
        return [drop for drop in found if drop.plan == plan]

    async def listing(
        self, brand_ids: Sequence[int] | None, statuses: Sequence[DropStatus], limit: int
    ) -> Sequence[Drop]:
        query = select(drops).order_by(drops.c.starts_at.desc(), drops.c.id.desc()).limit(limit)
        if brand_ids is not None:
            query = query.where(drops.c.brand_id.in_(list(brand_ids)))
        if statuses:
            query = query.where(drops.c.status.in_(_values(statuses)))
        return [_drop(row) for row in (await self._session.execute(query)).mappings()]

    async def replan(
        self,
        drop_id: int,
        plan: DropPlan,
        title: str,
        from_statuses: Sequence[DropStatus],
        beacon: BeaconRound | None = None,
    ) -> bool:
        values = _plan_values(plan, title) | {"revision": drops.c.revision + 1} | _beacon_values(beacon)
        statement = (
            update(drops).where(drops.c.id == drop_id, drops.c.status.in_(_values(from_statuses))).values(values)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def transition(
        self, drop_id: int, from_statuses: Sequence[DropStatus], to_status: DropStatus, at: datetime
    ) -> bool:
        values: dict[str, Any] = {"status": to_status.value}
        if to_status is DropStatus.OPEN:
            values["opened_at"] = at
        elif to_status in (DropStatus.CLOSED, DropStatus.CANCELLED):
            values["closed_at"] = at
        statement = (
            update(drops).where(drops.c.id == drop_id, drops.c.status.in_(_values(from_statuses))).values(values)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def with_status(self, statuses: Sequence[DropStatus]) -> Sequence[Drop]:
        query = select(drops).where(drops.c.status.in_(_values(statuses))).order_by(drops.c.starts_at, drops.c.id)
        return [_drop(row) for row in (await self._session.execute(query)).mappings()]

    async def for_brands(self, brand_ids: Sequence[int], limit: int) -> Sequence[Drop]:
        query = select(drops).where(drops.c.brand_id.in_(list(brand_ids))).order_by(drops.c.id.desc()).limit(limit)
        return [_drop(row) for row in (await self._session.execute(query)).mappings()]

    async def mark_teaser(self, drop_id: int, minutes: int) -> bool:
        statement = (
            update(drops)
            .where(
                drops.c.id == drop_id,
                drops.c.status == DropStatus.SCHEDULED.value,
                or_(drops.c.last_teaser_minutes.is_(None), drops.c.last_teaser_minutes > minutes),
            )
            .values(last_teaser_minutes=minutes)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def claim_units(self, drop_id: int, quantity: int, statuses: Sequence[DropStatus]) -> bool:
        if quantity < 1:
            raise ValueError(f"claim_units needs a positive quantity, got {quantity}")
        statement = _CLAIM_UNITS_PG if self._dialect == "postgresql" else _CLAIM_UNITS_SQLITE
        parameters = {"drop_id": drop_id, "quantity": quantity, "statuses": _values(statuses)}
        return rowcount(await self._session.execute(statement, parameters)) == 1

    async def claim_for_member(
        self, drop_id: int, user_id: int, quantity: int, limit: int, statuses: Sequence[DropStatus]
    ) -> UnitsTaken:
        if quantity < 1:
            raise ValueError(f"claim_for_member needs a positive quantity, got {quantity}")
        parameters = {
            "drop_id": drop_id,
            "user_id": user_id,
            "quantity": quantity,
            "limit": limit,
            "statuses": _values(statuses),
        }
        if self._dialect == "postgresql":
            row = (await self._session.execute(_CLAIM_FOR_MEMBER_PG, parameters)).one()
            if row.taken:
                return UnitsTaken.TAKEN
            if row.available and not row.allowed:
                return UnitsTaken.LIMIT_REACHED
            if row.allowed:  # a concurrent buyer took the last unit after this statement's snapshot
                await self._give_back(drop_id, user_id, quantity)
                return UnitsTaken.SOLD_OUT
            used = row.used or 0  # the drop refused: which refusal the member hears is all that is left
            return UnitsTaken.LIMIT_REACHED if used + quantity > limit else UnitsTaken.SOLD_OUT
        allowed = (await self._session.execute(_TAKE_ALLOWANCE_SQLITE, parameters)).first() is not None
        if not allowed:
            used = (await self._session.execute(_ALLOWANCE_USED, parameters)).scalar() or 0
            return UnitsTaken.LIMIT_REACHED if used + quantity > limit else UnitsTaken.SOLD_OUT
        if rowcount(await self._session.execute(_CLAIM_UNITS_SQLITE, parameters)) != 1:  # pragma: no cover
            await self._give_back(drop_id, user_id, quantity)  # the writer lock makes this unreachable
            return UnitsTaken.SOLD_OUT
        return UnitsTaken.TAKEN

    async def hold_units(self, hold: UnitsHold) -> UnitsTaken:
        if hold.quantity < 1:
            raise ValueError(f"hold_units needs a positive quantity, got {hold.quantity}")
        parameters = {
            "order_id": hold.order_id,
            "drop_id": hold.drop_id,
            "user_id": hold.user_id,
            "quantity": hold.quantity,
            "limit": hold.limit,
            "statuses": _values(hold.drop_statuses),
            "claim_from": _values(hold.claim_from),
            "order_from": _values(hold.order_from),
            "expires_at": hold.expires_at,
        }
        if self._dialect != "postgresql":
            # SQLite's writers are serialised: what is read here stands until the commit.
            if (await self._session.execute(_CLAIM_WAITING_SQLITE, parameters)).first() is None:
                return UnitsTaken.NOT_WAITING
            taken = await self.claim_for_member(
                hold.drop_id, hold.user_id, hold.quantity, hold.limit, hold.drop_statuses
            )
            if taken is UnitsTaken.TAKEN:
                held = {"status": ClaimStatus.HELD.value, "expires_at": hold.expires_at}
                await self._session.execute(_claim_transition(hold.order_id, hold.claim_from, held))
                await self._session.execute(order_transition(hold.order_id, hold.order_from, OrderStatus.HELD))
            return taken
        parameters |= {"held": ClaimStatus.HELD.value, "order_held": OrderStatus.HELD.value}
        row = (await self._session.execute(_HOLD_UNITS_PG, parameters)).one()
        if row.held:
            return UnitsTaken.TAKEN
        if row.allowed:  # pragma: no cover - the rows locked in `waiting` and `open_drop` make this unreachable
            # Were it reached, what moved is given back (each statement on its own, like the hold).
            if row.taken:
                await self.release_units(hold.drop_id, hold.quantity)
            await self._give_back(hold.drop_id, hold.user_id, hold.quantity)
            return UnitsTaken.SOLD_OUT
        if not row.waiting:
            return UnitsTaken.NOT_WAITING
        if row.available:
            return UnitsTaken.LIMIT_REACHED
        used = row.used or 0  # the drop refused: which refusal the member hears is all that is left
        return UnitsTaken.LIMIT_REACHED if used + hold.quantity > hold.limit else UnitsTaken.SOLD_OUT

    async def _give_back(self, drop_id: int, user_id: int, quantity: int) -> None:
        await self._session.execute(_give_back_allowance(drop_id, user_id, quantity))

    async def release_units(self, drop_id: int, quantity: int) -> None:
        statement = (
            update(drops)
            .where(drops.c.id == drop_id, drops.c.claimed >= quantity)
            .values(claimed=drops.c.claimed - quantity)
        )
        await self._session.execute(statement)

    async def move_reserved(self, drop_id: int, from_units: int, to_units: int) -> bool:
        statement = update(drops).where(drops.c.id == drop_id, drops.c.reserved == from_units).values(reserved=to_units)
        return rowcount(await self._session.execute(statement)) == 1

    async def take_reserved(self, drop_id: int, quantity: int) -> bool:
        statement = (
            update(drops)
            .where(drops.c.id == drop_id, drops.c.reserved >= quantity)
            .values(reserved=drops.c.reserved - quantity)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def record_refund(self, drop_id: int, quantity: int, amount: int) -> None:
        statement = (
            update(drops)
            .where(drops.c.id == drop_id, drops.c.sold >= quantity)
            .values(
                sold=drops.c.sold - quantity,
                refunded=drops.c.refunded + quantity,
                revenue=drops.c.revenue - amount,
            )
        )
        await self._session.execute(statement)

    async def live_for_product(self, product_id: int) -> Sequence[Drop]:
        live = _values((DropStatus.SCHEDULED, DropStatus.OPEN))
        query = (
            select(drops)
            .where(drops.c.product_id == product_id, drops.c.status.in_(live))
            .order_by(drops.c.starts_at, drops.c.id)
        )
        return [_drop(row) for row in (await self._session.execute(query)).mappings()]

    async def record_sale(self, drop_id: int, quantity: int, amount: int, now: datetime) -> None:
        sold_out = case((drops.c.sold + quantity >= drops.c.quantity, now), else_=None)
        statement = (
            update(drops)
            .where(drops.c.id == drop_id)
            .values(
                sold=drops.c.sold + quantity,
                revenue=drops.c.revenue + amount,
                sold_out_at=func.coalesce(drops.c.sold_out_at, sold_out),
            )
        )
        await self._session.execute(statement)

    async def mark_drawn(
        self, drop_id: int, now: datetime, draw_seed: str | None = None, beacon: BeaconValue | None = None
    ) -> bool:
        values: dict[str, Any] = {"drawn_at": now, "draw_seed": draw_seed}
        if beacon is not None:
            values |= {"beacon_randomness": beacon.randomness.lower(), "beacon_signature": beacon.signature.lower()}
        statement = update(drops).where(drops.c.id == drop_id, drops.c.drawn_at.is_(None)).values(values)
        return rowcount(await self._session.execute(statement)) == 1

    async def count_entrant(self, drop_id: int) -> bool:
        statement = (
            update(drops)
            .where(drops.c.id == drop_id, drops.c.status == DropStatus.OPEN.value)
            .values(entrants=drops.c.entrants + 1)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def freeze_entrants(self, drop_id: int, digest: str) -> bool:
        statement = (
            update(drops).where(drops.c.id == drop_id, drops.c.entrants_digest.is_(None)).values(entrants_digest=digest)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def mark_reported(self, drop_id: int, now: datetime) -> bool:
        statement = update(drops).where(drops.c.id == drop_id, drops.c.reported_at.is_(None)).values(reported_at=now)
        return rowcount(await self._session.execute(statement)) == 1

    async def add_target(self, drop_id: int, chat_id: int) -> bool:
        statement = (
            self._insert(drop_targets)
            .values(drop_id=drop_id, chat_id=chat_id)
            .on_conflict_do_nothing(index_elements=[drop_targets.c.drop_id, drop_targets.c.chat_id])
            .returning(drop_targets.c.chat_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def targets(self, drop_id: int) -> Sequence[DropTarget]:
        query = select(drop_targets).where(drop_targets.c.drop_id == drop_id).order_by(drop_targets.c.chat_id)
        return [
            DropTarget(row["drop_id"], row["chat_id"], row["announced_remaining"], row["last_edit_key"])
            for row in (await self._session.execute(query)).mappings()
        ]

    async def set_announced(self, drop_id: int, chat_id: int, remaining: int, edit_key: str | None) -> None:
        statement = (
            update(drop_targets)
            .where(drop_targets.c.drop_id == drop_id, drop_targets.c.chat_id == chat_id)
            .values(announced_remaining=remaining, last_edit_key=edit_key)
        )
        await self._session.execute(statement)

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._rekey(user_id, pseudonym, drops.c.created_by)


def _claim(row: RowMapping) -> DropClaim:
    return DropClaim(
        order_id=row["order_id"],
        drop_id=row["drop_id"],
        user_id=row["user_id"],
        quantity=row["quantity"],
        status=ClaimStatus(row["status"]),
        expires_at=row["expires_at"],
        created_at=row["created_at"],
        paid_at=row["paid_at"],
    )


class SqlDropClaimRepository(SqlRepository):
    async def add(self, claim: DropClaim) -> None:
        values = {
            "order_id": claim.order_id,
            "drop_id": claim.drop_id,
            "user_id": claim.user_id,
            "quantity": claim.quantity,
            "status": claim.status.value,
            "expires_at": claim.expires_at,
            "created_at": claim.created_at,
            "paid_at": claim.paid_at,
        }
        await self._session.execute(insert(drop_claims).values(values))

    async def get(self, order_id: int) -> DropClaim | None:
        query = select(drop_claims).where(drop_claims.c.order_id == order_id)
        row = (await self._session.execute(query)).mappings().first()
        return _claim(row) if row is not None else None

    async def open_for(self, drop_id: int, user_id: int) -> DropClaim | None:
        query = (
            select(drop_claims)
            .where(
                drop_claims.c.drop_id == drop_id,
                drop_claims.c.user_id == user_id,
                drop_claims.c.status.in_([ClaimStatus.PENDING.value, ClaimStatus.HELD.value]),
            )
            .order_by(drop_claims.c.order_id.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).mappings().first()
        return _claim(row) if row is not None else None

    async def give_back_allowance(self, drop_id: int, user_id: int, quantity: int) -> None:
        await self._session.execute(_give_back_allowance(drop_id, user_id, quantity))

    async def allowance_used(self, drop_id: int, user_id: int) -> int:
        query = select(drop_allowances.c.used).where(
            drop_allowances.c.drop_id == drop_id, drop_allowances.c.user_id == user_id
        )
        return int((await self._session.execute(query)).scalar() or 0)

    async def transition(
        self,
        order_id: int,
        from_statuses: Sequence[ClaimStatus],
        to_status: ClaimStatus,
        expires_at: datetime | None = None,
        paid_at: datetime | None = None,
        lapsed_by: datetime | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": to_status.value}
        if expires_at is not None:
            values["expires_at"] = expires_at
        if paid_at is not None:
            values["paid_at"] = paid_at
        statement = _claim_transition(order_id, from_statuses, values)
        if lapsed_by is not None:
            statement = statement.where(drop_claims.c.expires_at <= lapsed_by)
        return rowcount(await self._session.execute(statement)) == 1

    async def extend(self, order_id: int, expires_at: datetime) -> bool:
        statement = (
            update(drop_claims)
            .where(drop_claims.c.order_id == order_id, drop_claims.c.status == ClaimStatus.HELD.value)
            .values(expires_at=expires_at)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def due(self, now: datetime, limit: int) -> Sequence[DropClaim]:
        query = (
            select(drop_claims)
            .where(drop_claims.c.status == ClaimStatus.HELD.value, drop_claims.c.expires_at <= now)
            .order_by(drop_claims.c.expires_at, drop_claims.c.order_id)
            .limit(limit)
        )
        return [_claim(row) for row in (await self._session.execute(query)).mappings()]

    async def paid(self, drop_id: int) -> Sequence[DropClaim]:
        query = (
            select(drop_claims)
            .where(drop_claims.c.drop_id == drop_id, drop_claims.c.status == ClaimStatus.PAID.value)
            .order_by(drop_claims.c.paid_at, drop_claims.c.order_id)
        )
        return [_claim(row) for row in (await self._session.execute(query)).mappings()]

    async def held_count(self, drop_id: int) -> int:
        query = (
            select(func.count())
            .select_from(drop_claims)
            .where(drop_claims.c.drop_id == drop_id, drop_claims.c.status == ClaimStatus.HELD.value)
        )
        return int((await self._session.execute(query)).scalar_one())

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._rekey(user_id, pseudonym, drop_claims.c.user_id, drop_allowances.c.user_id)


def _entry(row: RowMapping) -> RaffleEntry:
    return RaffleEntry(
        drop_id=row["drop_id"],
        user_id=row["user_id"],
        entered_at=row["entered_at"],
        status=EntryStatus(row["status"]),
        rank=row["rank"],
        offer_expires_at=row["offer_expires_at"],
        pseudonym=row["pseudonym"],
    )


class SqlDropFanRepository(SqlRepository):
    async def add_reminder(self, drop_id: int, user_id: int, now: datetime) -> bool:
        statement = (
            self._insert(drop_reminders)
            .values(drop_id=drop_id, user_id=user_id, created_at=now)
            .on_conflict_do_nothing(index_elements=[drop_reminders.c.drop_id, drop_reminders.c.user_id])
            .returning(drop_reminders.c.user_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def reminders(self, drop_id: int) -> Sequence[int]:
        query = (
            select(drop_reminders.c.user_id)
            .where(drop_reminders.c.drop_id == drop_id)
            .order_by(drop_reminders.c.user_id)
        )
        return list((await self._session.execute(query)).scalars())

    async def enter(self, drop_id: int, user_id: int, now: datetime, pseudonym: str | None = None) -> bool:
        statement = (
            self._insert(drop_entries)
            .values(
                drop_id=drop_id,
                user_id=user_id,
                entered_at=now,
                status=EntryStatus.ENTERED.value,
                pseudonym=pseudonym,
            )
            .on_conflict_do_nothing(index_elements=[drop_entries.c.drop_id, drop_entries.c.user_id])
            .returning(drop_entries.c.user_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def entry(self, drop_id: int, user_id: int) -> RaffleEntry | None:
        query = select(drop_entries).where(drop_entries.c.drop_id == drop_id, drop_entries.c.user_id == user_id)
        row = (await self._session.execute(query)).mappings().first()
        return _entry(row) if row is not None else None

    async def by_pseudonym(self, drop_id: int, pseudonym: str) -> RaffleEntry | None:
        query = select(drop_entries).where(drop_entries.c.drop_id == drop_id, drop_entries.c.pseudonym == pseudonym)
        row = (await self._session.execute(query)).mappings().first()
        return _entry(row) if row is not None else None

    async def entries(self, drop_id: int) -> Sequence[RaffleEntry]:
        query = (
            select(drop_entries)
            .where(drop_entries.c.drop_id == drop_id)
            .order_by(drop_entries.c.rank.is_(None), drop_entries.c.rank, drop_entries.c.user_id)
        )
        return [_entry(row) for row in (await self._session.execute(query)).mappings()]

    async def set_rank(self, drop_id: int, user_id: int, rank: int) -> None:
        statement = (
            update(drop_entries)
            .where(drop_entries.c.drop_id == drop_id, drop_entries.c.user_id == user_id)
            .values(rank=rank)
        )
        await self._session.execute(statement)

    async def move_entry(
        self,
        drop_id: int,
        user_id: int,
        from_statuses: Sequence[EntryStatus],
        to_status: EntryStatus,
        offer_expires_at: datetime | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": to_status.value}
        if offer_expires_at is not None:
            values["offer_expires_at"] = offer_expires_at
        statement = (
            update(drop_entries)
            .where(
                drop_entries.c.drop_id == drop_id,
                drop_entries.c.user_id == user_id,
                drop_entries.c.status.in_(_values(from_statuses)),
            )
            .values(values)
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def lapsed_offers(self, now: datetime, limit: int) -> Sequence[RaffleEntry]:
        query = (
            select(drop_entries)
            .where(drop_entries.c.status == EntryStatus.OFFERED.value, drop_entries.c.offer_expires_at <= now)
            .order_by(drop_entries.c.offer_expires_at, drop_entries.c.drop_id, drop_entries.c.rank)
            .limit(limit)
        )
        return [_entry(row) for row in (await self._session.execute(query)).mappings()]

    async def next_in_line(self, drop_id: int, count: int) -> Sequence[RaffleEntry]:
        query = (
            select(drop_entries)
            .where(
                drop_entries.c.drop_id == drop_id,
                drop_entries.c.status == EntryStatus.ENTERED.value,
                drop_entries.c.rank.is_not(None),
            )
            .order_by(drop_entries.c.rank)
            .limit(count)
        )
        return [_entry(row) for row in (await self._session.execute(query)).mappings()]

    async def count(self, drop_id: int, statuses: Sequence[EntryStatus]) -> int:
        query = (
            select(func.count())
            .select_from(drop_entries)
            .where(drop_entries.c.drop_id == drop_id, drop_entries.c.status.in_(_values(statuses)))
        )
        return int((await self._session.execute(query)).scalar_one())

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._session.execute(delete(drop_reminders).where(drop_reminders.c.user_id == user_id))
        await self._rekey(user_id, pseudonym, drop_entries.c.user_id)
