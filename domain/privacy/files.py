"""A member's export as files: JSON (the records as they are) and CSV (one line per field, any table)."""

from __future__ import annotations

import csv
import io
import json

from domain.privacy.members import MemberData


def file_stem(data: MemberData) -> str:
    return f"circlecart-data-{data.user_id}-{data.exported_at:%Y%m%d}"


def as_json(data: MemberData) -> bytes:
    document = {
        "member": data.user_id,
        "exported_at": data.exported_at.isoformat(),
        "records": {table: [dict(row) for row in rows] for table, rows in data.records.items()},
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8") + b"\n"


def as_csv(data: MemberData) -> bytes:
    """Long form, so that every table fits one sheet: table, row number, field, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "field", "value"])
    for table, rows in data.records.items():
        for number, row in enumerate(rows, start=1):
            for field, value in row.items():
                writer.writerow([table, number, field, "" if value is None else value])
    return out.getvalue().encode("utf-8")
