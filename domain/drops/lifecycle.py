"""The timed transitions of a drop. Each is a conditional update: running it twice, late or after a
restart does nothing more than running it once on time. Notices are enqueued in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from domain.drops import notices, raffle, shelf
from domain.drops.beacon import BeaconValue, consistent
from domain.drops.due import draw_due, fallback_due
from domain.drops.model import ClaimStatus, Drop, DropStatus, EntryStatus
from domain.drops.reports import build_report
from domain.drops.scheduling import audience
from domain.notices import NoticeStatus
from domain.ports import UnitOfWork

DEFAULT_TEASERS = (24 * 60, 60)  # minutes before the start
DEFAULT_RAFFLE_CLAIM = timedelta(hours=1)


async def send_teaser(uow: UnitOfWork, now: datetime, drop: Drop, lead: int) -> int:
    if not await uow.drops.mark_teaser(drop.id, lead):
        return 0
    # The caller's copy may predate an edit: the teaser shows the drop as it is after the mark, and an edit
    # committing later finds this teaser and brings it up to date (scheduling.edit_drop).
    drop = await uow.drops.get(drop.id) or drop
    chats = await audience(uow, drop)
    for chat_id in chats:
        await uow.outbox.enqueue(notices.teaser(drop, chat_id, lead), now)
    return len(chats)


async def open_drop(uow: UnitOfWork, now: datetime, drop_id: int) -> tuple[int, ...]:
    """Open at the start: announce in every group that opted in (now, not when scheduled), remind fans."""
    drop = await uow.drops.get(drop_id)
    if drop is None or drop.status is not DropStatus.SCHEDULED or now < drop.starts_at:
        return ()
    if not await uow.drops.transition(drop.id, (DropStatus.SCHEDULED,), DropStatus.OPEN, now):
        return ()
    chats = await audience(uow, drop)
    for chat_id in chats:
        await uow.drops.add_target(drop.id, chat_id)
        # The post shows this count already: no edit until it changes (Telegram refuses an edit to the same text).
        await uow.drops.set_announced(drop.id, chat_id, drop.remaining, None)
        await uow.outbox.enqueue(notices.announcement(drop, chat_id), now)
    for user_id in await uow.drop_fans.reminders(drop.id):
        await uow.outbox.enqueue(notices.reminder(drop, user_id), now)
    return chats


async def close_drop(uow: UnitOfWork, now: datetime, drop_id: int, claim_window: timedelta) -> bool:
    """Close at the end. A raffle's entrant list is frozen now and its digest shown in the groups, before the
    beacon round that draws it is published; a raffle from before beacons draws at once."""
    drop = await uow.drops.get(drop_id)
    if drop is None or drop.status is not DropStatus.OPEN or now < drop.ends_at:
        return False
    if not await uow.drops.transition(drop.id, (DropStatus.OPEN,), DropStatus.CLOSED, now):
        return False
    closed = await uow.drops.get(drop_id)
    assert closed is not None
    if closed.verifiable:
        await uow.drops.freeze_entrants(drop_id, raffle.entrants_digest(await _pseudonyms(uow, drop_id)))
        closed = await uow.drops.get(drop_id)
        assert closed is not None
    await refresh_announcements(uow, now, closed)
    if closed.is_raffle and not closed.verifiable:
        await _draw_by_secret(uow, now, closed, claim_window)
    return True


async def _pseudonyms(uow: UnitOfWork, drop_id: int) -> list[str]:
    names = [e.pseudonym for e in await uow.drop_fans.entries(drop_id)]
    if any(name is None for name in names):
        raise RuntimeError(f"drop {drop_id} has an entrant without a pseudonym")
    return [name for name in names if name is not None]


async def draw(
    uow: UnitOfWork, now: datetime, drop_id: int, claim_window: timedelta, beacon: BeaconValue | None
) -> bool:
    """Draw once the round is due: with its value, or (`beacon` None, or not the committed round) with the
    stated fallback once FALLBACK_AFTER has passed. Rank every entrant, offer a unit to the first
    `quantity`, and publish the record in every group. False if it is not time yet or it was drawn already."""
    drop = await uow.drops.get(drop_id)
    if drop is None or not draw_due(drop, now) or drop.seed is None or drop.beacon_round is None:
        return False
    if beacon is not None and not consistent(beacon, drop.beacon_round):
        beacon = None
    if beacon is None and not fallback_due(drop, now):
        return False
    entries = await uow.drop_fans.entries(drop.id)
    names = await _pseudonyms(uow, drop.id)
    digest = raffle.entrants_digest(names)
    if drop.entrants_digest is not None and digest != drop.entrants_digest:
        raise RuntimeError(f"drop {drop.id}: the entrant list changed after entries closed")
    seed = raffle.draw_seed(drop.seed, digest, beacon.randomness if beacon else None)
    named_order = raffle.draw_order(seed, names)
    if not await uow.drops.mark_drawn(drop.id, now, seed, beacon):
        return False
    drawn = await uow.drops.get(drop.id)
    assert drawn is not None
    user_of = {e.pseudonym: e.user_id for e in entries}
    order = tuple(user_of[name] for name in named_order)
    await _offer(uow, now, drawn, order, claim_window)
    record = record_of(drawn, names, named_order).to_json()
    for target in await uow.drops.targets(drop.id):
        notice = notices.raffle_results(drawn, target.chat_id, len(order), min(len(order), drawn.quantity), record)
        await uow.outbox.enqueue(notice, now)
    return True


def record_of(drop: Drop, entrants: Sequence[str], order: Sequence[str]) -> raffle.RaffleRecord:
    """What the results publish of a drawn raffle."""
    assert drop.seed is not None and drop.seed_hash is not None and drop.draw_seed is not None
    assert drop.beacon_chain is not None and drop.beacon_round is not None and drop.beacon_at is not None
    return raffle.RaffleRecord(
        drop_id=drop.id,
        title=drop.title,
        units=drop.quantity,
        commitment=drop.seed_hash,
        secret=drop.seed,
        chain_hash=drop.beacon_chain,
        round=drop.beacon_round,
        round_time=drop.beacon_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        randomness=drop.beacon_randomness,
        signature=drop.beacon_signature,
        entrants=tuple(sorted(entrants)),
        entrants_digest=drop.entrants_digest or raffle.entrants_digest(entrants),
        seed=drop.draw_seed,
        draw_order=tuple(order),
    )


async def published_record(uow: UnitOfWork, drop: Drop) -> raffle.RaffleRecord | None:
    """A drawn verifiable raffle's record, from what was stored at the draw (None before the draw)."""
    if not drop.verifiable or drop.drawn_at is None:
        return None
    entries = await uow.drop_fans.entries(drop.id)
    ranked = sorted((e for e in entries if e.rank is not None), key=lambda e: e.rank or 0)
    return record_of(drop, await _pseudonyms(uow, drop.id), [e.pseudonym or "" for e in ranked])


