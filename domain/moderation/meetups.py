"""Meetups and live sessions a group's admins announce: RSVPs within a capacity, a waiting list, reminders,
check-in by a code shown at the event, and attendance points under the `event` reason and its daily cap.

A place is taken with one conditional UPDATE (`going < capacity`), never read-then-write, so two members
answering at once never take more places than there are. A place freed by a cancellation goes to the head
of the waiting list in the same transaction, and that member is told in private.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.actors import Actor
from domain.community_registry import active_community
from domain.errors import DomainError
from domain.member_registry import can_message
from domain.moderation import notices
from domain.moderation.errors import MeetupError, ModerationError
from domain.moderation.model import Feature, Meetup, NewMeetup, Rsvp, RsvpStatus
from domain.moderation.settings import require_feature, settings_of
from domain.numbers import whole_number
from domain.points import accounts
from domain.points.ledger import Entry, Reason
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWork

MAX_CAPACITY = 10_000
MAX_TITLE = 100
MAX_POINTS = 1_000
DEFAULT_POINTS = 100
REMINDER_LEAD = timedelta(hours=1)
CODE_WINDOW = timedelta(minutes=15)  # a check-in code works this long after the host shows it
CODE_DIGITS = 6
OVER_AFTER = timedelta(hours=12)  # nobody checks in to a meetup this long after it started


@dataclass(frozen=True, slots=True)
class MeetupRequest:
    starts_local: datetime  # naive: the group's wall clock
    capacity: int
    title: str
    points: int = DEFAULT_POINTS


def parse_request(text: str) -> MeetupRequest:
    """`YYYY-MM-DD HH:MM CAPACITY TITLE… [points=N]`, the time on the group's clock."""
    words = text.split()
    if len(words) < 3:
        raise DomainError(MeetupError.BAD_TIME)
    try:
        starts = datetime.fromisoformat(f"{words[0]}T{words[1]}")
    except ValueError:
        raise DomainError(MeetupError.BAD_TIME) from None
    if starts.tzinfo is not None:
        raise DomainError(MeetupError.BAD_TIME)
    capacity = whole_number(words[2], max_digits=5)
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(MeetupError.BAD_CAPACITY, max=MAX_CAPACITY)
    points = DEFAULT_POINTS
    title_words = []
    for word in words[3:]:
        if word.lower().startswith("points="):
            value = whole_number(word.partition("=")[2], max_digits=4)
            if value is None or value > MAX_POINTS:
                raise DomainError(MeetupError.BAD_POINTS, max=MAX_POINTS)
            points = value
        else:
            title_words.append(word)
    title = " ".join(title_words)
    if not 1 <= len(title) <= MAX_TITLE:
        raise DomainError(MeetupError.BAD_TITLE, max=MAX_TITLE)
    return MeetupRequest(starts, capacity, title, points)


async def announce(uow: UnitOfWork, now: datetime, actor: Actor, chat_id: int, request: MeetupRequest) -> Meetup:
    actor.require_group_admin(chat_id, refusal=ModerationError.ADMINS_ONLY)
    await active_community(uow, chat_id)
    await require_feature(uow, chat_id, Feature.MEETUPS)
    zone = ZoneInfo((await settings_of(uow, chat_id)).timezone)
    local = request.starts_local
    starts_at = datetime.combine(local.date(), time(local.hour, local.minute), tzinfo=zone).astimezone(now.tzinfo)
    if starts_at <= now:
        raise DomainError(MeetupError.IN_PAST)
    meetup = await uow.meetups.add(
        NewMeetup(chat_id, request.title, starts_at, request.capacity, request.points, actor.user_id, now)
    )
    await uow.outbox.enqueue(notices.meetup_announced(meetup), now)
    return meetup


async def get(uow: UnitOfWork, meetup_id: int) -> Meetup:
    meetup = await uow.meetups.get(meetup_id)
    if meetup is None:
        raise DomainError(MeetupError.UNKNOWN)
    return meetup


@dataclass(frozen=True, slots=True)
class Answer:
    meetup: Meetup
    status: RsvpStatus
    waiting_place: int = 0  # 1 = next in line


