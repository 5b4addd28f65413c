"""The notices drops enqueue: keys (so that each goes out once) and the params their views need."""

from __future__ import annotations

import hashlib
from datetime import datetime

from domain.drops.model import Drop
from domain.notices import Notice, NoticeParams

TEASER = "drops.teaser"
ANNOUNCEMENT = "drops.announcement"
REMINDER = "drops.reminder"
CANCELLED = "drops.cancelled"
REPORT = "drops.report"
RAFFLE_WON = "drops.raffle_won"
RAFFLE_RESULTS = "drops.raffle_results"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def drop_params(drop: Drop, **extra: str | int | None) -> dict[str, str | int | None]:
    params: dict[str, str | int | None] = {
        "drop_id": drop.id,
        "title": drop.title,
        "price": drop.price.display(),
        "quantity": drop.quantity,
        "remaining": drop.remaining,
        "limit": drop.per_member_limit,
        "starts": when(drop.starts_at),
        "ends": when(drop.ends_at),
        "mode": drop.mode.value,
        "seed_hash": drop.seed_hash,
        "early_minutes": drop.early_access_minutes,
    }
    params.update(extra)
    return params


def announcement_key(drop_id: int, chat_id: int) -> str:
    return f"drop:{drop_id}:open:{chat_id}"


def teaser(drop: Drop, chat_id: int, minutes: int) -> Notice:
    # The key names what the teaser says: a job firing twice sends it once, but a drop edited after its
    # teaser went out (new time, price or quantity) gets a fresh teaser with the same lead.
    terms = "|".join(str(drop_params(drop)[name]) for name in _TEASED)
    version = hashlib.sha256(terms.encode()).hexdigest()[:10]
    return Notice(
        f"drop:{drop.id}:teaser:{minutes}:{version}:{chat_id}", chat_id, TEASER, drop_params(drop, lead=minutes)
    )


_TEASED = ("title", "price", "quantity", "limit", "starts", "ends", "early_minutes")


def announcement(drop: Drop, chat_id: int) -> Notice:
    return Notice(announcement_key(drop.id, chat_id), chat_id, ANNOUNCEMENT, drop_params(drop, state="open"))


def announcement_edit(drop: Drop, chat_id: int, message_id: int, sequence: int, state: str) -> Notice:
    return Notice(
        f"drop:{drop.id}:edit:{chat_id}:{sequence}",
        chat_id,
        ANNOUNCEMENT,
        drop_params(drop, state=state),
        edit_message_id=message_id,
    )


def reminder(drop: Drop, user_id: int) -> Notice:
    return Notice(f"drop:{drop.id}:remind:{user_id}", user_id, REMINDER, drop_params(drop), language_of=user_id)


def cancelled(drop: Drop, chat_id: int) -> Notice:
    return Notice(f"drop:{drop.id}:cancelled:{chat_id}", chat_id, CANCELLED, drop_params(drop))


def raffle_won(drop: Drop, user_id: int, offer_expires_at: datetime) -> Notice:
    params = drop_params(drop, until=when(offer_expires_at))
    return Notice(f"drop:{drop.id}:won:{user_id}", user_id, RAFFLE_WON, params, language_of=user_id)


def raffle_results(drop: Drop, chat_id: int, entrants: int, winners: int) -> Notice:
    params = drop_params(drop, seed=drop.seed, entrants=entrants, winners=winners)
    return Notice(f"drop:{drop.id}:results:{chat_id}", chat_id, RAFFLE_RESULTS, params)


def report(drop: Drop, user_id: int, params: NoticeParams) -> Notice:
    return Notice(f"drop:{drop.id}:report:{user_id}", user_id, REPORT, params, language_of=user_id)
