"""Drops described in a YAML file, for `circlecart drop schedule FILE`.

```yaml
drops:
  - brand: Celadon Studio        # brand name (or id)
    product: TEA-SET-01          # the product's SKU; it must belong to the brand
    quantity: 100
    price: 200                   # major units of the product's currency, exact text
    starts: 2026-12-01T12:00:00Z # ISO 8601 with a time zone
    ends: 2026-12-01T14:00:00Z
    limit: 1                     # per member, optional (1)
    early_access_minutes: 30     # optional (0): members may buy this long before the start
    mode: first_come             # or raffle
    communities: all             # or a list of group chat ids that allowed the brand
    key: celadon-december        # optional: names the drop, so the same file scheduled again finds it
    id: 7                        # optional: edit drop 7 (before it opens) instead of adding one
```

With a key (unique per brand), scheduling the file again leaves the drop as it is, or edits it if the file
now says something else; without one, a drop with exactly the same plan is not added a second time.

Every scalar is read as text (YAML's BaseLoader), so prices stay exact and nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import yaml

from domain.drops.model import DropMode
from domain.numbers import whole_number

FIELDS = {
    "brand",
    "product",
    "quantity",
    "price",
    "starts",
    "ends",
    "limit",
    "early_access_minutes",
    "mode",
    "communities",
    "id",
    "key",
}
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")


class DropFileError(ValueError):
    """The file is not a valid list of drops; the message names every problem."""


@dataclass(frozen=True, slots=True)
class DropEntry:
    brand: str
    sku: str
    quantity: int
    price: str  # exact text, parsed against the product's currency
    starts_at: datetime
    ends_at: datetime
    per_member_limit: int
    early_access_minutes: int
    mode: DropMode
    communities: tuple[int, ...]
    drop_id: int | None = None
    key: str | None = None


def _int(value: object, name: str, problems: list[str], where: str, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    text = str(value).strip() if isinstance(value, str) else ""
    number = whole_number(text, signed=True)
    if number is None:
        problems.append(f"{where}: {name} must be a whole number, got {value!r}")
        return 0
    return number


def _time(value: object, name: str, problems: list[str], where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"{where}: {name} must be an ISO 8601 time like 2026-12-01T12:00:00Z, got {value!r}")
        return datetime.min
    if moment.tzinfo is None:
        problems.append(f"{where}: {name} needs a time zone (add Z for UTC)")
    return moment


def _item_lines(text: str) -> list[int]:
    """The 1-based line where each item under 'drops:' starts (empty when the shape is not that)."""
    node = yaml.compose(text, Loader=yaml.BaseLoader)
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "drops" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def parse_drop_file(text: str) -> tuple[DropEntry, ...]:
    try:
        document = yaml.load(text, Loader=yaml.BaseLoader)
        lines = _item_lines(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or "syntax error"
        if mark is not None:
            raise DropFileError(f"line {mark.line + 1}: this is not valid YAML: {problem}") from None
        raise DropFileError(f"this is not valid YAML: {problem}") from None
    items = document.get("drops") if isinstance(document, dict) else None
    if not isinstance(items, list) or not items:
        raise DropFileError("the file needs a non-empty list under 'drops:'")
    problems: list[str] = []
    entries = []
    keys: set[tuple[str, str]] = set()
    for index, item in enumerate(items, start=1):
        where = f"drop {index} (line {lines[index - 1]})" if len(lines) == len(items) else f"drop {index}"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping of fields")
            continue
        unknown = sorted(set(item) - FIELDS)
        if unknown:
            problems.append(f"{where}: unknown fields {', '.join(unknown)}")
        for required in ("brand", "product", "quantity", "price", "starts", "ends"):
            if not isinstance(item.get(required), str) or not item[required].strip():
                problems.append(f"{where}: {required} is required")
        mode_text = str(item.get("mode", "first_come")).strip()
        try:
            mode = DropMode(mode_text)
        except ValueError:
            problems.append(f"{where}: mode must be first_come or raffle, got {mode_text!r}")
            mode = DropMode.FIRST_COME
        raw_communities = item.get("communities", "all")
        communities: tuple[int, ...] = ()
        if isinstance(raw_communities, list):
            communities = tuple(sorted({_int(c, "communities", problems, where) for c in raw_communities}))
        elif str(raw_communities).strip() != "all":
            problems.append(f"{where}: communities must be 'all' or a list of group chat ids")
        drop_id = item.get("id")
        raw_key = item.get("key")
        key = str(raw_key).strip() if raw_key is not None else None
        brand = str(item.get("brand", "")).strip()
        if key is not None:
            if not KEY.fullmatch(key):
                problems.append(f"{where}: key must be 1 to 64 letters, digits or . _ : / - , got {key!r}")
            elif (brand, key) in keys:
                problems.append(f"{where}: key {key!r} is given to two drops of {brand}")
            keys.add((brand, key))
            if drop_id is not None:
                problems.append(f"{where}: give either id (to edit that drop) or key, not both")
        entries.append(
            DropEntry(
                brand=brand,
                sku=str(item.get("product", "")).strip(),
                quantity=_int(item.get("quantity"), "quantity", problems, where),
                price=str(item.get("price", "")).strip(),
                starts_at=_time(item.get("starts"), "starts", problems, where),
                ends_at=_time(item.get("ends"), "ends", problems, where),
                per_member_limit=_int(item.get("limit"), "limit", problems, where, default=1),
                early_access_minutes=_int(item.get("early_access_minutes"), "early access", problems, where, 0),
                mode=mode,
                communities=communities,
                drop_id=_int(drop_id, "id", problems, where) if drop_id is not None else None,
                key=key,
            )
        )
    if problems:
        raise DropFileError("\n".join(problems))
    return tuple(entries)
