"""Giveaways a group's admins run, drawn with the raffles' verifiable draw (domain/drops/raffle.py).

- An admin of the group sets one up: the prize and its units, the entry window, who may enter (in the group,
  and optionally a membership plan, a minimum of points, known to the shop before a date), and who pays for
  the prize: the community, or a brand, which must consent first (its staff decide in private).
- When it opens, the group sees the commitment (sha256 of a secret) and the drand round the draw will use:
  the first round after entries close. Entries are by button, one per member, under a pseudonym
  (HMAC of the user id with the giveaway's own key); an ineligible entry is refused with the reason.
- When entries close, the entrant list is fixed and its digest published; once the round is out, the seed is
  sha256("<secret>:<randomness>:<digest>") and entrants are ranked by sha256("<seed>:<pseudonym>"). The
  results publish the record scripts/verify_raffle.py recomputes from alone.
- The first `units` entrants are offered a prize to claim in private within `claim_hours`; an offer that lapses
  passes to the next entrant in draw order, once (a conditional update), by the moderation job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from domain.actors import Actor
from domain.community_registry import active_community
from domain.drops import raffle
from domain.drops.beacon import BeaconChain, BeaconValue, draw_round
from domain.errors import DomainError
from domain.member_registry import can_message
from domain.moderation import notices
from domain.moderation.errors import GiveawayError, ModerationError
from domain.moderation.model import (
    Eligibility,
    EntryStatus,
    Feature,
    Giveaway,
    GiveawayEntry,
    GiveawayStatus,
    NewGiveaway,
)
from domain.moderation.settings import require_feature
from domain.numbers import whole_number
from domain.ports import UnitOfWork

MAX_UNITS = 100
MAX_HOURS = 24 * 14
DEFAULT_CLAIM_HOURS = 24
MAX_CLAIM_HOURS = 24 * 7
MAX_PRIZE = 100
PSEUDONYM_ATTEMPTS = 8
OPTIONS = ("brand", "plan", "points", "joined", "claim")


@dataclass(frozen=True, slots=True)
class GiveawayRequest:
    prize: str
    units: int
    hours: int
    claim_hours: int = DEFAULT_CLAIM_HOURS
    eligibility: Eligibility = field(default_factory=Eligibility)
    brand: str | None = None  # a brand's name (underscores for spaces) or number; None: the community pays


def parse_request(text: str) -> GiveawayRequest:
    """`UNITS HOURS PRIZE… [brand=NAME] [plan=ID] [points=N] [joined=YYYY-MM-DD] [claim=HOURS]`."""
    words = text.split()
    units = whole_number(words[0], max_digits=3) if words else None
    if units is None or not 1 <= units <= MAX_UNITS:
        raise DomainError(GiveawayError.BAD_UNITS, max=MAX_UNITS)
    hours = whole_number(words[1], max_digits=4) if len(words) > 1 else None
    if hours is None or not 1 <= hours <= MAX_HOURS:
        raise DomainError(GiveawayError.BAD_HOURS, max=MAX_HOURS)
    prize_words: list[str] = []
    options: dict[str, str] = {}
    for word in words[2:]:
        key, equals, value = word.partition("=")
        if not equals:
            prize_words.append(word)
        elif key.lower() in OPTIONS:
            options[key.lower()] = value
        else:
            raise DomainError(GiveawayError.BAD_OPTION, option=key, options=", ".join(OPTIONS))
    prize = " ".join(prize_words)
    if not 1 <= len(prize) <= MAX_PRIZE:
        raise DomainError(GiveawayError.BAD_PRIZE, max=MAX_PRIZE)
    claim = _number(options.get("claim"), DEFAULT_CLAIM_HOURS, GiveawayError.BAD_OPTION, option="claim")
    if not 1 <= claim <= MAX_CLAIM_HOURS:
        raise DomainError(GiveawayError.BAD_OPTION, option="claim", options=", ".join(OPTIONS))
    plan = options.get("plan")
    plan_id = None if plan is None else _number(plan, 0, GiveawayError.UNKNOWN_PLAN, plan=plan)
    eligibility = Eligibility(
        plan_id=plan_id,
        min_points=_number(options.get("points"), 0, GiveawayError.BAD_OPTION, option="points"),
        joined_before=_date(options["joined"]) if "joined" in options else None,
    )
    brand = options.get("brand")
    return GiveawayRequest(prize, units, hours, claim, eligibility, brand.replace("_", " ") if brand else None)


def _number(text: str | None, default: int, code: GiveawayError, **params: str) -> int:
    if text is None:
        return default
    value = whole_number(text, max_digits=9)
    if value is None:
        if code is GiveawayError.BAD_OPTION:
            params = {**params, "options": ", ".join(OPTIONS)}
        raise DomainError(code, **params)
    return value


def _date(text: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DomainError(GiveawayError.BAD_DATE) from None
    return datetime.combine(day, time(0), tzinfo=UTC)


async def create_giveaway(
    uow: UnitOfWork, now: datetime, actor: Actor, chat_id: int, request: GiveawayRequest, chain: BeaconChain
) -> Giveaway:
    """An admin of the group sets a giveaway up: open at once if the community pays, else awaiting the brand."""
    actor.require_group_admin(chat_id, refusal=ModerationError.ADMINS_ONLY)
    community = await active_community(uow, chat_id)
    await require_feature(uow, chat_id, Feature.GIVEAWAYS)
    plan_id = request.eligibility.plan_id
    if plan_id is not None and await uow.plans.get(plan_id) is None:
        raise DomainError(GiveawayError.UNKNOWN_PLAN, plan=str(plan_id))
    brand_id = None
    if request.brand is not None:
        number = whole_number(request.brand)
        brand = await (uow.brands.get(number) if number is not None else uow.brands.get_by_name(request.brand))
        if brand is None:
            raise DomainError(GiveawayError.UNKNOWN_BRAND, brand=request.brand)
        brand_id = brand.id
    new = NewGiveaway(
        chat_id=chat_id,
        prize=request.prize,
        units=request.units,
        hours=request.hours,
        claim_hours=request.claim_hours,
        eligibility=request.eligibility,
        brand_id=brand_id,
        created_by=actor.user_id,
        created_at=now,
        secret=raffle.new_seed(),
        pseudonym_key=raffle.new_pseudonym_key(),
    )
    if brand_id is None:
        giveaway = await uow.giveaways.add(new, GiveawayStatus.AWAITING_BRAND)
        return await _open(uow, now, giveaway, chain)
    giveaway = await uow.giveaways.add(new, GiveawayStatus.AWAITING_BRAND)
    brand_name = request.brand or ""
    for staff in await uow.brand_staff.staff_of(brand_id):
        if await can_message(uow, staff):
            await uow.outbox.enqueue(notices.consent_request(giveaway, staff, brand_name, community.title), now)
    return giveaway


async def _open(uow: UnitOfWork, now: datetime, giveaway: Giveaway, chain: BeaconChain) -> Giveaway:
    closes_at = now + timedelta(hours=giveaway.hours)
    beacon = draw_round(chain, closes_at)
    if not await uow.giveaways.open(
        giveaway.id, giveaway.status, now, closes_at, beacon.chain_hash, beacon.round, beacon.at
    ):
        raise DomainError(GiveawayError.NOT_OPEN)
    opened = replace(
        giveaway,
        status=GiveawayStatus.OPEN,
        opened_at=now,
        closes_at=closes_at,
        beacon_chain=beacon.chain_hash,
        beacon_round=beacon.round,
        beacon_at=beacon.at,
    )
    await uow.outbox.enqueue(notices.giveaway_open(opened), now)
    return opened


async def brand_decides(
    uow: UnitOfWork, now: datetime, actor: Actor, giveaway_id: int, consent: bool, chain: BeaconChain
) -> Giveaway:
    """Staff of the brand funding the prize consent (the giveaway opens) or decline (it never does)."""
    giveaway = await get(uow, giveaway_id)
    if giveaway.brand_id is None or not await uow.brand_staff.is_staff(giveaway.brand_id, actor.user_id):
        raise DomainError(GiveawayError.NOT_STAFF)
    if giveaway.status is not GiveawayStatus.AWAITING_BRAND:
        raise DomainError(GiveawayError.NOT_OPEN)
    if consent:
        return await _open(uow, now, giveaway, chain)
    if not await uow.giveaways.decline(giveaway.id):
        raise DomainError(GiveawayError.NOT_OPEN)
    declined = replace(giveaway, status=GiveawayStatus.DECLINED)
    if await can_message(uow, giveaway.created_by):
        await uow.outbox.enqueue(notices.giveaway_declined(declined), now)
    return declined


async def get(uow: UnitOfWork, giveaway_id: int) -> Giveaway:
    giveaway = await uow.giveaways.get(giveaway_id)
    if giveaway is None:
        raise DomainError(GiveawayError.UNKNOWN)
    return giveaway


@dataclass(frozen=True, slots=True)
class EntryResult:
    giveaway: Giveaway
    added: bool
    pseudonym: str


async def enter(
    uow: UnitOfWork, now: datetime, giveaway_id: int, user_id: int, in_group: bool, tell_in_private: bool = False
) -> EntryResult:
    """One entry per member, while entries are open, for whoever is eligible; the reason otherwise.

    `in_group` is what Telegram said just before (getChatMember): only the group's members may enter."""
    giveaway = await get(uow, giveaway_id)
    if giveaway.status is GiveawayStatus.AWAITING_BRAND:
        raise DomainError(GiveawayError.AWAITING_BRAND)
    if giveaway.status is not GiveawayStatus.OPEN or giveaway.closes_at is None or now >= giveaway.closes_at:
        raise DomainError(GiveawayError.CLOSED)
    existing = await uow.giveaways.entry(giveaway.id, user_id)
    if existing is not None:
        return EntryResult(giveaway, False, existing.pseudonym)
    await check_eligible(uow, now, giveaway, user_id, in_group)
    if not await can_message(uow, user_id):
        raise DomainError(GiveawayError.START_BOT_FIRST)
    for attempt in range(PSEUDONYM_ATTEMPTS):
        name = raffle.pseudonym(giveaway.pseudonym_key, user_id, attempt)
        if await uow.giveaways.add_entry(GiveawayEntry(giveaway.id, user_id, name, now)):
            if tell_in_private:
                await uow.outbox.enqueue(notices.giveaway_entered(giveaway, user_id, name), now)
            return EntryResult(giveaway, True, name)
        entered = await uow.giveaways.entry(giveaway.id, user_id)
        if entered is not None:  # a second press won the race
            return EntryResult(giveaway, False, entered.pseudonym)
    raise RuntimeError(f"no free pseudonym for an entrant of giveaway {giveaway.id}")


