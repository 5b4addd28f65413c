"""The owner's revenue chart as a PNG (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from bots.core.charts import chart_style, png
from domain.memberships.report import MonthRevenue


def revenue_chart(revenue: tuple[MonthRevenue, ...], title: str) -> bytes:
    """Bars of revenue per month in major units, one series per currency."""
    from matplotlib.figure import Figure

    months = sorted({row.month for row in revenue})
    currencies = sorted({row.amount.currency for row in revenue})
    with chart_style():
        figure = Figure(figsize=(6, 3.5), dpi=100)
        axes = figure.add_subplot()
        width = 0.8 / max(1, len(currencies))
        for index, currency in enumerate(currencies):
            totals = {row.month: row.amount for row in revenue if row.amount.currency == currency}
            # Display only: exact amounts are in the text; a bar's height may be a float.
            heights = [float(totals[m].major_text()) if m in totals else 0.0 for m in months]
            positions = [i + index * width for i in range(len(months))]
            axes.bar(positions, heights, width=width, label=currency)
        axes.set_xticks([i + width * (len(currencies) - 1) / 2 for i in range(len(months))], months)
        axes.set_title(title)
        if currencies:
            axes.legend()
        figure.tight_layout()
        return png(figure)
