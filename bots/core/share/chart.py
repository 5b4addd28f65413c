"""The settlement chart as a PNG (matplotlib, Agg backend), drawn from `domain.share.report.chart_data`."""

from __future__ import annotations

import io

from domain.money import Money
from domain.share.report import METRICS


def settlement_chart(data: dict[str, dict[str, dict[str, int]]], title: str) -> bytes:
    """One panel per currency (never mixed); per month, grouped bars of gross, refunds, commission, fee and
    net in major units."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    currencies = list(data) or [""]
    figure = Figure(figsize=(7, 2.8 * len(currencies)), dpi=100)
    width = 0.8 / len(METRICS)
    for row, currency in enumerate(currencies, start=1):
        axes = figure.add_subplot(len(currencies), 1, row)
        months = list(data.get(currency, {}))
        for index, metric in enumerate(METRICS):
            # Display only: the exact amounts are in the CSV; a bar's height may be a float.
            heights = [float(Money(data[currency][m][metric], currency).major_text()) for m in months]
            axes.bar([i + index * width for i in range(len(months))], heights, width=width, label=metric)
        axes.set_xticks([i + width * (len(METRICS) - 1) / 2 for i in range(len(months))], months)
        axes.axhline(0, color="#555555", linewidth=0.6)
        axes.set_title(f"{title[:50]} ({currency})" if currency else title[:60])
        if months:
            axes.legend(fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
