"""What a job is and what it may use: the vocabulary every job module and the scheduler share.

Kept apart from the scheduler so that job modules import this, the scheduler imports them, and no module
imports another that imports it back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from domain.clock import Clock
from domain.messenger import Messenger
from domain.ports import UnitOfWorkFactory

Job = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class JobDeps:
    """What jobs may use. `wake_outbox` tells the sender that notices were enqueued."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    messenger: Messenger
    wake_outbox: Callable[[], None] = lambda: None
    owner_ids: tuple[int, ...] = ()
    options: dict[str, object] = field(default_factory=dict)
    # Called when the jobs stop: a capability that runs something of its own (drops' date-triggered
    # APScheduler with a persistent job store) registers its shutdown here from job_specs.
    stop_hooks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    run: Job
    every_seconds: float


JobSpecs = Callable[[JobDeps], Sequence[JobSpec]]