async def check_eligible(uow: UnitOfWork, now: datetime, giveaway: Giveaway, user_id: int, in_group: bool) -> None:
    """Refuse with the first reason the member may not enter."""
    if not in_group:
        raise DomainError(GiveawayError.NOT_A_MEMBER)
    rules = giveaway.eligibility
    if rules.plan_id is not None:
        membership = await uow.memberships.get_for(user_id, rules.plan_id)
        if membership is None or not membership.has_perks(now):
            plan = await uow.plans.get(rules.plan_id)
            raise DomainError(GiveawayError.NEEDS_PLAN, plan=plan.name if plan is not None else str(rules.plan_id))
    if rules.min_points > 0:
        balance = await uow.points.balance(user_id)
        if balance < rules.min_points:
            raise DomainError(GiveawayError.TOO_FEW_POINTS, points=rules.min_points, balance=balance)
    if rules.joined_before is not None:
        member = await uow.members.get(user_id)
        if member is None or member.created_at is None or member.created_at >= rules.joined_before:
            raise DomainError(GiveawayError.JOINED_TOO_LATE, date=rules.joined_before.date().isoformat())


# -- the job's transitions ------------------------------------------------------------------------------
async def close_entries(uow: UnitOfWork, now: datetime, giveaway: Giveaway) -> bool:
    """Freeze the entrant list and publish its digest, before the round comes. True if this call closed it."""
    entries = await uow.giveaways.entries(giveaway.id)
    digest = raffle.entrants_digest(e.pseudonym for e in entries)
    if not await uow.giveaways.close(giveaway.id, len(entries), digest):
        return False
    closed = replace(giveaway, status=GiveawayStatus.CLOSED, entrants=len(entries), entrants_digest=digest)
    sent = await uow.outbox.get_by_key(notices.open_key(giveaway.id))
    await uow.outbox.enqueue(notices.giveaway_closed(closed, sent.message_id if sent else None), now)
    return True


