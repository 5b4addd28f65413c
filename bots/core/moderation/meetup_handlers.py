"""/meetup in a group (its admins), RSVP buttons, /meetupcode for the host and /checkin for members, in private."""

from __future__ import annotations

import logging

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, CommandEvent
from bots.core.i18n import N_
from bots.core.moderation import views
from domain.errors import DomainError
from domain.moderation import meetups
from domain.moderation.errors import MeetupError, ModerationError
from domain.numbers import whole_number
from domain.outgoing import View

log = logging.getLogger(__name__)

USAGE = N_("Use: /meetup YYYY-MM-DD HH:MM CAPACITY TITLE [points=N], the time on the group's clock")


async def meetup_command(ctx: Context, event: CommandEvent) -> None:
    if not event.chat.is_group:
        raise DomainError(ModerationError.GROUP_ONLY)
    if not event.args.strip():
        await ctx.messenger.send(event.chat.id, View(ctx.t(USAGE)))
        return
    actor = await ctx.actor(event.sender, event.chat.id)
    request = meetups.parse_request(event.args)
    async with ctx.uow() as uow:
        meetup = await meetups.announce(uow, ctx.now(), actor, event.chat.id, request)
        await uow.commit()
    ctx.services.outbox.wake()
    log.info("group %s: %s announced meetup %s", event.chat.id, event.sender.id, meetup.id)


async def going(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    meetup_id = callback.int_arg(0)
    try:
        async with ctx.uow() as uow:
            answer = await meetups.rsvp(uow, ctx.now(), meetup_id, event.sender.id)
            await uow.commit()
    except DomainError as error:
        if error.code is not MeetupError.START_BOT_FIRST:
            raise
        await ctx.messenger.answer_callback(event.callback_id, url=ctx.deep_link("meetups"))
        return
    toast = views.rsvp_toast(ctx, answer.status, answer.waiting_place, answer.meetup.title)
    await ctx.messenger.answer_callback(event.callback_id, toast, alert=True)


async def not_going(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.uow() as uow:
        answer = await meetups.cancel(uow, ctx.now(), callback.int_arg(0), event.sender.id)
        await uow.commit()
    ctx.services.outbox.wake()  # whoever got the freed place
    toast = views.rsvp_toast(ctx, answer.status, 0, answer.meetup.title)
    await ctx.messenger.answer_callback(event.callback_id, toast)


async def code_command(ctx: Context, event: CommandEvent) -> None:
    """/meetupcode ID in private: a fresh check-in code for the host to show at the event (admins only)."""
    number = whole_number(event.args.strip().removeprefix("#"))
    if number is None:
        await ctx.messenger.send(event.chat.id, View(ctx.t("Use: /meetupcode MEETUP_ID")))
        return
    async with ctx.uow() as uow:
        chat_id = (await meetups.get(uow, number)).chat_id
    actor = await ctx.actor(event.sender, chat_id)
    async with ctx.uow() as uow:
        meetup = await meetups.show_code(uow, ctx.now(), actor, number)
        await uow.commit()
    minutes = int(meetups.CODE_WINDOW.total_seconds() // 60)
    text = ctx.t(
        "Show this at {title}: <b>/checkin {id} {code}</b> (valid {minutes} minutes).",
        title=meetup.title,
        id=meetup.id,
        code=meetup.code or "",
        minutes=minutes,
    )
    await ctx.messenger.send(event.chat.id, View(text))


async def checkin_command(ctx: Context, event: CommandEvent) -> None:
    """/checkin ID CODE in private: attendance, and its points."""
    parts = event.args.split()
    number = whole_number(parts[0].removeprefix("#")) if len(parts) == 2 else None
    if number is None:
        await ctx.messenger.send(event.chat.id, View(ctx.t("Use: /checkin MEETUP_ID CODE (the code on show)")))
        return
    async with ctx.uow() as uow:
        done = await meetups.check_in(uow, ctx.now(), ctx.settings.rewards, number, event.sender.id, parts[1])
        await uow.commit()
    if not done.first_time:
        text = ctx.t("You checked in to {title} already.", title=done.meetup.title)
    elif done.points:
        text = ctx.t("Welcome to {title}! +{points} points.", title=done.meetup.title, points=done.points)
    else:
        text = ctx.t(
            "Welcome to {title}! You reached today's cap of event points, so this one earns none.",
            title=done.meetup.title,
        )
    await ctx.messenger.send(event.chat.id, View(text))
