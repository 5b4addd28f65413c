"""What members and moderators see of giveaways and meetups (notices render here, in the reader's language)."""

from __future__ import annotations

from bots.core.context import Context
from bots.core.notices import param_int, param_str
from domain.moderation.model import RsvpStatus
from domain.notices import NoticeParams
from domain.outgoing import Button, Document, View

_int = param_int
_str = param_str


def record_filename(giveaway_id: int) -> str:
    return f"giveaway-{giveaway_id}.json"


# -- giveaways ------------------------------------------------------------------------------------------
def _rules(ctx: Context, params: NoticeParams) -> list[str]:
    lines = [ctx.t("Who may enter: members of this group")]
    if params.get("plan_id") is not None:
        lines.append(ctx.t("· with a membership of plan #{plan}", plan=_int(params, "plan_id")))
    if _int(params, "min_points") > 0:
        lines.append(ctx.t("· with at least {points} points", points=_int(params, "min_points")))
    if params.get("joined_before"):
        lines.append(ctx.t("· who joined before {date}", date=_str(params, "joined_before")))
    return lines


def giveaway_open(ctx: Context, params: NoticeParams) -> View:
    lines = [
        ctx.t("🎁 <b>Giveaway #{id}: {prize}</b>", id=_int(params, "giveaway_id"), prize=_str(params, "prize")),
        ctx.t("{units} to win. Entries close {closes}.", units=_int(params, "units"), closes=_str(params, "closes")),
        *_rules(ctx, params),
        ctx.t(
            "Drawn with drand round {round} ({at}) and the secret committed here: <code>{commitment}</code>",
            round=_int(params, "beacon_round"),
            at=_str(params, "beacon_at"),
            commitment=_str(params, "commitment"),
        ),
    ]
    button = Button(ctx.plain("Enter the giveaway"), ctx.button("genter", _int(params, "giveaway_id")))
    return View("\n".join(lines), ((button,),))


def giveaway_closed(ctx: Context, params: NoticeParams) -> View:
    lines = [
        ctx.t("🎁 <b>Giveaway #{id}: {prize}</b>", id=_int(params, "giveaway_id"), prize=_str(params, "prize")),
        ctx.t("Entries closed: {entrants} entered.", entrants=_int(params, "entrants")),
        ctx.t("Entrant list digest: <code>{digest}</code>", digest=_str(params, "digest")),
        ctx.t(
            "The draw uses drand round {round} ({at}); commitment <code>{commitment}</code>",
            round=_int(params, "beacon_round"),
            at=_str(params, "beacon_at"),
            commitment=_str(params, "commitment"),
        ),
    ]
    return View("\n".join(lines))


def giveaway_consent(ctx: Context, params: NoticeParams) -> View:
    giveaway_id = _int(params, "giveaway_id")
    text = ctx.t(
        "{group} wants to give away {units} × {prize}, funded by {brand}, entries open {hours} h. Do you agree?",
        group=_str(params, "group"),
        units=_int(params, "units"),
        prize=_str(params, "prize"),
        brand=_str(params, "brand"),
        hours=_int(params, "hours"),
    )
    buttons = (
        (
            Button(ctx.plain("Agree"), ctx.button("gconsent", giveaway_id, 1)),
            Button(ctx.plain("Decline"), ctx.button("gconsent", giveaway_id, 0)),
        ),
    )
    return View(text, buttons)


def giveaway_declined(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "The brand declined to fund giveaway #{id} ({prize}); it will not open.",
            id=_int(params, "giveaway_id"),
            prize=_str(params, "prize"),
        )
    )


def giveaway_entered(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "You are in giveaway #{id} ({prize}) as {pseudonym}. Find this name in the published list.",
            id=_int(params, "giveaway_id"),
            prize=_str(params, "prize"),
            pseudonym=_str(params, "pseudonym"),
        )
    )


def giveaway_won(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "🎉 You won {prize} in giveaway #{id} (as {pseudonym})! Claim it before {deadline}, "
        "or it passes to the next entrant.",
        prize=_str(params, "prize"),
        id=_int(params, "giveaway_id"),
        pseudonym=_str(params, "pseudonym"),
        deadline=_str(params, "claim_by"),
    )
    return View(text, ((Button(ctx.plain("Claim the prize"), ctx.button("gclaim", _int(params, "giveaway_id"))),),))


