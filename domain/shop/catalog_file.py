"""The catalog file: what `circlecart catalog import FILE` reads and `circlecart catalog export` writes.

Two formats carry the same fields, chosen by the file extension (`detect_format`):

YAML (``.yaml`` / ``.yml``)::

    products:
      - sku: TEA-SET-01          # unique; re-importing updates by SKU, never duplicates
        title: Celadon tea set
        description: Hand-thrown celadon teapot with four cups.
        price: 250               # in the currency's major unit; XTR (Telegram Stars) is whole stars
        currency: XTR
        stock: 20
        tags: [tea, ceramics]
        photo: https://example.org/tea.jpg   # optional: URL or Telegram file_id
        active: true             # optional, default true
        brand: Celadon Studio    # optional brand name
        kind: physical           # optional: physical (default), digital or service
        content: https://...     # digital goods only (required there): a link, a Telegram file_id, or
                                 # `pool`: a unique code per unit from the pool the brand uploads
        final_sale: false        # optional: true for custom or made-to-order goods, which cannot be returned
        return_days: 14          # optional: days a return may be asked for after delivery (default: the shop's)

CSV (``.csv``): comma-separated, UTF-8 (a leading byte-order mark is ignored), a header row with the same
column names (any order; optional columns may be left out), then one product per row. In CSV:

* ``tags`` are separated by semicolons: ``tea;ceramics``. A tag therefore can never contain ``;``
  (in either format, so every catalog can be exported to both).
* ``active`` is one of true/false/yes/no/1/0 (any case); empty means true.
* an empty ``description`` means no description, an empty ``photo``/``brand`` means none.
* blank rows are skipped.

Rules (checked for every product before anything is returned, so a bad file imports nothing):

* required: sku, title, price, currency, stock; any other field name is reported (it is probably a typo).
* sku: 1-40 characters of ``A-Z a-z 0-9 - _ .``; unique within the file (case-sensitive).
* title: 1-32 characters (Telegram invoice title limit); description: at most 255 (invoice description limit).
* price: a plain decimal number in the currency's major unit (``2.50`` USD, ``250`` XTR), read from the file's
  text and never through float; more than 0; no more decimals than the currency has; XTR prices 1-10000 stars.
* stock: a whole number from 0 to 1,000,000.
* tags: non-empty, at most 32 characters; they are stripped, lower-cased and de-duplicated.
* photo: an http(s) URL or a Telegram file_id (letters, digits, ``-`` and ``_``).
* brand: at most 64 characters.
* kind: physical (default), digital or service. Telegram Stars (XTR) are for digital goods and services only,
  so a physical product priced in XTR is refused; a digital product needs content (an http(s) URL or a
  Telegram file_id, the same shapes as photo, or the word ``pool`` for codes from an uploaded pool), and
  only digital products may have content.
* final_sale: true/false (default false): no returns. return_days: a whole number of days from 0 to 365;
  empty means the shop's default (CIRCLECART_RETURN_DAYS).
* text is stripped of surrounding whitespace and may not contain control characters (descriptions may
  contain line breaks).

YAML values are read as the text written in the file, so ``sku: 0123`` stays ``"0123"`` and a title of
``yes`` stays ``"yes"``; nothing is guessed by YAML's type rules.

Problems are reported as ``(line, message)`` pairs with 1-based line numbers (CSV: the header is line 1).
Line 0 means "the file as a whole" (e.g. an unsupported extension). Every problem is counted; the first
MAX_LISTED_PROBLEMS are listed (a file wrong on every row would otherwise list a line per row).

`read_catalog` reads a file a line at a time and yields each valid product as it goes, so a catalog of any
length is checked in constant memory; `parse_catalog` is the same over a text, returning the list.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any, Literal, Protocol, TypeVar, cast

import yaml

from domain.errors import DomainError, ErrorCode, LineProblemsError
from domain.money import CURRENCY_EXPONENTS, STARS, Money, MoneyError, parse_major
from domain.shop.products import DEFAULT_KIND, POOL, PRODUCT_KINDS, ProductKind

CatalogFormat = Literal["yaml", "csv"]
_Report = Callable[[int, str], None]

FIELDS: tuple[str, ...] = (
    "sku",
    "title",
    "description",
    "price",
    "currency",
    "stock",
    "tags",
    "photo",
    "active",
    "brand",
    "kind",
    "content",
    "final_sale",
    "return_days",
)
REQUIRED_FIELDS: tuple[str, ...] = ("sku", "title", "price", "currency", "stock")

SKU_MAX = 40
TITLE_MAX = 32  # Telegram sendInvoice: title 1-32 characters
DESCRIPTION_MAX = 255  # Telegram sendInvoice: description 1-255 characters (we allow empty; the bot fills in)
TAG_MAX = 32
BRAND_MAX = 64
PHOTO_MAX = 2048
CONTENT_MAX = 2048
STOCK_MAX = 1_000_000
RETURN_DAYS_MAX = 365
XTR_MIN = 1
XTR_MAX = 10_000  # Telegram Stars invoice limit
CSV_TAG_SEPARATOR = ";"
# A file wrong on every row would list a line per row; the first ones show what to fix, the rest are counted.
MAX_LISTED_PROBLEMS = 100

_SKU_RE = re.compile(r"[A-Za-z0-9._-]{1,40}")
_PRICE_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_STOCK_RE = re.compile(r"-?[0-9]+")
_FILE_ID_RE = re.compile(r"[A-Za-z0-9_-]{10,255}")
_URL_RE = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_YAML_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class CatalogEntry:
    sku: str
    title: str
    description: str
    price: Money
    stock: int
    tags: tuple[str, ...]
    photo: str | None
    active: bool
    brand: str | None
    line: int  # 1-based source line of this product (0 when not read from a file)
    kind: ProductKind = DEFAULT_KIND
    content: str | None = None  # digital goods: a link or a Telegram file_id
    final_sale: bool = False  # no returns (custom or made to order)
    return_days: int | None = None  # the return window after delivery; None: the shop's default


class CatalogError(ErrorCode):
    # Only `circlecart catalog import` reads a catalog file, and it prints every problem line itself: no
    # member ever sees this code, so it has no text (tests/core/test_error_codes.py keeps it that way).
    INVALID = "catalog.invalid"


class CatalogFileError(LineProblemsError):
    """The catalog file has problems; `problems` lists every one as (line, message)."""

    def __init__(self, problems: Sequence[tuple[int, str]], more: int = 0) -> None:
        super().__init__(CatalogError.INVALID, problems, more)


def detect_format(path_name: str) -> CatalogFormat:
    """The catalog format from the file name's extension: .yaml/.yml -> yaml, .csv -> csv."""
    lowered = path_name.lower()
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    if lowered.endswith(".csv"):
        return "csv"
    raise CatalogFileError(
        [(0, f"cannot tell the catalog format of {path_name!r}: the name must end in .yaml, .yml or .csv")]
    )


