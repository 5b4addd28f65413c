"""Rows for `circlecart export`: orders, members, payments and points, streamed from the database.

Each export is a header and an async stream of rows read through a server-side cursor in batches
(`yield_per`), so an export of a million orders holds one batch in memory, never the whole table. Amounts are
written in the currency's major unit as exact text (`Money.major_text`), with the currency beside them, as
spreadsheet and accounting tools expect; times are ISO 8601 in UTC.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from domain.money import Money
from storage.database import Database
from storage.memberships_tables import membership_payments, membership_plans, memberships
from storage.rewards_tables import points_entries
from storage.tables import members, order_lines, orders, payments

BATCH = 500
Cell = str | int | None


def _time(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _major(amount: int | None, currency: str | None) -> str:
    return Money(int(amount), currency).major_text() if amount is not None and currency else ""


@dataclass(frozen=True, slots=True)
class Export:
    header: tuple[str, ...]
    query: Callable[[datetime | None], Select[Any]]  # the rows, since a time (None: all)
    row: Callable[[Any], Sequence[Cell]]


def _from(query: Select[Any], column: ColumnElement[Any], since: datetime | None) -> Select[Any]:
    """The rows of `query` whose `column` is at or after `since` (all of them without one)."""
    return query.where(column >= since) if since is not None else query


def _orders(since: datetime | None) -> Select[Any]:
    query = (
        select(
            orders.c.id,
            orders.c.created_at,
            orders.c.paid_at,
            orders.c.status,
            orders.c.user_id,
            members.c.username,
            orders.c.community_id,
            order_lines.c.sku,
            order_lines.c.title,
            order_lines.c.quantity,
            order_lines.c.unit_price_amount,
            order_lines.c.currency,
            orders.c.shipping_amount,
            orders.c.points_discount,
            orders.c.ship_country,
        )
        .join(order_lines, order_lines.c.order_id == orders.c.id)
        .join(members, members.c.id == orders.c.user_id, isouter=True)
        .order_by(orders.c.id, order_lines.c.position)
    )
    return _from(query, orders.c.created_at, since)


def _order_row(r: Any) -> Sequence[Cell]:
    return (
        r.id,
        _time(r.created_at),
        _time(r.paid_at),
        r.status,
        r.user_id,
        r.username or "",
        r.community_id if r.community_id is not None else "",
        r.sku,
        r.title,
        r.quantity,
        _major(r.unit_price_amount, r.currency),
        _major(r.unit_price_amount * r.quantity, r.currency),
        r.currency,
        _major(r.shipping_amount, r.currency),
        _major(r.points_discount, r.currency),
        r.ship_country or "",
    )


def _members(since: datetime | None) -> Select[Any]:
    query = (
        select(
            members.c.id,
            members.c.first_name,
            members.c.username,
            func.coalesce(members.c.chosen_language, members.c.telegram_language).label("language"),
            members.c.started_bot,
            members.c.blocked_bot,
            members.c.created_at,
            memberships.c.plan_id,
            membership_plans.c.name.label("plan"),
            memberships.c.status.label("membership_status"),
            memberships.c.started_at,
            memberships.c.period_end,
        )
        .join(memberships, memberships.c.user_id == members.c.id, isouter=True)
        .join(membership_plans, membership_plans.c.id == memberships.c.plan_id, isouter=True)
        .order_by(members.c.id, memberships.c.plan_id)
    )
    return _from(query, members.c.created_at, since)


def _member_row(r: Any) -> Sequence[Cell]:
    return (
        r.id,
        r.first_name,
        r.username or "",
        r.language or "",
        "yes" if r.started_bot else "no",
        "yes" if r.blocked_bot else "no",
        _time(r.created_at),
        r.plan_id if r.plan_id is not None else "",
        r.plan or "",
        r.membership_status or "",
        _time(r.started_at),
        _time(r.period_end),
    )


def _payments(since: datetime | None) -> Select[Any]:
    plan = (
        select(membership_plans.c.name)
        .join(membership_payments, membership_payments.c.plan_id == membership_plans.c.id)
        .where(membership_payments.c.payment_id == payments.c.id)
        .scalar_subquery()
    )
    query = select(
        payments.c.id,
        payments.c.received_at,
        payments.c.user_id,
        payments.c.order_id,
        plan.label("plan"),
        payments.c.amount,
        payments.c.currency,
        payments.c.status,
        payments.c.refunded_at,
        payments.c.refund_reason,
        payments.c.telegram_charge_id,
        payments.c.provider_charge_id,
    ).order_by(payments.c.id)
    return _from(query, payments.c.received_at, since)


def _payment_row(r: Any) -> Sequence[Cell]:
    return (
        r.id,
        _time(r.received_at),
        r.user_id,
        r.order_id if r.order_id is not None else "",
        r.plan or "",
        _major(r.amount, r.currency),
        r.currency,
        r.status,
        _time(r.refunded_at),
        r.refund_reason or "",
        r.telegram_charge_id,
        r.provider_charge_id or "",
    )


def _points(since: datetime | None) -> Select[Any]:
    query = select(
        points_entries.c.id,
        points_entries.c.created_at,
        points_entries.c.user_id,
        points_entries.c.delta,
        points_entries.c.reason,
        points_entries.c.reference,
        points_entries.c.order_id,
        points_entries.c.expires_at,
    ).order_by(points_entries.c.id)
    return _from(query, points_entries.c.created_at, since)


def _points_row(r: Any) -> Sequence[Cell]:
    return (
        r.id,
        _time(r.created_at),
        r.user_id,
        r.delta,
        r.reason,
        r.reference,
        r.order_id if r.order_id is not None else "",
        _time(r.expires_at),
    )


EXPORTS: dict[str, Export] = {
    "orders": Export(
        (
            "order_id",
            "created_at",
            "paid_at",
            "status",
            "member_id",
            "username",
            "community_id",
            "sku",
            "title",
            "quantity",
            "unit_price",
            "line_total",
            "currency",
            "shipping",
            "points_discount",
            "ship_country",
        ),
        _orders,
        _order_row,
    ),
    "members": Export(
        (
            "member_id",
            "first_name",
            "username",
            "language",
            "started_bot",
            "blocked_bot",
            "first_seen_at",
            "plan_id",
            "plan",
            "membership_status",
            "membership_started_at",
            "period_end",
        ),
        _members,
        _member_row,
    ),
    "payments": Export(
        (
            "payment_id",
            "received_at",
            "member_id",
            "order_id",
            "plan",
            "amount",
            "currency",
            "status",
            "refunded_at",
            "refund_reason",
            "telegram_charge_id",
            "provider_charge_id",
        ),
        _payments,
        _payment_row,
    ),
    "points": Export(
        ("entry_id", "created_at", "member_id", "delta", "reason", "reference", "order_id", "expires_at"),
        _points,
        _points_row,
    ),
}


async def count(database: Database, kind: str, since: datetime | None) -> int:
    """How many rows `rows` will yield (for a progress bar)."""
    inner = EXPORTS[kind].query(since).order_by(None).subquery()
    async with database.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(inner))).scalar_one())


async def rows(database: Database, kind: str, since: datetime | None) -> AsyncIterator[Sequence[Cell]]:
    """The export's rows, read in batches of BATCH through a server-side cursor."""
    export = EXPORTS[kind]
    async with database.engine.connect() as connection:
        result = await connection.stream(export.query(since).execution_options(yield_per=BATCH))
        async for row in result:
            yield export.row(row)