async def draw(uow: UnitOfWork, now: datetime, giveaway: Giveaway, value: BeaconValue | None) -> bool:
    """Draw with the round's randomness (None: the stated fallback), offer the first prizes, publish the record."""
    entries = await uow.giveaways.entries(giveaway.id)
    digest = giveaway.entrants_digest or raffle.entrants_digest(e.pseudonym for e in entries)
    randomness = value.randomness if value is not None else None
    seed = raffle.draw_seed(giveaway.secret, digest, randomness)
    order = raffle.draw_order(seed, [e.pseudonym for e in entries])
    if not await uow.giveaways.drawn(giveaway.id, now, seed, randomness, value.signature if value else None):
        return False
    drawn = replace(
        giveaway,
        status=GiveawayStatus.DRAWN,
        draw_seed=seed,
        randomness=randomness,
        signature=value.signature if value else None,
        drawn_at=now,
    )
    await uow.giveaways.set_ranks(giveaway.id, {name: rank for rank, name in enumerate(order)})
    by_name = {e.pseudonym: e for e in entries}
    for name in order[: giveaway.units]:
        await _offer(uow, now, drawn, by_name[name])
    await uow.outbox.enqueue(notices.giveaway_results(drawn, record(drawn, entries, order)), now)
    return True


def record(giveaway: Giveaway, entries: Sequence[GiveawayEntry], order: tuple[str, ...]) -> str:
    """The published record, in the raffles' format, so that scripts/verify_raffle.py checks it as it is."""
    assert giveaway.beacon_round is not None and giveaway.beacon_at is not None and giveaway.draw_seed is not None
    return raffle.RaffleRecord(
        drop_id=giveaway.id,
        title=f"Giveaway #{giveaway.id}: {giveaway.prize}",
        units=giveaway.units,
        commitment=raffle.commitment(giveaway.secret),
        secret=giveaway.secret,
        chain_hash=giveaway.beacon_chain or "",
        round=giveaway.beacon_round,
        round_time=giveaway.beacon_at.isoformat(),
        randomness=giveaway.randomness,
        signature=giveaway.signature,
        entrants=tuple(sorted(e.pseudonym for e in entries)),
        entrants_digest=giveaway.entrants_digest or raffle.entrants_digest(e.pseudonym for e in entries),
        seed=giveaway.draw_seed,
        draw_order=order,
    ).to_json()