# ---------------------------------------------------------------------------------------------- parsing


@dataclass
class _Raw:
    """One product as read from the file, before validation. Values are text (None = empty/null)."""

    line: int
    values: dict[str, tuple[int, str | None]]
    tags: tuple[int, list[tuple[int, str | None]]] | None = None
    reported: set[str] = field(default_factory=set)  # fields whose problem was reported while reading


class CatalogProblems:
    """The problems found so far: every one counted, the first `limit` kept to be listed (by line)."""

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS) -> None:
        self.limit = limit
        self.listed: list[tuple[int, str]] = []
        self.count = 0

    def append(self, problem: tuple[int, str]) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(problem)

    def __len__(self) -> int:
        return self.count

    def error(self) -> CatalogFileError:
        return CatalogFileError(self.listed, more=self.count - len(self.listed))


def parse_catalog(text: str, fmt: CatalogFormat) -> list[CatalogEntry]:
    """Read and validate a whole catalog; raise one CatalogFileError listing every problem."""
    problems = CatalogProblems()
    entries = list(read_catalog(io.StringIO(text, newline=""), fmt, problems))
    if problems:
        raise problems.error()
    return entries


def read_catalog(lines: Iterable[str], fmt: CatalogFormat, problems: CatalogProblems) -> Iterator[CatalogEntry]:
    """The valid products of a catalog, one at a time as its lines are read; every problem goes to `problems`.

    Only one product is in memory at a time (and the set of SKUs seen, to find one used twice), so a file of
    any length is checked in constant memory. A file with problems must be refused whole: the caller reads
    to the end and raises `problems.error()` if there are any, whatever it did with the entries yielded.
    `lines` keep their line ends (a file opened with newline="", or io.StringIO(text, newline="")).
    """
    if fmt == "yaml":
        raws = _read_yaml(lines, problems)
    elif fmt == "csv":
        raws = _read_csv(lines, problems)
    else:
        problems.append((0, f"unknown catalog format {fmt!r}: use yaml or csv"))
        return

    first_line_of_sku: dict[str, int] = {}
    for raw in raws:
        sku_line, sku = raw.values.get("sku", (raw.line, None))
        sku = (sku or "").strip()
        if _SKU_RE.fullmatch(sku):
            first = first_line_of_sku.setdefault(sku, sku_line)
            if first != sku_line:
                message = f"SKU {sku!r} is used twice: on line {first} and on line {sku_line}"
                problems.append((sku_line, message))
        entry = _validate(raw, problems)
        if entry is not None:
            yield entry


