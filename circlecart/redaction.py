"""No secret reaches a log line: the settings' secrets are cut out of every record before it is written.

Libraries log what they see: httpx logs every request URL at INFO, and a Bot API URL carries the bot token;
at DEBUG a payment provider token or a database URL can appear in a payload. Filtering at the handlers
catches all of them, whoever logged the line and at whatever level.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.engine import make_url

from circlecart.settings import Settings

REDACTED = "<redacted>"
SHORTEST_SECRET = 6  # a shorter value would redact ordinary words; no real secret is this short


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is cut whole.
        self._secrets = sorted({s for s in secrets if len(s) >= SHORTEST_SECRET}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: the handler reports it as logging always does; keep the record
            return True
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def secrets_of(settings: Settings) -> list[str]:
    values = [
        settings.payment_provider_token.get_secret_value(),
        settings.webhook_secret.get_secret_value(),
        settings.ai_api_key.get_secret_value(),  # sent only in a header, but a DEBUG line may show headers
    ]
    if settings.bot_token is not None:
        token = settings.bot_token.get_secret_value().strip()
        values.append(token)
        values.append(token.partition(":")[2])  # the secret half, in case a library logs it alone
    try:
        password = make_url(settings.database_url).password
    except Exception:  # an unparsable URL fails later with its own message; it has no password to hide here
        password = None
    if password:
        values.append(str(password))
    return values


def redact_logs(settings: Settings) -> None:
    """Install the filter on every handler of the root logger (call after logging is configured)."""
    guard = RedactSecrets(secrets_of(settings))
    for handler in logging.getLogger().handlers:
        handler.addFilter(guard)