def giveaway_results(ctx: Context, params: NoticeParams) -> View:
    giveaway_id = _int(params, "giveaway_id")
    lines = [
        ctx.t("🎁 <b>Giveaway #{id} drawn: {prize}</b>", id=giveaway_id, prize=_str(params, "prize")),
        ctx.t("{entrants} entered; winners were told in private.", entrants=_int(params, "entrants")),
        ctx.t("Secret: <code>{secret}</code>", secret=_str(params, "secret")),
    ]
    if params.get("randomness"):
        lines.append(
            ctx.t(
                "drand round {round}: randomness <code>{randomness}</code>",
                round=_int(params, "beacon_round"),
                randomness=_str(params, "randomness"),
            )
        )
    else:
        lines.append(ctx.t("The beacon round never came: the stated fallback drew, without a beacon."))
    lines.append(ctx.t("Seed: <code>{seed}</code>", seed=_str(params, "seed")))
    lines.append(ctx.t("Check it yourself: python3 scripts/verify_raffle.py {file}", file=record_filename(giveaway_id)))
    document = Document(record_filename(giveaway_id), _str(params, "record").encode())
    return View("\n".join(lines), document=document)


def giveaway_claimed_host(ctx: Context, params: NoticeParams) -> View:
    username = _str(params, "username")
    who = f"{_str(params, 'name')} (@{username})" if username else _str(params, "name")
    return View(
        ctx.t(
            "{who} claimed {prize} in giveaway #{id} ({pseudonym}): hand it over to them.",
            who=who,
            prize=_str(params, "prize"),
            id=_int(params, "giveaway_id"),
            pseudonym=_str(params, "pseudonym"),
        )
    )


def giveaway_claimed_group(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "🎉 Winner {pseudonym} claimed {prize} (giveaway #{id}).",
            pseudonym=_str(params, "pseudonym"),
            prize=_str(params, "prize"),
            id=_int(params, "giveaway_id"),
        )
    )


def giveaway_lapsed(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "Your time to claim {prize} (giveaway #{id}) ran out; it passed to the next entrant.",
            prize=_str(params, "prize"),
            id=_int(params, "giveaway_id"),
        )
    )


def giveaway_passed(ctx: Context, params: NoticeParams) -> View:
    if params.get("to"):
        return View(
            ctx.t(
                "Giveaway #{id}: {lapsed} did not claim in time; the prize passed to {to}.",
                id=_int(params, "giveaway_id"),
                lapsed=_str(params, "lapsed"),
                to=_str(params, "to"),
            )
        )
    return View(
        ctx.t(
            "Giveaway #{id}: {lapsed} did not claim in time, and no entrant is left to pass the prize to.",
            id=_int(params, "giveaway_id"),
            lapsed=_str(params, "lapsed"),
        )
    )


# -- meetups ----------------------------------------------------------------------------------------------
def meetup_announced(ctx: Context, params: NoticeParams) -> View:
    meetup_id = _int(params, "meetup_id")
    lines = [
        ctx.t("📅 <b>Meetup #{id}: {title}</b>", id=meetup_id, title=_str(params, "title")),
        ctx.t("When: {starts}. Places: {capacity}.", starts=_str(params, "starts"), capacity=_int(params, "capacity")),
        ctx.t(
            "Check in at the event with the host's code (/checkin {id} CODE in private) for {points} points.",
            id=meetup_id,
            points=_int(params, "points"),
        ),
    ]
    buttons = (
        (
            Button(ctx.plain("I'm going"), ctx.button("mgo", meetup_id)),
            Button(ctx.plain("Can't come"), ctx.button("mnot", meetup_id)),
        ),
    )
    return View("\n".join(lines), buttons)


def meetup_promoted(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "A place freed up: you are going to {title} on {starts}.",
            title=_str(params, "title"),
            starts=_str(params, "starts"),
        )
    )


def meetup_reminder(ctx: Context, params: NoticeParams) -> View:
    return View(
        ctx.t(
            "⏰ {title} starts at {starts}, in about an hour. See you there!",
            title=_str(params, "title"),
            starts=_str(params, "starts"),
        )
    )


def rsvp_toast(ctx: Context, status: RsvpStatus, place: int, title: str) -> str:
    if status is RsvpStatus.GOING:
        return ctx.plain("You are going to {title}. I will remind you an hour before.", title=title)
    if status is RsvpStatus.WAITING:
        return ctx.plain(
            "{title} is full: you are number {place} on the waiting list. I will tell you if a place frees up.",
            title=title,
            place=place,
        )
    return ctx.plain("You are not going to {title}.", title=title)