def _unknown_field_message(name: str, where: str = "field") -> str:
    message = f"unknown {where} {name!r}"
    close = get_close_matches(name.lower(), FIELDS, n=1)
    if close:
        return f"{message} (did you mean {close[0]!r}?)"
    return f"{message} (known fields: {', '.join(FIELDS)})"


class _LineStream:
    """`read(size)` over lines, the file-like object the YAML parser pulls its text from."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._buffer = ""

    def read(self, size: int = -1) -> str:
        parts = [self._buffer]
        held = len(self._buffer)
        while size < 0 or held < size:
            line = next(self._lines, None)
            if line is None:
                break
            parts.append(line)
            held += len(line)
        text = "".join(parts)
        if size < 0:
            size = len(text)
        self._buffer = text[size:]
        return text[:size]


# libyaml's parser when PyYAML has it (several times faster); the events, marks and tags are the same.
_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Parser(Protocol):
    """What is used of a PyYAML loader (its stubs leave these untyped)."""

    def check_event(self, *choices: type[yaml.Event]) -> bool: ...
    def get_event(self) -> Any: ...
    def peek_event(self) -> Any: ...
    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str: ...
    def dispose(self) -> None: ...


def _compose(loader: _Parser, anchors: dict[str, yaml.Node]) -> yaml.Node:
    """One node from the parser's events, as yaml.compose builds it, so one product is composed at a time
    (yaml.compose would hold the nodes of the whole file)."""
    event = loader.get_event()
    start: Any = event.start_mark  # libyaml's marks are its own class, with the same line and column
    end: Any = event.end_mark
    anchor: str | None = event.anchor
    if isinstance(event, yaml.AliasEvent):
        found = anchors.get(anchor or "")
        if found is None:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {anchor!r}", start)
        return found
    if isinstance(event, yaml.ScalarEvent):
        tag = _tag(loader, event, yaml.ScalarNode, event.value)
        # libyaml says '' for a plain scalar where the pure-Python parser says None (see _is_null)
        return _anchored(anchors, anchor, yaml.ScalarNode(tag, event.value, start, end, style=event.style or None))
    if isinstance(event, yaml.SequenceStartEvent):
        tag = _tag(loader, event, yaml.SequenceNode, None)
        sequence = _anchored(anchors, anchor, yaml.SequenceNode(tag, [], start, None, flow_style=event.flow_style))
        while not loader.check_event(yaml.SequenceEndEvent):
            sequence.value.append(_compose(loader, anchors))
        sequence.end_mark = loader.get_event().end_mark
        return sequence
    if isinstance(event, yaml.MappingStartEvent):
        tag = _tag(loader, event, yaml.MappingNode, None)
        mapping = _anchored(anchors, anchor, yaml.MappingNode(tag, [], start, None, flow_style=event.flow_style))
        while not loader.check_event(yaml.MappingEndEvent):
            key = _compose(loader, anchors)
            mapping.value.append((key, _compose(loader, anchors)))
        mapping.end_mark = loader.get_event().end_mark
        return mapping
    raise yaml.composer.ComposerError(None, None, f"unexpected {type(event).__name__}", start)


def _tag(loader: _Parser, event: Any, kind: type[yaml.Node], value: str | None) -> str:
    """The event's explicit tag, or the one YAML's resolver gives a node of this kind (as yaml.compose does)."""
    tag: str | None = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(kind, value, event.implicit)
    return tag


_N = TypeVar("_N", bound=yaml.Node)


def _anchored(anchors: dict[str, yaml.Node], anchor: str | None, node: _N) -> _N:
    """Remember `node` under its anchor (&name), for the aliases (*name) that follow."""
    if anchor is not None:
        anchors[anchor] = node
    return node


def _read_yaml(lines: Iterable[str], problems: CatalogProblems) -> Iterator[_Raw]:
    loader = cast(_Parser, _YamlLoader(_LineStream(lines)))  # any object with read(size)
    try:
        yield from _yaml_products(loader, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problems.append((line, f"this is not valid YAML: {exc.problem or exc.context or 'syntax error'}"))
    except (yaml.YAMLError, RecursionError) as exc:
        problems.append((1, f"this is not valid YAML: {exc}"))
    finally:
        loader.dispose()


def _yaml_products(loader: _Parser, problems: CatalogProblems) -> Iterator[_Raw]:
    shape = "the file must be a YAML mapping with a 'products' list (see examples/catalog.yaml)"
    anchors: dict[str, yaml.Node] = {}
    loader.get_event()  # the stream's start
    if loader.check_event(yaml.StreamEndEvent):
        problems.append((1, shape))
        return
    loader.get_event()  # the document's start
    if not loader.check_event(yaml.MappingStartEvent):
        _compose(loader, anchors)  # read through it: a syntax error in it is the problem to report
        problems.append((1, shape))
    else:
        loader.get_event()
        found = False
        while not loader.check_event(yaml.MappingEndEvent):
            key_node = _compose(loader, anchors)
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key == "products" and not found:
                found = True
                if loader.check_event(yaml.SequenceStartEvent):
                    loader.get_event()
                    while not loader.check_event(yaml.SequenceEndEvent):
                        raw = _yaml_raw(_compose(loader, anchors), problems)
                        if raw is not None:
                            yield raw
                    loader.get_event()
                else:
                    products = _compose(loader, anchors)
                    message = "'products' must be a list of products, each starting '- sku:'"
                    problems.append((_line(products), message))
                continue
            if key == "products":
                problems.append((_line(key_node), "'products' is given twice: the file must hold one list"))
            else:
                message = f"unknown top-level key {key!r}: the file must only hold 'products'"
                problems.append((_line(key_node), message))
            _compose(loader, anchors)
        loader.get_event()
        if not found:
            problems.append((1, shape))
    loader.get_event()  # the document's end
    if not loader.check_event(yaml.StreamEndEvent):
        line = loader.peek_event().start_mark.line + 1
        problems.append((line, "this is not valid YAML: expected a single document in the stream"))


def _yaml_raw(item: yaml.Node, problems: CatalogProblems) -> _Raw | None:
    line = _line(item)
    if not isinstance(item, yaml.MappingNode):
        problems.append((line, "each product must be a mapping of fields (sku:, title:, price: ...)"))
        return None
    raw = _Raw(line=line, values={})
    for key_node, value_node in item.value:
        key_line = _line(key_node)
        if not isinstance(key_node, yaml.ScalarNode) or _is_null(key_node):
            problems.append((key_line, "a field name must be plain text"))
            continue
        name = str(key_node.value)
        if name not in FIELDS:
            problems.append((key_line, _unknown_field_message(name)))
            continue
        if name in raw.values or name in raw.reported or (name == "tags" and raw.tags is not None):
            problems.append((key_line, f"field {name!r} is given twice in the same product"))
            continue
        if name == "tags":
            raw.tags = (key_line, _yaml_tags(value_node, key_line, problems))
        elif isinstance(value_node, yaml.ScalarNode):
            raw.values[name] = (key_line, None if _is_null(value_node) else str(value_node.value))
        else:
            problems.append((key_line, f"{name} must be a single value, not a list or mapping"))
            raw.reported.add(name)
    return raw


def _yaml_tags(node: yaml.Node, line: int, problems: CatalogProblems) -> list[tuple[int, str | None]]:
    if isinstance(node, yaml.ScalarNode) and _is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.append((line, "tags must be a list, e.g. tags: [tea, ceramics]"))
        return []
    items: list[tuple[int, str | None]] = []
    for item in node.value:
        if isinstance(item, yaml.ScalarNode):
            items.append((_line(item), None if _is_null(item) else str(item.value)))
        else:
            problems.append((_line(item), "each tag must be a single word or phrase, not a list or mapping"))
    return items


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _is_null(node: yaml.ScalarNode) -> bool:
    return node.tag == _YAML_NULL and node.style is None


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return
    yield first.removeprefix("\ufeff")
    yield from iterator


def _read_csv(lines: Iterable[str], problems: CatalogProblems) -> Iterator[_Raw]:
    reader = csv.reader(_without_bom(lines), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.append((1, f"the header row is not valid CSV: {exc}"))
        return
    if header is None or not any(cell.strip() for cell in header):
        problems.append((1, f"the file must start with a header row naming the columns: {','.join(FIELDS)}"))
        return

    columns: list[str | None] = []  # None = a column we ignore (already reported)
    seen: set[str] = set()
    for cell in header:
        name = cell.strip().lower()
        if name not in FIELDS:
            problems.append((1, _unknown_field_message(cell.strip(), "column")))
            columns.append(None)
        elif name in seen:
            problems.append((1, f"column {name!r} appears twice in the header"))
            columns.append(None)
        else:
            seen.add(name)
            columns.append(name)
    missing = [name for name in REQUIRED_FIELDS if name not in seen]
    if missing:
        problems.append((1, f"the header is missing required column(s): {', '.join(missing)}"))
        return

    line_end = reader.line_num
    while True:
        line = line_end + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            problems.append((line, f"this row is not valid CSV: {exc}"))
            break
        if row is None:
            break
        line_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            message = f"this row has {len(row)} values but the header has {len(columns)} columns"
            problems.append((line, message))
            continue
        raw = _Raw(line=line, values={})
        for column, cell in zip(columns, row, strict=False):
            if column is None:
                continue
            value = cell.strip()
            if column == "tags":
                parts = value.split(CSV_TAG_SEPARATOR) if value else []
                raw.tags = (line, [(line, part) for part in parts])
            else:
                raw.values[column] = (line, value or None)
        yield raw


# ------------------------------------------------------------------------------------------- validation


def _validate(raw: _Raw, problems: CatalogProblems) -> CatalogEntry | None:
    """Check one product, appending its problems; return the entry only when it is fully valid."""
    before = len(problems)

    def report(line: int, message: str) -> None:
        problems.append((line, message))

    def get(name: str) -> tuple[int, str | None]:
        line, value = raw.values.get(name, (raw.line, None))
        value = value.strip() if value is not None else None
        return line, value or None

    for name in REQUIRED_FIELDS:
        if name not in raw.values and name not in raw.reported:
            report(raw.line, f"missing required field {name!r}")

    # sku
    sku_line, sku = get("sku")
    if sku is None:
        if "sku" in raw.values:
            report(sku_line, "sku is empty")
    elif not _SKU_RE.fullmatch(sku):
        report(
            sku_line,
            f"sku {sku!r} must be 1-{SKU_MAX} characters of letters A-Z/a-z, digits, '-', '_' and '.'",
        )

    # title / description / brand
    title_line, title = get("title")
    if title is None:
        if "title" in raw.values:
            report(title_line, "title is empty")
    else:
        _check_text("title", title, title_line, TITLE_MAX, report, note=" (Telegram invoice limit)")
    description_line, description = get("description")
    if description is not None:
        description = description.replace("\r\n", "\n")
        _check_text(
            "description",
            description,
            description_line,
            DESCRIPTION_MAX,
            report,
            note=" (Telegram invoice limit)",
            multiline=True,
        )
    brand_line, brand = get("brand")
    if brand is not None:
        _check_text("brand", brand, brand_line, BRAND_MAX, report)

    # currency + price
    currency_line, currency = get("currency")
    if currency is None:
        if "currency" in raw.values:
            report(currency_line, "currency is empty")
    else:
        currency = currency.upper()
        if currency not in CURRENCY_EXPONENTS:
            report(
                currency_line,
                f"unknown currency {currency!r} (supported: {', '.join(sorted(CURRENCY_EXPONENTS))})",
            )
            currency = None
    price_line, price_text = get("price")
    price: Money | None = None
    if price_text is None:
        if "price" in raw.values:
            report(price_line, "price is empty")
    elif not _PRICE_RE.fullmatch(price_text):
        report(price_line, f"price {price_text!r} is not a plain number like 250 or 2.50")
    elif currency is not None:
        price = _check_price(price_text, currency, price_line, report)

    # stock
    stock_line, stock_text = get("stock")
    stock: int | None = None
    if stock_text is None:
        if "stock" in raw.values:
            report(stock_line, "stock is empty")
    elif not _STOCK_RE.fullmatch(stock_text):
        report(stock_line, f"stock {stock_text!r} must be a whole number (0 or more)")
    else:
        stock = int(stock_text)
        if stock < 0:
            report(stock_line, f"stock {stock} must not be negative")
        elif stock > STOCK_MAX:
            report(stock_line, f"stock {stock} is more than the maximum of {STOCK_MAX:,}")

    # tags
    tags: list[str] = []
    if raw.tags is not None:
        for tag_line, tag_text in raw.tags[1]:
            tag = _normalize_tag(tag_text or "")
            if not tag:
                report(tag_line, "a tag is empty")
            elif len(tag) > TAG_MAX:
                report(tag_line, f"tag {tag!r} is longer than {TAG_MAX} characters")
            elif CSV_TAG_SEPARATOR in tag:
                report(tag_line, f"tag {tag!r} must not contain ';' (it separates tags in CSV)")
            elif _has_control(tag):
                report(tag_line, f"tag {tag!r} contains a control character")
            elif tag not in tags:
                tags.append(tag)

    # photo
    photo_line, photo = get("photo")
    if photo is not None and not _is_photo(photo):
        report(photo_line, f"photo {_short(photo)!r} must be an http(s) URL or a Telegram file_id")

    # active
    active_line, active_text = get("active")
    active = True
    if active_text is not None:
        lowered = active_text.lower()
        if lowered in _TRUE:
            active = True
        elif lowered in _FALSE:
            active = False
        else:
            report(active_line, f"active {active_text!r} must be one of true/false, yes/no, 1/0")

    # returns: final sale, and the window after delivery
    final_line, final_text = get("final_sale")
    final_sale = False
    if final_text is not None:
        if final_text.lower() in _TRUE:
            final_sale = True
        elif final_text.lower() not in _FALSE:
            report(final_line, f"final_sale {final_text!r} must be one of true/false, yes/no, 1/0")
    days_line, days_text = get("return_days")
    return_days: int | None = None
    if days_text is not None:
        if not _STOCK_RE.fullmatch(days_text) or not 0 <= int(days_text) <= RETURN_DAYS_MAX:
            report(days_line, f"return_days {days_text!r} must be a whole number of days from 0 to {RETURN_DAYS_MAX}")
        else:
            return_days = int(days_text)

    # kind + content: Telegram's rules for goods (Stars for digital goods and services only)
    kind_line, kind_text = get("kind")
    kind: ProductKind = DEFAULT_KIND
    if kind_text is not None:
        for known in PRODUCT_KINDS:
            if kind_text.lower() == known:
                kind = known
                break
        else:
            report(kind_line, f"kind {kind_text!r} must be one of {', '.join(PRODUCT_KINDS)}")
    if kind == "physical" and currency == STARS:
        report(
            currency_line,
            "a physical product cannot be priced in XTR: Telegram Stars are for digital goods and services "
            "only; price it in a currency of your payment provider, or set kind: digital or service",
        )
    content_line, content = get("content")
    if content is not None and content.lower() == POOL:
        content = POOL
    if content is not None and content != POOL and not _is_photo(content):
        report(
            content_line,
            f"content {_short(content)!r} must be an http(s) URL, a Telegram file_id or {POOL!r} (codes from a pool)",
        )
    elif content is not None and kind != "digital":
        report(content_line, f"content is delivered only for digital products, and this one is {kind}")
    if kind == "digital" and content is None:
        report(
            kind_line if kind_text is not None else raw.line,
            "a digital product needs content: a link, a Telegram file_id or 'pool' (a code from the pool the "
            "brand uploads) that the buyer receives after paying",
        )

    if len(problems) > before or sku is None or title is None or price is None or stock is None:
        return None
    return CatalogEntry(
        sku=sku,
        title=title,
        description=description or "",
        price=price,
        stock=stock,
        tags=tuple(tags),
        photo=photo,
        active=active,
        brand=brand,
        line=raw.line,
        kind=kind,
        content=content,
        final_sale=final_sale,
        return_days=return_days,
    )


def _check_price(text: str, currency: str, line: int, report: _Report) -> Money | None:
    try:
        price = parse_major(text, currency)
    except DomainError as exc:
        if exc.code is MoneyError.PRICE_NEGATIVE:
            report(line, f"price {text} must not be negative")
        elif exc.code is MoneyError.PRICE_TOO_PRECISE:
            decimals = CURRENCY_EXPONENTS[currency]
            if currency == STARS:
                report(line, f"price {text} has decimals, but XTR (Telegram Stars) prices are whole stars")
            elif decimals == 0:
                report(line, f"price {text} has decimals, but {currency} prices are whole numbers")
            else:
                report(line, f"price {text} has more than {decimals} decimals, too many for {currency}")
        else:
            report(line, f"price {text!r} is not a valid {currency} amount")
        return None
    if price.amount <= 0:
        report(line, f"price must be more than 0 {currency} (Telegram invoices cannot be free)")
        return None
    if currency == STARS and not XTR_MIN <= price.amount <= XTR_MAX:
        report(line, f"price {text} XTR is outside the Telegram Stars invoice range {XTR_MIN}-{XTR_MAX}")
        return None
    return price


def _check_text(
    name: str,
    value: str,
    line: int,
    limit: int,
    report: _Report,
    *,
    note: str = "",
    multiline: bool = False,
) -> None:
    if len(value) > limit:
        report(line, f"{name} is {len(value)} characters long; the limit is {limit}{note}")
    if _has_control(value.replace("\n", "") if multiline else value):
        what = "a control character" if multiline else "a line break or control character"
        report(line, f"{name} contains {what}")


# Every character of the categories Cc (C0, DEL, C1), Cs (surrogates), Zl and Zp, and the two noncharacters:
# one regular expression instead of a category lookup per character, the import's hottest loop.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufffe\uffff]")


def _has_control(value: str) -> bool:
    return _CONTROL_RE.search(value) is not None


def _normalize_tag(text: str) -> str:
    return text.strip().lower().strip()


def _is_photo(value: str) -> bool:
    if len(value) > PHOTO_MAX:
        return False
    if value.lower().startswith(("http://", "https://")):
        return _URL_RE.fullmatch(value) is not None
    return _FILE_ID_RE.fullmatch(value) is not None


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------- export


class _Number(str):
    """A price's exact text, written to YAML as a plain (unquoted) number."""


