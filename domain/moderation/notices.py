"""The notices giveaways and meetups enqueue: keys (so that each goes out once) and the params their views need."""

from __future__ import annotations

from datetime import datetime

from domain.drops import raffle
from domain.moderation.model import Giveaway, GiveawayEntry, Meetup
from domain.notices import Notice

GIVEAWAY_OPEN = "giveaways.open"
GIVEAWAY_CONSENT = "giveaways.consent"
GIVEAWAY_DECLINED = "giveaways.declined"
GIVEAWAY_ENTERED = "giveaways.entered"
GIVEAWAY_CLOSED = "giveaways.closed"
GIVEAWAY_WON = "giveaways.won"
GIVEAWAY_RESULTS = "giveaways.results"
GIVEAWAY_CLAIMED_HOST = "giveaways.claimed_host"
GIVEAWAY_CLAIMED_GROUP = "giveaways.claimed_group"
GIVEAWAY_LAPSED = "giveaways.lapsed"
GIVEAWAY_PASSED = "giveaways.passed"
MEETUP_ANNOUNCED = "meetups.announced"
MEETUP_PROMOTED = "meetups.promoted"
MEETUP_REMINDER = "meetups.reminder"


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""


def giveaway_params(giveaway: Giveaway, **extra: str | int | None) -> dict[str, str | int | None]:
    rules = giveaway.eligibility
    params: dict[str, str | int | None] = {
        "giveaway_id": giveaway.id,
        "prize": giveaway.prize,
        "units": giveaway.units,
        "closes": when(giveaway.closes_at),
        "claim_hours": giveaway.claim_hours,
        "commitment": raffle.commitment(giveaway.secret),
        "beacon_round": giveaway.beacon_round,
        "beacon_at": when(giveaway.beacon_at),
        "plan_id": rules.plan_id,
        "min_points": rules.min_points,
        "joined_before": rules.joined_before.date().isoformat() if rules.joined_before else None,
        "brand_id": giveaway.brand_id,
        "entrants": giveaway.entrants,
        "digest": giveaway.entrants_digest,
    }
    params.update(extra)
    return params


def open_key(giveaway_id: int) -> str:
    return f"giveaway:{giveaway_id}:open"


def giveaway_open(giveaway: Giveaway) -> Notice:
    return Notice(open_key(giveaway.id), giveaway.chat_id, GIVEAWAY_OPEN, giveaway_params(giveaway))


def consent_request(giveaway: Giveaway, staff_id: int, brand: str, group: str) -> Notice:
    params = giveaway_params(giveaway, brand=brand, group=group, hours=giveaway.hours)
    return Notice(
        f"giveaway:{giveaway.id}:consent:{staff_id}", staff_id, GIVEAWAY_CONSENT, params, language_of=staff_id
    )


def giveaway_declined(giveaway: Giveaway) -> Notice:
    host = giveaway.created_by
    return Notice(
        f"giveaway:{giveaway.id}:declined", host, GIVEAWAY_DECLINED, giveaway_params(giveaway), language_of=host
    )


def giveaway_entered(giveaway: Giveaway, user_id: int, pseudonym: str) -> Notice:
    params = giveaway_params(giveaway, pseudonym=pseudonym)
    return Notice(f"giveaway:{giveaway.id}:entered:{user_id}", user_id, GIVEAWAY_ENTERED, params, language_of=user_id)


def giveaway_closed(giveaway: Giveaway, message_id: int | None) -> Notice:
    """The announcement edited to show the frozen list's size and digest (a new post if it never went out)."""
    return Notice(
        f"giveaway:{giveaway.id}:closed",
        giveaway.chat_id,
        GIVEAWAY_CLOSED,
        giveaway_params(giveaway),
        edit_message_id=message_id,
    )


def giveaway_won(giveaway: Giveaway, entry: GiveawayEntry, claim_by: datetime) -> Notice:
    params = giveaway_params(giveaway, pseudonym=entry.pseudonym, claim_by=when(claim_by))
    user = entry.user_id
    return Notice(f"giveaway:{giveaway.id}:won:{user}", user, GIVEAWAY_WON, params, language_of=user)


def giveaway_results(giveaway: Giveaway, record_json: str) -> Notice:
    params = giveaway_params(
        giveaway,
        record=record_json,
        secret=giveaway.secret,
        randomness=giveaway.randomness,
        seed=giveaway.draw_seed,
    )
    return Notice(f"giveaway:{giveaway.id}:results", giveaway.chat_id, GIVEAWAY_RESULTS, params)


def giveaway_claimed_host(giveaway: Giveaway, entry: GiveawayEntry, name: str, username: str | None) -> Notice:
    params = giveaway_params(giveaway, pseudonym=entry.pseudonym, name=name, username=username, user_id=entry.user_id)
    host = giveaway.created_by
    key = f"giveaway:{giveaway.id}:claimed-host:{entry.user_id}"
    return Notice(key, host, GIVEAWAY_CLAIMED_HOST, params, language_of=host)


def giveaway_claimed_group(giveaway: Giveaway, entry: GiveawayEntry) -> Notice:
    params = giveaway_params(giveaway, pseudonym=entry.pseudonym)
    key = f"giveaway:{giveaway.id}:claimed:{entry.user_id}"
    return Notice(key, giveaway.chat_id, GIVEAWAY_CLAIMED_GROUP, params)


def giveaway_lapsed(giveaway: Giveaway, entry: GiveawayEntry) -> Notice:
    user = entry.user_id
    return Notice(
        f"giveaway:{giveaway.id}:lapsed:{user}",
        user,
        GIVEAWAY_LAPSED,
        giveaway_params(giveaway, pseudonym=entry.pseudonym),
        language_of=user,
    )


def giveaway_passed(giveaway: Giveaway, lapsed: GiveawayEntry, to: GiveawayEntry | None) -> Notice:
    params = giveaway_params(giveaway, lapsed=lapsed.pseudonym, to=to.pseudonym if to else None)
    key = f"giveaway:{giveaway.id}:passed:{lapsed.user_id}"
    return Notice(key, giveaway.chat_id, GIVEAWAY_PASSED, params)


# -- meetups --------------------------------------------------------------------------------------------
def meetup_params(meetup: Meetup, **extra: str | int | None) -> dict[str, str | int | None]:
    params: dict[str, str | int | None] = {
        "meetup_id": meetup.id,
        "title": meetup.title,
        "starts": when(meetup.starts_at),
        "capacity": meetup.capacity,
        "points": meetup.points,
    }
    params.update(extra)
    return params


def meetup_announced(meetup: Meetup) -> Notice:
    return Notice(f"meetup:{meetup.id}:announced", meetup.chat_id, MEETUP_ANNOUNCED, meetup_params(meetup))


def meetup_promoted(meetup: Meetup, user_id: int, rsvp_id: int) -> Notice:
    key = f"meetup:{meetup.id}:promoted:{rsvp_id}:{user_id}"
    return Notice(key, user_id, MEETUP_PROMOTED, meetup_params(meetup), language_of=user_id)


def meetup_reminder(meetup: Meetup, user_id: int) -> Notice:
    key = f"meetup:{meetup.id}:remind:{user_id}"
    return Notice(key, user_id, MEETUP_REMINDER, meetup_params(meetup), language_of=user_id)
