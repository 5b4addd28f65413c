"""Keep the garbage collector off the objects that live as long as the process.

By the end of start-up the process holds some 350,000 objects that live until it stops: modules, pydantic
and SQLAlchemy models, the handler table, compiled statements. Every full collection walked all of them:
bench.button_presses caught one pausing the event loop for over half a second while twenty members
pressed buttons, which made the slowest presses of the run. `gc.freeze()` moves what exists now into a
generation the collector never scans, so later collections walk only what updates create. Objects freed
by reference counting are freed as before; only cycles made before the freeze stay in memory, which is
why one collection runs first.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

_frozen = False


def freeze_start_up_heap() -> None:
    """Once per process (a test process starts many apps): collect, then freeze everything that is left."""
    global _frozen
    if _frozen:
        return
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    _frozen = True
    log.info(
        "froze %d start-up objects out of the garbage collector's way in %.0f ms",
        gc.get_freeze_count(),
        (time.perf_counter() - started) * 1000,
    )