async def _draw_by_secret(uow: UnitOfWork, now: datetime, drop: Drop, claim_window: timedelta) -> tuple[int, ...]:
    """A raffle scheduled before beacons: rank user ids by the committed seed and reveal it."""
    if drop.seed is None or not await uow.drops.mark_drawn(drop.id, now):
        return ()
    entries = await uow.drop_fans.entries(drop.id)
    order = raffle.draw_order(drop.seed, (e.user_id for e in entries))
    winners = await _offer(uow, now, drop, order, claim_window)
    for target in await uow.drops.targets(drop.id):
        await uow.outbox.enqueue(notices.raffle_results(drop, target.chat_id, len(order), len(winners)), now)
    return winners


async def _offer(
    uow: UnitOfWork, now: datetime, drop: Drop, order: Sequence[int], claim_window: timedelta
) -> tuple[int, ...]:
    """Record every entrant's rank and offer a unit to the first `quantity`, who are told in private."""
    winners = tuple(order[: drop.quantity])
    expires = now + claim_window
    for rank, user_id in enumerate(order):
        await uow.drop_fans.set_rank(drop.id, user_id, rank)
    for user_id in winners:
        await uow.drop_fans.move_entry(drop.id, user_id, (EntryStatus.ENTERED,), EntryStatus.OFFERED, expires)
        await uow.outbox.enqueue(notices.raffle_won(drop, user_id, expires), now)
    return winners


