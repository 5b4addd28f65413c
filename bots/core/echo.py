"""Quoting back what a member typed, shortened: a 4,096-character `/find` must not make the answer too long
for Telegram (4,096 characters per message, 200 per alert)."""

from __future__ import annotations

ECHO_LIMIT = 64  # a search, a command name, a word that was not understood
PARAM_LIMIT = 200  # any text a DomainError carries into its message


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` on one line, cut to at most `limit` characters with '…' when longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip() + "…"


def bounded(params: dict[str, object], limit: int = PARAM_LIMIT) -> dict[str, object]:
    """Message params with every over-long text shortened (shorter texts are left exactly as they are)."""
    return {k: echo(v, limit) if isinstance(v, str) and len(v) > limit else v for k, v in params.items()}
