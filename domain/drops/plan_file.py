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
    id: 7                        # optional: edit drop 7 (before it opens) instead of adding one
```

Every scalar is read as text (YAML's BaseLoader), so prices stay exact and nothing is guessed.
"""

from __future__ import annotations

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
}


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


def parse_drop_file(text: str) -> tuple[DropEntry, ...]:
    try:
        document = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as error:
        raise DropFileError(f"not valid YAML: {error}") from None
    items = document.get("drops") if isinstance(document, dict) else None
    if not isinstance(items, list) or not items:
        raise DropFileError("the file needs a non-empty list under 'drops:'")
    problems: list[str] = []
    entries = []
    for index, item in enumerate(items, start=1):
        where = f"drop {index}"
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
            communities = tuple(_int(c, "communities", problems, where) for c in raw_communities)
        elif str(raw_communities).strip() != "all":
            problems.append(f"{where}: communities must be 'all' or a list of group chat ids")
        drop_id = item.get("id")
        entries.append(
            DropEntry(
                brand=str(item.get("brand", "")).strip(),
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
            )
        )
    if problems:
        raise DropFileError("; ".join(problems))
    return tuple(entries)