async def _offer(uow: UnitOfWork, now: datetime, giveaway: Giveaway, entry: GiveawayEntry) -> bool:
    claim_by = now + giveaway.claim_window
    if not await uow.giveaways.offer(giveaway.id, entry.user_id, claim_by):
        return False
    await uow.outbox.enqueue(notices.giveaway_won(giveaway, entry, claim_by), now)
    return True


async def claim(uow: UnitOfWork, now: datetime, giveaway_id: int, user_id: int) -> Giveaway:
    """The winner claims in private before their time runs out; the moderator is told whom to give it to."""
    giveaway = await get(uow, giveaway_id)
    entry = await uow.giveaways.entry(giveaway.id, user_id)
    if entry is None or entry.status not in (EntryStatus.OFFERED, EntryStatus.CLAIMED, EntryStatus.LAPSED):
        raise DomainError(GiveawayError.NOT_YOUR_PRIZE)
    if entry.status is EntryStatus.CLAIMED:
        return giveaway
    if entry.status is EntryStatus.LAPSED or (entry.claim_by is not None and now >= entry.claim_by):
        raise DomainError(GiveawayError.CLAIM_EXPIRED)
    if not await uow.giveaways.set_entry_status(giveaway.id, user_id, EntryStatus.OFFERED, EntryStatus.CLAIMED):
        raise DomainError(GiveawayError.CLAIM_EXPIRED)
    member = await uow.members.get(user_id)
    name = member.first_name if member is not None else str(user_id)
    username = member.username if member is not None else None
    if await can_message(uow, giveaway.created_by):
        await uow.outbox.enqueue(notices.giveaway_claimed_host(giveaway, entry, name, username), now)
    await uow.outbox.enqueue(notices.giveaway_claimed_group(giveaway, entry), now)
    return giveaway


async def pass_on(uow: UnitOfWork, now: datetime, lapsed: GiveawayEntry) -> GiveawayEntry | None:
    """An offer not claimed in time passes to the next entrant in draw order, once. Returns who got it."""
    if not await uow.giveaways.set_entry_status(
        lapsed.giveaway_id, lapsed.user_id, EntryStatus.OFFERED, EntryStatus.LAPSED
    ):
        return None  # another pass did it
    giveaway = await get(uow, lapsed.giveaway_id)
    await uow.outbox.enqueue(notices.giveaway_lapsed(giveaway, lapsed), now)
    for candidate in await uow.giveaways.entries(giveaway.id):
        if candidate.status is EntryStatus.ENTERED and await _offer(uow, now, giveaway, candidate):
            await uow.outbox.enqueue(notices.giveaway_passed(giveaway, lapsed, candidate), now)
            return candidate
    await uow.outbox.enqueue(notices.giveaway_passed(giveaway, lapsed, None), now)
    return None


async def published_record(uow: UnitOfWork, giveaway_id: int) -> str | None:
    """The record of a drawn giveaway (None before the draw), for /giveaway ID in private."""
    giveaway = await get(uow, giveaway_id)
    if giveaway.status is not GiveawayStatus.DRAWN or giveaway.draw_seed is None:
        return None
    entries = list(await uow.giveaways.entries(giveaway.id))
    order = raffle.draw_order(giveaway.draw_seed, [e.pseudonym for e in entries])
    return record(giveaway, entries, order)
