"""A progress bar on standard error for long work, drawn only when standard error is a terminal.

Piped, redirected or run from a script, the CLI stays quiet: no bar, no carriage returns in a log. The bar
redraws only when the whole percentage changes, so a million rows cost a hundred redraws.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO

WIDTH = 30


class Progress:
    def __init__(self, label: str, total: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self.total = total
        self.done = 0
        self._drawn = -1

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.enabled:
            self._draw()

    def _draw(self, final: bool = False) -> None:
        percent = 100 if self.total <= 0 else min(100, self.done * 100 // self.total)
        if percent == self._drawn and not final:
            return
        self._drawn = percent
        filled = WIDTH * percent // 100
        bar = "█" * filled + "░" * (WIDTH - filled)
        end = "\n" if final else ""
        self.stream.write(f"\r{self.label} {bar} {percent:3d}% {self.done}/{max(self.total, self.done)}{end}")
        self.stream.flush()

    def __enter__(self) -> Progress:
        if self.enabled:
            self._draw()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.enabled:
            if error is None:
                self._draw(final=True)
            else:
                self.stream.write("\n")  # the error message starts on its own line
                self.stream.flush()
