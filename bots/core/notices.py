"""Rendering outbox notices with the views declared in the handler table, in the recipient's language."""

from __future__ import annotations

from bots.core.context import Context, Services
from bots.core.table import HandlerTable
from domain.notices import Notice, NoticeParams
from domain.outgoing import View


class TableNoticeRenderer:
    def __init__(self, services: Services, table: HandlerTable) -> None:
        self.services = services
        self.table = table

    def render(self, notice: Notice, language: str) -> View:
        render = self.table.notices.get(notice.kind)
        if render is None:
            raise LookupError(f"no view declared for notice kind {notice.kind!r}")
        return render(Context(self.services, language, None), notice.params)


def param_int(params: NoticeParams, name: str) -> int:
    """A notice's number parameter (0 when absent)."""
    value = params.get(name)
    return int(value) if value is not None else 0


def param_str(params: NoticeParams, name: str) -> str:
    """A notice's text parameter ("" when absent)."""
    value = params.get(name)
    return "" if value is None else str(value)
