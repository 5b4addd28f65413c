"""The notices drops enqueue: keys (so that each goes out once) and the params their views need."""

from __future__ import annotations

from datetime import datetime

from domain.drops.model import Drop
from domain.notices import Notice, NoticeParams, OutboxEntry

TEASER = "drops.teaser"
ANNOUNCEMENT = "drops.announcement"
REMINDER = "drops.reminder"
CANCELLED = "drops.cancelled"
REPORT = "drops.report"
RAFFLE_WON = "drops.raffle_won"
RAFFLE_RESULTS = "drops.raffle_results"
RAFFLE_ENTERED = "drops.raffle_entered"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def when_exactly(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


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
    if drop.verifiable:
        params.update(
            beacon_chain=drop.beacon_chain,
            beacon_round=drop.beacon_round,
            beacon_at=when_exactly(drop.beacon_at) if drop.beacon_at else None,
            entrants=drop.entrants,
            entrants_digest=drop.entrants_digest,
        )
    params.update(extra)
    return params


def announcement_key(drop_id: int, chat_id: int) -> str:
    return f"drop:{drop_id}:open:{chat_id}"


def teaser_prefix(drop_id: int) -> str:
    return f"drop:{drop_id}:teaser:"


def teaser(drop: Drop, chat_id: int, minutes: int) -> Notice:
    # The key names the drop's revision: a job firing twice sends a teaser once, and a teaser that an
    # edit withdrew before it went out is queued again with the new terms.
    key = f"{teaser_prefix(drop.id)}{minutes}:r{drop.revision}:{chat_id}"
    return Notice(key, chat_id, TEASER, drop_params(drop, lead=minutes))


def teaser_update_prefix(drop_id: int) -> str:
    return f"drop:{drop_id}:teaser-edit:"


def teaser_update(drop: Drop, posted: OutboxEntry, still_targeted: bool) -> Notice:
    """An edit of a posted teaser: the drop's new terms, or, for a group the drop no longer targets, that
    it is off there."""
    assert posted.message_id is not None
    key = f"{teaser_update_prefix(drop.id)}r{drop.revision}:{posted.id}"
    kind = TEASER if still_targeted else CANCELLED
    params = drop_params(drop, lead=posted.notice.params.get("lead"))
    return Notice(key, posted.notice.chat_id, kind, params, edit_message_id=posted.message_id)


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


def raffle_results(drop: Drop, chat_id: int, entrants: int, winners: int, record: str | None = None) -> Notice:
    """The results in a group. A verifiable raffle's carry the published record (the file members check)."""
    params = drop_params(drop, seed=drop.seed, entrants=entrants, winners=winners)
    if record is not None:
        params.update(
            draw_seed=drop.draw_seed,
            randomness=drop.beacon_randomness,
            fallback=1 if drop.beacon_fallback else 0,
            record=record,
        )
    return Notice(f"drop:{drop.id}:results:{chat_id}", chat_id, RAFFLE_RESULTS, params)


def raffle_entered(drop: Drop, user_id: int, pseudonym: str | None) -> Notice:
    """The private note to an entrant: their pseudonym in the list that will be published."""
    params = drop_params(drop, pseudonym=pseudonym)
    return Notice(f"drop:{drop.id}:entered:{user_id}", user_id, RAFFLE_ENTERED, params, language_of=user_id)


def report(drop: Drop, user_id: int, params: NoticeParams) -> Notice:
    return Notice(f"drop:{drop.id}:report:{user_id}", user_id, REPORT, params, language_of=user_id)


def corrected_report(drop: Drop, user_id: int, params: NoticeParams, refunded_order: int) -> Notice:
    """The report again after an operator refunded order `refunded_order` of the drop."""
    key = f"drop:{drop.id}:report:{user_id}:refund:{refunded_order}"
    return Notice(key, user_id, REPORT, {**params, "corrected": 1}, language_of=user_id)