async def rsvp(uow: UnitOfWork, now: datetime, meetup_id: int, user_id: int) -> Answer:
    """Take a place, or join the waiting list when none is left. Answering again changes nothing."""
    meetup = await get(uow, meetup_id)
    if now >= meetup.starts_at:
        raise DomainError(MeetupError.OVER)
    current = await uow.meetups.rsvp(meetup.id, user_id)
    if current is not None and current.status is not RsvpStatus.CANCELLED:
        return await _answer(uow, meetup, current)
    if not await can_message(uow, user_id):
        raise DomainError(MeetupError.START_BOT_FIRST)  # a reminder, or a freed place, must reach them
    status = RsvpStatus.GOING if await uow.meetups.take_place(meetup.id) else RsvpStatus.WAITING
    answer = await uow.meetups.add_rsvp(meetup.id, user_id, status, now)
    return await _answer(uow, await get(uow, meetup.id), answer)


async def _answer(uow: UnitOfWork, meetup: Meetup, answer: Rsvp) -> Answer:
    if answer.status is not RsvpStatus.WAITING:
        return Answer(meetup, answer.status)
    return Answer(meetup, answer.status, await uow.meetups.waiting_place(answer.id))


async def cancel(uow: UnitOfWork, now: datetime, meetup_id: int, user_id: int) -> Answer:
    """Give the place back (it goes to the head of the waiting list, who is told) or leave the waiting list."""
    meetup = await get(uow, meetup_id)
    current = await uow.meetups.rsvp(meetup.id, user_id)
    if current is None or current.status is RsvpStatus.CANCELLED:
        return Answer(meetup, RsvpStatus.CANCELLED)
    if not await uow.meetups.set_rsvp_status(current.id, current.status, RsvpStatus.CANCELLED):
        return Answer(meetup, RsvpStatus.CANCELLED)
    if current.status is RsvpStatus.GOING:
        await _fill_freed_place(uow, now, meetup)
    return Answer(await get(uow, meetup.id), RsvpStatus.CANCELLED)


async def _fill_freed_place(uow: UnitOfWork, now: datetime, meetup: Meetup) -> None:
    """The place stays taken and passes to the next in line; with nobody waiting it is free again."""
    while (head := await uow.meetups.first_waiting(meetup.id)) is not None:
        if await uow.meetups.set_rsvp_status(head.id, RsvpStatus.WAITING, RsvpStatus.GOING):
            await uow.outbox.enqueue(notices.meetup_promoted(meetup, head.user_id, head.id), now)
            return
    await uow.meetups.free_place(meetup.id)


async def show_code(uow: UnitOfWork, now: datetime, actor: Actor, meetup_id: int) -> Meetup:
    """A fresh check-in code for the host to show at the event, valid for CODE_WINDOW (admins of its group)."""
    meetup = await get(uow, meetup_id)
    actor.require_group_admin(meetup.chat_id, refusal=ModerationError.ADMINS_ONLY)
    if now >= meetup.starts_at + OVER_AFTER:
        raise DomainError(MeetupError.OVER)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    until = now + CODE_WINDOW
    await uow.meetups.set_code(meetup.id, code, until)
    return await get(uow, meetup.id)


@dataclass(frozen=True, slots=True)
class CheckIn:
    meetup: Meetup
    first_time: bool
    points: int  # credited now (the daily cap may have cut them)


async def check_in(
    uow: UnitOfWork, now: datetime, policy: RewardsPolicy, meetup_id: int, user_id: int, code: str
) -> CheckIn:
    """Attendance with the code on show: once per member, points under `event` within its daily cap."""
    meetup = await get(uow, meetup_id)
    if meetup.code is None or not secrets.compare_digest(meetup.code, code.strip()):
        raise DomainError(MeetupError.WRONG_CODE)
    if meetup.code_until is None or now >= meetup.code_until:
        raise DomainError(MeetupError.CODE_EXPIRED)
    answer = await uow.meetups.rsvp(meetup.id, user_id)
    if answer is None or answer.status is not RsvpStatus.GOING:
        raise DomainError(MeetupError.NO_PLACE)
    if not await uow.meetups.check_in(answer.id, now):
        return CheckIn(meetup, False, 0)
    entry: Entry | None = await accounts.earn(
        uow.points, now, policy, user_id, Reason.EVENT, f"meetup:{meetup.id}:{user_id}", meetup.points
    )
    return CheckIn(meetup, True, entry.delta if entry is not None else 0)


async def send_reminders(uow: UnitOfWork, now: datetime, meetup: Meetup) -> int:
    """An hour before: every member with a place is reminded in private, once (the meetup is marked first)."""
    if not await uow.meetups.mark_reminded(meetup.id, now):
        return 0
    going = await uow.meetups.going(meetup.id)
    for answer in going:
        await uow.outbox.enqueue(notices.meetup_reminder(meetup, answer.user_id), now)
    return len(going)
