"""What every chart shares: matplotlib's headless Agg backend and a font that draws Chinese.

Matplotlib's own font (DejaVu Sans) has no Chinese, so a Chinese title came out as empty boxes. The project
ships a font that has it: `fonts/NotoSansCJKsc-Regular-subset.otf`, a subset of Noto Sans CJK SC (SIL Open
Font License 1.1, `fonts/OFL.txt`; made by `scripts/subset_cjk_font.py`) with ASCII, Latin-1, Chinese
punctuation and every Han character of GB 2312 and Big5. Text is drawn with DejaVu Sans first and falls back,
glyph by glyph, to that font.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
CJK_FAMILY = "circlecart CJK Sans"
FAMILIES = ["DejaVu Sans", CJK_FAMILY]  # Latin from matplotlib's own font, the rest from ours


@cache
def _register_font() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(FONT_FILE))


@contextmanager
def chart_style() -> Iterator[None]:
    """Draw inside this: the Agg backend, our font registered, and text set in DejaVu Sans then CJK Sans."""
    _register_font()
    import matplotlib

    with matplotlib.rc_context({"font.family": FAMILIES}):
        yield


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
