"""Charts draw Chinese with the font the project ships, not as empty boxes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bots.core.callbacks import CallbackCodec
from bots.core.charts import CJK_FAMILY, FAMILIES, FONT_FILE, chart_style, png
from bots.core.context import BotSettings, Context, Services
from bots.core.drops import views
from bots.core.drops.chart import ChartLabels, sales_figure
from bots.core.i18n import Translations
from bots.core.memberships.chart import revenue_chart
from domain.memberships.report import MonthRevenue
from domain.money import Money
from tests.support.clock import FakeClock

TITLE = "荷花版画限量发售 · 第二批「青瓷」"  # a drop report's title: the product's name, as a brand wrote it
LABELS = ChartLabels(
    per_period="每个时段", total="累计", time="开售后时间（{unit}）", units_paid="已付款件数", minutes="分钟"
)


def _charmap(family: str) -> tuple[Path, set[int]]:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = Path(
        font_manager.fontManager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    )
    return path, set(FT2Font(str(path)).get_charmap())


def _font_for(char: str, families: list[str]) -> Path | None:
    """The font matplotlib draws `char` with: the first of the fallback families that has a glyph for it."""
    for family in families:
        path, charmap = _charmap(family)
        if ord(char) in charmap:
            return path
    return None


def test_a_chinese_chart_title_is_drawn_with_the_shipped_font_that_has_every_glyph() -> None:
    with chart_style():
        figure = sales_figure([3, 5, 2, 0, 1], 60, TITLE, LABELS)
        texts = [figure.axes[0].get_title(), figure.axes[0].get_xlabel(), figure.axes[0].get_ylabel()]
        families = list(figure.axes[0].title.get_fontfamily())
        data = png(figure)
    assert data.startswith(b"\x89PNG")
    assert families == FAMILIES and CJK_FAMILY in families
    path, charmap = _charmap(CJK_FAMILY)
    assert path == FONT_FILE  # the committed font, not one of the machine's
    dejavu = _charmap("DejaVu Sans")[1]
    for text in texts:
        for char in text.replace(" ", ""):
            assert _font_for(char, families) is not None, f"no glyph for {char!r} in {text!r}"
    chinese = [c for c in TITLE if "\u4e00" <= c <= "\u9fff"]
    assert chinese and all(ord(c) in charmap for c in chinese)
    assert not any(ord(c) in dejavu for c in chinese)  # without our font these would be empty boxes
    if out := os.environ.get("CIRCLECART_CHART_OUT"):  # to look at it: CIRCLECART_CHART_OUT=/tmp pytest ...
        Path(out, "drop-report-zh.png").write_bytes(data)


def test_the_shipped_font_covers_simplified_and_traditional_chinese_and_the_bots_own_texts() -> None:
    _, charmap = _charmap(CJK_FAMILY)
    po = Path(__file__).resolve().parents[2] / "bots" / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
    han = {c for c in po.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"}
    assert len(han) > 300
    assert sorted(c for c in han if ord(c) not in charmap) == []
    assert all(ord(c) in charmap for c in "會員團購價錢臺灣香港澳門")  # traditional, for zh-TW / zh-HK titles


def test_the_revenue_chart_draws_its_chinese_title() -> None:
    revenue = (MonthRevenue("2026-10", Money(12000, "CNY")), MonthRevenue("2026-11", Money(30000, "CNY")))
    data = revenue_chart(revenue, "会员收入（按月）")
    assert data.startswith(b"\x89PNG") and len(data) > 5000
    if out := os.environ.get("CIRCLECART_CHART_OUT"):
        Path(out, "revenue-zh.png").write_bytes(data)


def test_a_chinese_brand_reads_its_drop_report_and_chart_in_chinese() -> None:
    nobody: Any = None
    services = Services(nobody, nobody, FakeClock(), Translations(), CallbackCodec(), BotSettings("bot"))
    params = {
        "drop_id": 7, "title": "荷花版画", "sold": 20, "quantity": 20, "refunded": 0, "revenue": "4000 ⭐",
        "sell_out_seconds": 125, "bucket_seconds": 10, "timeline": "3,5,4,2,1,1,0,2,1,0,0,1,0",
    }  # fmt: skip
    report = views.report(Context(services, "zh", None), params)
    assert "荷花版画" in report.text and "2分钟5秒钟" in report.text, report.text
    assert report.photo_bytes is not None and report.photo_bytes.startswith(b"\x89PNG")
    english = views.report(Context(services, "en", None), params)
    assert "Sold out in 2 minutes, 5 seconds" in english.text, english.text
    if out := os.environ.get("CIRCLECART_CHART_OUT"):
        Path(out, "drop-report-view-zh.png").write_bytes(report.photo_bytes)
