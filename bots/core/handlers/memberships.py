"""Commands, buttons and notices of memberships."""

from __future__ import annotations

from bots.core.table import HandlerTable


def register(table: HandlerTable) -> None:
    """Declare this capability's entries in the handler table."""
