"""Logging for the circlecart command: text lines by default, or one JSON object a line
(`CIRCLECART_LOG_FORMAT=json`) for a log collector. Both go through the secrets filter (circlecart/redaction.py).

The per-update line (bots/core/runtime.py) carries the update id, its kind and the handler's latency as
fields of the record; the JSON format writes them as keys of their own, so they can be queried as such.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from circlecart.redaction import redact_logs
from circlecart.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Fields a record may carry through `extra=` that the JSON line writes as keys of their own.
STRUCTURED_FIELDS = ("update_id", "update_kind", "latency_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the structured fields present,
    and the exception's traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in STRUCTURED_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(settings: Settings) -> None:
    """Log to stderr at the configured level and format, with every secret of the settings cut out."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    redact_logs(settings)
    quiet = max(logging.WARNING, logging.getLogger().level)
    # Alembic narrates every step at INFO; an operator only needs to hear about problems.
    logging.getLogger("alembic").setLevel(quiet)
    # aiogram logs its own line per update; circlecart's (bots/core/runtime.py) says the same on both frameworks.
    logging.getLogger("aiogram.event").setLevel(quiet)
