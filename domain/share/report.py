"""The settlement as a CSV and as the data its chart draws: the same lines, the same totals.

Amounts in the CSV are integer minor units of the line's currency (cents, or whole Stars); a total row is
given per currency, never across currencies.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from domain.share.model import NO_COMMUNITY, SettlementLine
from domain.share.settlement import totals

CSV_HEADER = ("month", "brand_id", "community_id", "currency", "gross", "refunds", "commission", "platform_fee", "net")
METRICS = ("gross", "refunds", "commission", "fee", "net")


def _amounts(line: SettlementLine) -> list[str]:
    return [str(v) for v in (line.gross, line.refunds, line.commission, line.fee, line.net)]


def settlement_csv(lines: Sequence[SettlementLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        community = "" if line.community_id == NO_COMMUNITY else str(line.community_id)
        writer.writerow([line.month, str(line.brand_id), community, line.currency, *_amounts(line)])
    for total in totals(lines).values():
        writer.writerow(["total", "", "", total.currency, *_amounts(total)])
    return buffer.getvalue().encode()


def chart_data(lines: Sequence[SettlementLine]) -> dict[str, dict[str, dict[str, int]]]:
    """currency -> month -> metric -> minor units, summed over brands and communities."""
    data: dict[str, dict[str, dict[str, int]]] = {}
    pick: dict[str, Callable[[SettlementLine], int]] = {
        "gross": lambda x: x.gross,
        "refunds": lambda x: x.refunds,
        "commission": lambda x: x.commission,
        "fee": lambda x: x.fee,
        "net": lambda x: x.net,
    }
    for line in lines:
        month = data.setdefault(line.currency, {}).setdefault(line.month, dict.fromkeys(METRICS, 0))
        for metric in METRICS:
            month[metric] += pick[metric](line)
    return {c: dict(sorted(months.items())) for c, months in sorted(data.items())}
