"""Make the charts' Chinese font: a subset of Noto Sans CJK SC (SIL Open Font License 1.1).

The full font is 16 MB; the charts need the characters people write in titles and the bot's own texts.
The subset keeps ASCII and Latin-1, general and CJK punctuation, full-width forms, and every Han character
of GB 2312 (simplified Chinese, 6,763) and Big5 (traditional Chinese, 13,060), so a drop titled in either
script draws. Rebuild it (fontTools comes with matplotlib) from Debian's fonts-noto-cjk or upstream's
NotoSansCJK-Regular.ttc / NotoSansCJKsc-Regular.otf:

    .venv/bin/python scripts/subset_cjk_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

It writes bots/core/fonts/NotoSansCJKsc-Regular-subset.otf; the licence is bots/core/fonts/OFL.txt.
Under the OFL a subset may not carry the reserved font name, so it is renamed "circlecart CJK Sans".
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

OUT = Path(__file__).resolve().parents[1] / "bots" / "core" / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
FAMILY = "circlecart CJK Sans"
RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1
    (0x2000, 0x206F),  # general punctuation: “ ” … ·
    (0x2190, 0x21FF),  # arrows
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。《》「」
    (0xFF00, 0xFFEF),  # full-width forms: ，：！？（）
]


def characters() -> list[int]:
    wanted = {c for low, high in RANGES for c in range(low, high + 1)}
    for code in range(0x4E00, 0xA000):  # CJK unified ideographs
        char = chr(code)
        for encoding in ("gb2312", "big5"):
            try:
                char.encode(encoding)
            except UnicodeEncodeError:
                continue
            wanted.add(code)
            break
    return sorted(wanted)


def load(path: Path) -> TTFont:
    if path.suffix.lower() == ".ttc":
        for font in TTCollection(str(path)).fonts:
            if font["name"].getDebugName(4) == "Noto Sans CJK SC":
                return font
        raise SystemExit(f"{path} has no Noto Sans CJK SC face")
    return TTFont(str(path))


def main(source: str) -> None:
    font = load(Path(source))
    options = subset.Options()
    options.layout_features = ["kern", "liga", "ccmp"]  # no vertical or locale alternates: charts are horizontal
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "") + "-Regular"
        elif record.nameID == 3:
            record.string = f"{FAMILY} Regular; subset of Noto Sans CJK SC"
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [FAMILY.replace(" ", "") + "-Regular"]
        top = cff.topDictIndex[0]
        for key in ("FullName", "FamilyName"):
            if hasattr(top, key):
                setattr(top, key, FAMILY)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    print(f"{OUT}: {OUT.stat().st_size} bytes, {len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main(sys.argv[1])
