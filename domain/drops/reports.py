"""The brand's report after a drop: units sold, revenue, time to sell out, and sales over time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.drops.model import Drop, DropClaim
from domain.money import Money

MAX_BUCKETS = 60


@dataclass(frozen=True, slots=True)
class DropReport:
    drop: Drop
    sold: int
    revenue: Money
    time_to_sell_out: timedelta | None
    bucket_seconds: int
    timeline: tuple[int, ...]  # units paid per bucket since the start

    def params(self) -> dict[str, str | int | None]:
        return {
            "drop_id": self.drop.id,
            "title": self.drop.title,
            "sold": self.sold,
            "quantity": self.drop.quantity,
            "refunded": self.drop.refunded,
            "revenue": self.revenue.display(),
            "sell_out_seconds": int(self.time_to_sell_out.total_seconds()) if self.time_to_sell_out else None,
            "bucket_seconds": self.bucket_seconds,
            "timeline": ",".join(str(n) for n in self.timeline),
        }


def bucket_size(span: timedelta) -> int:
    """A round bucket (seconds) giving at most MAX_BUCKETS bars over `span`."""
    for size in (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 21600, 86400):
        if span.total_seconds() / size <= MAX_BUCKETS:
            return size
    return 86400 * 7


def build_report(drop: Drop, sales: Sequence[DropClaim], now: datetime) -> DropReport:
    start = drop.opened_at or drop.starts_at
    if drop.is_raffle and drop.drawn_at is not None:
        start = drop.drawn_at  # raffle sales begin at the draw
    paid_times = sorted(c.paid_at for c in sales if c.paid_at is not None)
    last = paid_times[-1] if paid_times else (drop.closed_at or now)
    size = bucket_size(max(last - start, timedelta(seconds=1)))
    buckets = [0] * (int(max(0.0, (last - start).total_seconds()) // size) + 1)
    for moment in paid_times:
        index = int(max(0.0, (moment - start).total_seconds()) // size)
        buckets[min(index, len(buckets) - 1)] += 1
    sold = sum(c.quantity for c in sales)
    sell_out = drop.sold_out_at - start if drop.sold_out_at is not None else None
    return DropReport(drop, sold, Money(drop.revenue, drop.price.currency), sell_out, size, tuple(buckets))
