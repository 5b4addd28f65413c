"""The monthly settlement: per brand, community and currency, gross, refunds, commission, fee and net.

Every sale and every refund is counted exactly once, in the first month settled at or after it happened
(one entry per order and kind, unique in storage). A refund made after its sale's month was settled is
therefore counted in a later month and takes back exactly what the sale gave: carried forward, never lost.
Settling a month twice changes nothing (the month is claimed first); months missed while the bot was
down are settled in order the next time the job runs. Only months that have ended are settled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from domain.actors import Actor
from domain.brands.roles import brand_by_name_or_id, require_brand_staff
from domain.communities import CommunityError
from domain.errors import DomainError
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.share.commission import rate_at
from domain.share.errors import ShareError
from domain.share.model import (
    NO_COMMUNITY,
    Entry,
    EntryKind,
    SettlementLine,
    month_end,
    month_key,
    month_start,
    next_month,
    share_of,
)
from domain.shop.products import Brand


async def months_due(uow: UnitOfWork, now: datetime) -> list[str]:
    """The ended months not settled yet, oldest first."""
    current = month_key(now)
    last = await uow.share.last_settled_month()
    if last is not None:
        first = next_month(last)
    else:
        before = month_start(current)
        pending = [s.paid_at for s in await uow.share.unsettled_sales(before)]
        pending += [s.refunded_at for s in await uow.share.unsettled_refunds(before) if s.refunded_at is not None]
        first = month_key(min(pending)) if pending else current
    months = []
    while first < current:
        months.append(first)
        first = next_month(first)
    return months


async def settle_month(uow: UnitOfWork, now: datetime, month: str, fee_bp: int) -> tuple[SettlementLine, ...] | None:
    """Settle `month` (YYYY-MM, ended); None when it was settled already."""
    if month >= month_key(now) or not await uow.share.mark_settled(month, now):
        return None
    before = month_end(month)
    offers = list(await uow.share.accepted_offers())
    entries: list[Entry] = []
    for sale in await uow.share.unsettled_sales(before):
        rate = (
            0 if sale.community_id == NO_COMMUNITY else rate_at(offers, sale.brand_id, sale.community_id, sale.paid_at)
        )
        entries.append(
            Entry(
                sale.order_id, EntryKind.SALE, month, sale.brand_id, sale.community_id, sale.currency,
                sale.amount, share_of(sale.amount, rate), share_of(sale.amount, fee_bp), rate,
            )
        )  # fmt: skip
    refunded = list(await uow.share.unsettled_refunds(before))
    sold = {e.order_id: e for e in entries}
    sold.update({e.order_id: e for e in await uow.share.sale_entries(s.order_id for s in refunded)})
    for sale in refunded:
        original = sold.get(sale.order_id)
        if original is None:  # its sale is not counted yet (paid after this month): the refund waits for it
            continue
        entries.append(
            Entry(
                sale.order_id, EntryKind.REFUND, month, original.brand_id, original.community_id, original.currency,
                original.amount, original.commission, original.fee, original.rate_bp,
            )
        )  # fmt: skip
    await uow.share.add_entries(entries)
    lines = summarise(month, entries)
    await uow.share.add_lines(lines, now)
    return lines


async def settle_due(uow_factory: UnitOfWorkFactory, now: datetime, fee_bp: int) -> list[str]:
    """Settle every ended month not settled yet, oldest first, one transaction each; the months settled."""
    async with uow_factory() as uow:
        months = await months_due(uow, now)
    settled = []
    for month in months:
        async with uow_factory() as uow:
            lines = await settle_month(uow, now, month, fee_bp)
            await uow.commit()
        if lines is not None:
            settled.append(month)
    return settled


def summarise(month: str, entries: Iterable[Entry]) -> tuple[SettlementLine, ...]:
    """One line per brand, community and currency: a refund subtracts what its sale added."""
    totals: dict[tuple[int, int, str], list[int]] = {}
    for e in entries:
        sign = 1 if e.kind is EntryKind.SALE else -1
        t = totals.setdefault((e.brand_id, e.community_id, e.currency), [0, 0, 0, 0])
        if sign > 0:
            t[0] += e.amount
        else:
            t[1] += e.amount
        t[2] += sign * e.commission
        t[3] += sign * e.fee
    return tuple(
        SettlementLine(month, brand, community, currency, *t)
        for (brand, community, currency), t in sorted(totals.items())
    )


def totals(lines: Sequence[SettlementLine]) -> dict[str, SettlementLine]:
    """Sums per currency (never across currencies), as lines with month, brand and community 0/empty."""
    out: dict[str, SettlementLine] = {}
    for line in lines:
        t = out.get(line.currency) or SettlementLine("", 0, 0, line.currency, 0, 0, 0, 0)
        out[line.currency] = SettlementLine(
            "", 0, 0, line.currency, t.gross + line.gross, t.refunds + line.refunds,
            t.commission + line.commission, t.fee + line.fee,
        )  # fmt: skip
    return dict(sorted(out.items()))


async def earnings(uow: UnitOfWork, actor: Actor, community_id: int) -> tuple[SettlementLine, ...]:
    """A group's settled lines, for its current admins."""
    actor.require_group_admin(community_id, refusal=CommunityError.MODERATORS_ONLY)
    return tuple(await uow.share.lines(community_id=community_id))


async def brand_settlement(uow: UnitOfWork, actor: Actor, brand_text: str) -> tuple[Brand, tuple[SettlementLine, ...]]:
    """A brand's settled lines, for its staff (and the operator). No name: the staff member's only brand."""
    if not brand_text.strip():
        mine = await uow.brand_staff.brands_of(actor.user_id)
        if len(mine) != 1:
            raise DomainError(ShareError.NAME_BRAND)
        brand_text = str(mine[0])
    brand = await require_brand_staff(uow, actor, (await brand_by_name_or_id(uow, brand_text)).id)
    return brand, tuple(await uow.share.lines(brand_id=brand.id))
