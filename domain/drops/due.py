"""What time makes due for a drop: teasers, opening, closing, the raffle draw, the report.

Pure functions of (drop, now): the job performs what they name, each transition in lifecycle.py being a
conditional update, so deciding from a copy read a moment ago does no harm; a transition that is no longer
due when it runs simply does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.drops.beacon import FALLBACK_AFTER
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
