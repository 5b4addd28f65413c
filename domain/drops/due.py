"""What time makes due for a drop: teasers, opening, closing, the raffle draw, the report.

Pure functions of (drop, now): the job performs what they name, each transition in lifecycle.py being a
conditional update, so deciding from a copy read a moment ago does no harm; a transition that is no longer
due when it runs simply does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple, TypeAlias

from domain.drops.beacon import FALLBACK_AFTER, BeaconRound
from domain.drops.model import Drop, DropStatus


def due_teaser(drop: Drop, now: datetime, leads: Sequence[int]) -> int | None:
    """The teaser (minutes before the start) to send now: the latest one due that has not gone out.

    After downtime only the most recent due teaser goes out: a "24 hours to go" an hour before the start
    would be wrong.
    """
    if drop.status is not DropStatus.SCHEDULED or now >= drop.starts_at:
        return None
    due = [m for m in leads if now >= drop.starts_at - timedelta(minutes=m)]
    if not due:
        return None
    lead = min(due)
    if drop.last_teaser_minutes is not None and drop.last_teaser_minutes <= lead:
        return None
    return lead


def draw_due(drop: Drop, now: datetime) -> bool:
    """Entries are closed and the beacon round's time has come: fetch it and draw."""
    return (
        drop.verifiable
        and drop.status is DropStatus.CLOSED
        and drop.drawn_at is None
        and drop.beacon_at is not None
        and now >= drop.beacon_at
    )


def fallback_due(drop: Drop, now: datetime) -> bool:
    """The beacon round could not be fetched for long enough: the stated fallback draws."""
    return draw_due(drop, now) and drop.beacon_at is not None and now >= drop.beacon_at + FALLBACK_AFTER


@dataclass(frozen=True, slots=True)
class Teaser:
    """Tell the groups the drop starts in `lead` minutes."""

    lead: int


@dataclass(frozen=True, slots=True)
class Open:
    """The start has come: announce the drop and remind its fans."""


@dataclass(frozen=True, slots=True)
class Close:
    """The end has come: no more sales or entries (a raffle's entrant list is frozen)."""


@dataclass(frozen=True, slots=True)
class Draw:
    """The raffle's beacon round is out: fetch it and draw. `fallback`: the round is FALLBACK_AFTER overdue,
    so if it still cannot be fetched the stated fallback draws instead of waiting."""

    beacon: BeaconRound
    fallback: bool


@dataclass(frozen=True, slots=True)
class Report:
    """The drop is over: report to the brand once no payment can still complete (holds and raffle offers
    are in storage, so lifecycle.report_if_done checks those)."""


Transition: TypeAlias = Teaser | Open | Close | Draw | Report


def due_transitions(drop: Drop, now: datetime, teasers: Sequence[int]) -> tuple[Transition, ...]:
    """What `now` makes due for `drop`, in the order to perform them.

    A drop the reconciler has not seen for a while may owe several at once (a start and an end that both
    passed during downtime): each is judged on the drop as the ones before it leave it, so one pass catches
    up in order.
    """
    due: list[Transition] = []
    status = drop.status
    if status is DropStatus.SCHEDULED:
        lead = due_teaser(drop, now, teasers)
        if lead is not None:
            due.append(Teaser(lead))
        if now >= drop.starts_at:
            due.append(Open())
            status = DropStatus.OPEN
    closing = status is DropStatus.OPEN and now >= drop.ends_at
    if closing:
        due.append(Close())
        status = DropStatus.CLOSED
    if status is not DropStatus.CLOSED:
        return tuple(due)
    closed = replace(drop, status=DropStatus.CLOSED)
    draw = _draw(closed, now)
    if draw is not None:
        due.append(draw)
    if closed.reported_at is None and not _awaits_draw(closed, closing, draw):
        due.append(Report())
    return tuple(due)


def _draw(drop: Drop, now: datetime) -> Draw | None:
    if not draw_due(drop, now) or drop.beacon_chain is None or drop.beacon_round is None or drop.beacon_at is None:
        return None
    return Draw(BeaconRound(drop.beacon_chain, drop.beacon_round, drop.beacon_at), fallback_due(drop, now))


def _awaits_draw(drop: Drop, closing: bool, draw: Draw | None) -> bool:
    """A raffle has nothing to report before its draw. One from before beacons draws as it closes; a
    verifiable one when its Draw runs (which may yet wait for the beacon, and then report_if_done refuses)."""
    if not drop.is_raffle or drop.drawn_at is not None or draw is not None:
        return False
    return drop.verifiable or not closing


class Moment(NamedTuple):
    """A moment the drop has something to do at, under the name of the timer that wakes the reconciler then:
    a timer of the same name is moved, not added, when an edit moves the moment."""

    key: str
    at: datetime


def moments(drop: Drop, teasers: Sequence[int], now: datetime) -> tuple[Moment, ...]:
    """The future moments at which this drop has something to do: every time due_transitions' answer changes
    by the clock alone (a report waits for payments, not for a moment)."""
    found: list[Moment] = []
    if drop.status is DropStatus.SCHEDULED:
        for lead in teasers:
            found.append(Moment(f"drop:{drop.id}:teaser:{lead}", drop.starts_at - timedelta(minutes=lead)))
        found.append(Moment(f"drop:{drop.id}:open", drop.starts_at))
    if drop.status in (DropStatus.SCHEDULED, DropStatus.OPEN):
        found.append(Moment(f"drop:{drop.id}:close", drop.ends_at))
    if (
        drop.verifiable
        and drop.drawn_at is None
        and drop.beacon_at is not None
        and drop.status is not DropStatus.CANCELLED
    ):
        found.append(Moment(f"drop:{drop.id}:draw", drop.beacon_at))
        found.append(Moment(f"drop:{drop.id}:draw-fallback", drop.beacon_at + FALLBACK_AFTER))
    return tuple(moment for moment in found if moment.at > now)
