"""The sales-over-time chart of a drop report, as PNG bytes (matplotlib, headless Agg backend)."""

from __future__ import annotations

import io
from collections.abc import Sequence


def sales_chart(timeline: Sequence[int], bucket_seconds: int, title: str) -> bytes:
    # Imported here: matplotlib takes a while to import and only reports need it.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    unit, scale = ("min", 60) if bucket_seconds >= 60 else ("s", 1)
    xs = [i * bucket_seconds / scale for i in range(len(timeline))]
    cumulative = []
    total = 0
    for count in timeline:
        total += count
        cumulative.append(total)
    figure = Figure(figsize=(6, 3.2), dpi=100)
    axes = figure.add_subplot()
    axes.bar(xs, list(timeline), width=bucket_seconds / scale * 0.8, align="edge", color="#7aa6c2", label="per period")
    line_axes = axes.twinx()
    line_axes.plot([x + bucket_seconds / scale for x in xs], cumulative, color="#c2557a", label="total")
    axes.set_xlabel(f"time since opening ({unit})")
    axes.set_ylabel("units paid")
    line_axes.set_ylabel("total")
    axes.set_title(title[:60])
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