async def pass_on_lapsed_offer(
    uow: UnitOfWork, now: datetime, drop_id: int, user_id: int, claim_window: timedelta
) -> int | None:
    """A winner who did not pay in time loses the offer; the next entrant in draw order gets it."""
    held = await uow.drop_claims.open_for(drop_id, user_id)
    if held is not None and held.status is ClaimStatus.HELD:
        return None  # paying right now: the hold's own expiry decides
    if not await uow.drop_fans.move_entry(drop_id, user_id, (EntryStatus.OFFERED,), EntryStatus.LAPSED):
        return None
    drop = await uow.drops.get(drop_id)
    assert drop is not None
    for entry in await uow.drop_fans.next_in_line(drop_id, 1):
        expires = now + claim_window
        if await uow.drop_fans.move_entry(drop_id, entry.user_id, (EntryStatus.ENTERED,), EntryStatus.OFFERED, expires):
            await uow.outbox.enqueue(notices.raffle_won(drop, entry.user_id, expires), now)
            return entry.user_id
    return None


async def refresh_announcements(uow: UnitOfWork, now: datetime, drop: Drop) -> int:
    """Bring each announcement's remaining count up to date with one edit, debounced.

    At most one edit per announcement is pending at a time: while the last one waits (Telegram allows
    about 20 messages a minute per group), newer counts simply fold into the next edit. The final
    "ended" edit does not wait: it must land even if a count edit is still queued.
    """
    state = "closed" if drop.ended else "open"
    edited = 0
    for target in await uow.drops.targets(drop.id):
        shown = drop.remaining if state == "open" else -1
        if target.announced_remaining == shown:
            continue
        if target.last_edit_key is not None and state == "open":
            last = await uow.outbox.get_by_key(target.last_edit_key)
            if last is not None and last.status is NoticeStatus.PENDING:
                continue
        announced = await uow.outbox.get_by_key(notices.announcement_key(drop.id, target.chat_id))
        if announced is None or announced.message_id is None:
            continue  # not posted yet: it will show the count of the moment it is rendered
        sequence = _next_sequence(target.last_edit_key)
        notice = notices.announcement_edit(drop, target.chat_id, announced.message_id, sequence, state)
        await uow.outbox.enqueue(notice, now)
        await uow.drops.set_announced(drop.id, target.chat_id, shown, notice.key)
        edited += 1
    return edited


def _next_sequence(last_key: str | None) -> int:
    if last_key is None:
        return 1
    return int(last_key.rsplit(":", 1)[1]) + 1


async def report_if_done(uow: UnitOfWork, now: datetime, drop_id: int, operators: Sequence[int]) -> bool:
    """Once no unit can still be paid for, report to the brand's staff (or the operators if it has none)."""
    drop = await uow.drops.get(drop_id)
    if drop is None or drop.status is not DropStatus.CLOSED or drop.reported_at is not None:
        return False
    if await uow.drop_claims.held_count(drop.id) > 0:
        return False
    if drop.is_raffle and drop.drawn_at is None:
        return False  # the draw waits for its beacon round
    if drop.is_raffle and await uow.drop_fans.count(drop.id, (EntryStatus.OFFERED,)) > 0:
        return False
    if not await uow.drops.mark_reported(drop.id, now):
        return False
    await shelf.give_back(uow, drop.id)  # no payment can complete now: the unsold units go back on the shelf
    report = build_report(drop, await uow.drop_claims.paid(drop.id), now)
    for user_id in await _report_recipients(uow, drop, operators):
        await uow.outbox.enqueue(notices.report(drop, user_id, report.params()), now)
    return True


async def _report_recipients(uow: UnitOfWork, drop: Drop, operators: Sequence[int]) -> list[int]:
    return list(await uow.brand_staff.staff_of(drop.brand_id)) or list(operators)


async def order_refunded(uow: UnitOfWork, now: datetime, order_id: int, amount: int, operators: Sequence[int]) -> bool:
    """An operator refunded a paid drop order: the drop's sold count and revenue drop, the member's allowance
    comes back (the unit is not put on sale again, as for the shop's refunds), and a brand that already has
    its report gets a corrected one. False if the order is not a paid drop order (or was refunded before)."""
    claim = await uow.drop_claims.get(order_id)
    if claim is None or not await uow.drop_claims.transition(order_id, (ClaimStatus.PAID,), ClaimStatus.REFUNDED):
        return False
    await uow.drops.record_refund(claim.drop_id, claim.quantity, amount)
    await uow.drop_claims.give_back_allowance(claim.drop_id, claim.user_id, claim.quantity)
    drop = await uow.drops.get(claim.drop_id)
    if drop is not None and drop.reported_at is not None:
        report = build_report(drop, await uow.drop_claims.paid(drop.id), now)
        for user_id in await _report_recipients(uow, drop, operators):
            await uow.outbox.enqueue(notices.corrected_report(drop, user_id, report.params(), order_id), now)
    return True