class _FlowList(list[str]):
    """A list written inline: tags: [tea, ceramics]."""


class _CatalogDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key


def _represent_number(dumper: yaml.SafeDumper, data: _Number) -> yaml.ScalarNode:
    tag = "tag:yaml.org,2002:float" if "." in data else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, str(data))


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(data), flow_style=True)


_CatalogDumper.add_representer(_Number, _represent_number)
_CatalogDumper.add_representer(_FlowList, _represent_flow_list)


def dump_catalog(entries: Sequence[CatalogEntry], fmt: CatalogFormat) -> str:
    """Write entries as a catalog file that `parse_catalog` reads back to the same entries."""
    if fmt == "yaml":
        return _dump_yaml(entries)
    if fmt == "csv":
        return _dump_csv(entries)
    raise CatalogFileError([(0, f"unknown catalog format {fmt!r}: use yaml or csv")])


def _dump_yaml(entries: Sequence[CatalogEntry]) -> str:
    products: list[dict[str, object]] = []
    for entry in entries:
        product: dict[str, object] = {
            "sku": entry.sku,
            "title": entry.title,
            "description": entry.description,
            "price": _Number(entry.price.major_text()),
            "currency": entry.price.currency,
            "stock": entry.stock,
            "tags": _FlowList(entry.tags),
        }
        if entry.photo is not None:
            product["photo"] = entry.photo
        product["active"] = entry.active
        if entry.brand is not None:
            product["brand"] = entry.brand
        product["kind"] = entry.kind
        if entry.content is not None:
            product["content"] = entry.content
        if entry.final_sale:
            product["final_sale"] = True
        if entry.return_days is not None:
            product["return_days"] = entry.return_days
        products.append(product)
    return yaml.dump(
        {"products": products},
        Dumper=_CatalogDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _dump_csv(entries: Sequence[CatalogEntry]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for entry in entries:
        writer.writerow(
            [
                entry.sku,
                entry.title,
                entry.description,
                entry.price.major_text(),
                entry.price.currency,
                str(entry.stock),
                CSV_TAG_SEPARATOR.join(entry.tags),
                entry.photo or "",
                "true" if entry.active else "false",
                entry.brand or "",
                entry.kind,
                entry.content or "",
                "true" if entry.final_sale else "false",
                "" if entry.return_days is None else str(entry.return_days),
            ]
        )
    return out.getvalue()
