"""The sales-over-time chart of a drop report, as PNG bytes (matplotlib, headless Agg backend)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bots.core.charts import chart_style, png

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The chart's words in the reader's language; `time` has a {unit} placeholder."""

    per_period: str = "per period"
    total: str = "total"
    time: str = "time since opening ({unit})"
    units_paid: str = "units paid"
    minutes: str = "min"
    seconds: str = "s"


def sales_figure(timeline: Sequence[int], bucket_seconds: int, title: str, labels: ChartLabels | None = None) -> Figure:
    """The chart as a matplotlib Figure, drawn inside `chart_style()` (so its text can be checked)."""
    from matplotlib.figure import Figure

    words = labels or ChartLabels()
    unit, scale = (words.minutes, 60) if bucket_seconds >= 60 else (words.seconds, 1)
    xs = [i * bucket_seconds / scale for i in range(len(timeline))]
    cumulative = []
    total = 0
    for count in timeline:
        total += count
        cumulative.append(total)
    figure = Figure(figsize=(6, 3.2), dpi=100)
    axes = figure.add_subplot()
    width = bucket_seconds / scale * 0.8
    axes.bar(xs, list(timeline), width=width, align="edge", color="#7aa6c2", label=words.per_period)
    line_axes = axes.twinx()
    line_axes.plot([x + bucket_seconds / scale for x in xs], cumulative, color="#c2557a", label=words.total)
    axes.set_xlabel(words.time.format(unit=unit))
    axes.set_ylabel(words.units_paid)
    line_axes.set_ylabel(words.total)
    axes.set_title(title[:60])
    figure.tight_layout()
    return figure


def sales_chart(timeline: Sequence[int], bucket_seconds: int, title: str, labels: ChartLabels | None = None) -> bytes:
    with chart_style():
        return png(sales_figure(timeline, bucket_seconds, title, labels))
