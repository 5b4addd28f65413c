"""What members, moderators and brand staff see of drops: announcements, teasers, menus, reports."""

from __future__ import annotations

import logging

from bots.core.context import Context
from bots.core.drops.chart import ChartLabels, sales_chart
from bots.core.notices import param_int, param_str
from domain.brands.optins import BrandChoice
from domain.drops.buying import DropCheckout
from domain.drops.model import Drop, DropStatus
from domain.drops.notices import when_exactly
from domain.drops.standing import RaffleStanding
from domain.notices import NoticeParams
from domain.outgoing import Button, Document, Invoice, View
from domain.shop.products import Brand

log = logging.getLogger(__name__)


_int = param_int
_str = param_str


def status_name(ctx: Context, status: DropStatus) -> str:
    return {
        DropStatus.DRAFT: ctx.t("draft"),
        DropStatus.SCHEDULED: ctx.t("scheduled"),
        DropStatus.OPEN: ctx.t("open"),
        DropStatus.CLOSED: ctx.t("closed"),
        DropStatus.CANCELLED: ctx.t("cancelled"),
    }[status]


def _terms(ctx: Context, params: NoticeParams) -> str:
    if _str(params, "mode") == "raffle":
        return ctx.t("Raffle: enter before {ends}; winners are drawn then.", ends=ctx.when_text(params.get("ends")))
    ends = ctx.when_text(params.get("ends"))
    return ctx.t("Limit {limit} per member · ends {ends}", limit=_int(params, "limit"), ends=ends)


def _draw_round(ctx: Context, params: NoticeParams) -> str:
    return ctx.t(
        "The draw uses drand round {round} ({at}), the first after entries close: nobody can know it before.",
        round=_int(params, "beacon_round"),
        at=ctx.when_text(params.get("beacon_at"), seconds=True),
    )


def announcement(ctx: Context, params: NoticeParams) -> View:
    drop_id = _int(params, "drop_id")
    title = _str(params, "title")
    if _str(params, "state") == "closed" and params.get("beacon_round") is not None:
        lines = [
            ctx.t("<b>Raffle entries closed: {title}</b>", title=title),
            ctx.t("{entrants} entered.", entrants=_int(params, "entrants")),
            ctx.t(
                "Digest of the entrant list (sha256 of the sorted pseudonyms): <code>{digest}</code>",
                digest=_str(params, "entrants_digest"),
            ),
            _draw_round(ctx, params),
        ]
        return View("\n".join(lines))
    if _str(params, "state") == "closed":
        return View(ctx.t("<b>Drop ended: {title}</b>\nThank you all!", title=title))
    lines = [
        ctx.t("<b>Drop: {title}</b>", title=title),
        ctx.t(
            "{price} · {remaining} of {quantity} left",
            price=_str(params, "price"),
            remaining=_int(params, "remaining"),
            quantity=_int(params, "quantity"),
        ),
        _terms(ctx, params),
    ]
    if _str(params, "mode") == "raffle":
        lines.append(
            ctx.t("Draw commitment (sha256 of the secret): <code>{hash}</code>", hash=_str(params, "seed_hash"))
        )
        if params.get("beacon_round") is not None:
            lines.append(_draw_round(ctx, params))
        button = Button(ctx.t("Enter the raffle"), callback=ctx.button("denter", drop_id))
    else:
        button = Button(ctx.t("Buy · {price}", price=_str(params, "price")), callback=ctx.button("dbuy", drop_id))
    return View("\n".join(lines), ((button,),))


def teaser(ctx: Context, params: NoticeParams) -> View:
    lines = [
        ctx.t("<b>Coming soon: {title}</b>", title=_str(params, "title")),
        ctx.tn(
            "{quantity} unit at {price}, opening {starts}.",
            "{quantity} units at {price}, opening {starts}.",
            _int(params, "quantity"),
            quantity=_int(params, "quantity"),
            price=_str(params, "price"),
            starts=ctx.when_text(params.get("starts")),
        ),
        _terms(ctx, params),
    ]
    drop_id = _int(params, "drop_id")
    rows: list[tuple[Button, ...]] = [(Button(ctx.t("Remind me"), callback=ctx.button("dremind", drop_id)),)]
    if params.get("early_minutes") and _str(params, "mode") != "raffle":
        # Members whose plan grants early access buy from here; the domain refuses everyone else until the start.
        early = ctx.t("Members: buy early · {price}", price=_str(params, "price"))
        rows.append((Button(early, callback=ctx.button("dbuy", drop_id)),))
    return View("\n".join(lines), tuple(rows))


def reminder(ctx: Context, params: NoticeParams) -> View:
    drop_id = _int(params, "drop_id")
    text = ctx.t("<b>{title}</b> is live now! {price}.", title=_str(params, "title"), price=_str(params, "price"))
    if _str(params, "mode") == "raffle":
        return View(text, ((Button(ctx.t("Enter the raffle"), callback=ctx.button("denter", drop_id)),),))
    price = _str(params, "price")
    return View(text, ((Button(ctx.t("Buy · {price}", price=price), callback=ctx.button("dbuy", drop_id)),),))


def cancelled(ctx: Context, params: NoticeParams) -> View:
    return View(ctx.t("The drop of {title} has been cancelled.", title=_str(params, "title")))


def raffle_won(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "You won the raffle for <b>{title}</b>! Pay {price} before {until} to get it.",
        title=_str(params, "title"),
        price=_str(params, "price"),
        until=_str(params, "until"),
    )
    price = _str(params, "price")
    pay = Button(ctx.t("Buy · {price}", price=price), callback=ctx.button("dbuy", _int(params, "drop_id")))
    return View(text, ((pay,),))


def raffle_entered(ctx: Context, params: NoticeParams) -> View:
    """An entrant's own pseudonym, in private: nobody else can tell it is theirs."""
    lines = [ctx.t("You are in the raffle for <b>{title}</b>.", title=_str(params, "title"))]
    if params.get("pseudonym"):
        lines.append(
            ctx.t(
                "Your entrant id is <code>{pseudonym}</code>. The list published with the results names every "
                "entrant only by such an id; only you know this one is yours.",
                pseudonym=_str(params, "pseudonym"),
            )
        )
    if params.get("beacon_round") is not None:
        lines.append(_draw_round(ctx, params))
    lines.append(
        ctx.t("Winners hear from me here. /raffle {drop_id} shows the raffle.", drop_id=_int(params, "drop_id"))
    )
    return View("\n".join(lines))


def raffle_results(ctx: Context, params: NoticeParams) -> View:
    record = params.get("record")
    if record is None:  # a raffle from before pseudonyms and beacons
        return View("\n".join(_secret_seed_results(ctx, params)))
    lines = _results_lines(
        ctx,
        drop_id=_int(params, "drop_id"),
        title=_str(params, "title"),
        entrants=_int(params, "entrants"),
        winners=_int(params, "winners"),
        commitment=_str(params, "seed_hash"),
        secret=_str(params, "seed"),
        round_number=_int(params, "beacon_round"),
        randomness=_str(params, "randomness") or None,
        seed=_str(params, "draw_seed"),
    )
    return View("\n".join(lines), document=Document(record_filename(_int(params, "drop_id")), str(record).encode()))


def record_filename(drop_id: int) -> str:
    return f"raffle-{drop_id}.json"


def _entered_and_won(ctx: Context, entrants: int, winners: int) -> str:
    return ctx.tn(
        "{entrants} entered; {winners} won and was told in private.",
        "{entrants} entered; {winners} won and were told in private.",
        winners,
        entrants=entrants,
        winners=winners,
    )


def _secret_seed_results(ctx: Context, params: NoticeParams) -> list[str]:
    return [
        ctx.t("<b>Raffle drawn: {title}</b>", title=_str(params, "title")),
        _entered_and_won(ctx, _int(params, "entrants"), _int(params, "winners")),
        ctx.t("Seed: <code>{seed}</code>", seed=_str(params, "seed")),
        ctx.t("Its sha256 was published when entries opened: <code>{hash}</code>", hash=_str(params, "seed_hash")),
        ctx.t("Anyone can recompute the draw: circlecart drop verify {drop_id}", drop_id=_int(params, "drop_id")),
    ]


def _results_lines(
    ctx: Context,
    *,
    drop_id: int,
    title: str,
    entrants: int,
    winners: int,
    commitment: str,
    secret: str,
    round_number: int,
    randomness: str | None,
    seed: str,
) -> list[str]:
    """The results as a caption (at most 1024 characters): every value the draw used; the file has the rest."""
    lines = [
        ctx.t("<b>Raffle drawn: {title}</b>", title=title),
        _entered_and_won(ctx, entrants, winners),
        ctx.t("Commitment (published when entries opened): <code>{hash}</code>", hash=commitment),
        ctx.t("Secret: <code>{secret}</code>", secret=secret),
    ]
    if randomness is None:
        lines.append(
            ctx.t(
                "drand round {round} could not be fetched within 30 minutes, so the stated fallback drew: "
                "seed = sha256(secret:digest:no-beacon), without a beacon.",
                round=round_number,
            )
        )
    else:
        lines.append(ctx.t("drand round {round}: <code>{randomness}</code>", round=round_number, randomness=randomness))
    lines += [
        ctx.t("Seed: <code>{seed}</code>", seed=seed),
        ctx.t(
            "The file lists every entrant by pseudonym and the draw order; scripts/verify_raffle.py {file} "
            "recomputes it. /raffle {drop_id} in private shows your place.",
            file=record_filename(drop_id),
            drop_id=drop_id,
        ),
    ]
    return lines


def raffle_page(ctx: Context, standing: RaffleStanding) -> View:
    """/raffle ID: the published results with the file, or what is known before the draw; and the member's place."""
    drop, entry, record = standing.drop, standing.entry, standing.record
    mine: list[str] = []
    if entry is None:
        mine.append(ctx.t("You did not enter this raffle."))
    elif entry.pseudonym is not None:
        mine.append(ctx.t("You entered as <code>{pseudonym}</code>.", pseudonym=entry.pseudonym))
    if standing.place is not None and record is not None:
        mine.append(
            ctx.t("Your place in the draw: {place} of {count}.", place=standing.place, count=len(record.entrants))
        )
    if record is not None:
        lines = _results_lines(
            ctx,
            drop_id=drop.id,
            title=drop.title,
            entrants=len(record.entrants),
            winners=len(record.winners),
            commitment=record.commitment,
            secret=record.secret,
            round_number=record.round,
            randomness=record.randomness,
            seed=record.seed,
        )
        document = Document(record_filename(drop.id), record.to_json().encode())
        return View("\n".join(lines + mine), document=document)
    lines = [ctx.t("<b>Raffle: {title}</b>", title=drop.title)]
    if drop.drawn_at is not None:  # drawn before pseudonyms: the secret was the seed
        lines += [
            ctx.t("Seed: <code>{seed}</code>", seed=drop.seed or ""),
            ctx.t("Its sha256 was published when entries opened: <code>{hash}</code>", hash=drop.seed_hash or ""),
        ]
    else:
        lines.append(ctx.t("Draw commitment (sha256 of the secret): <code>{hash}</code>", hash=drop.seed_hash or ""))
        if drop.beacon_round is not None and drop.beacon_at is not None:
            params: NoticeParams = {"beacon_round": drop.beacon_round, "beacon_at": when_exactly(drop.beacon_at)}
            lines.append(_draw_round(ctx, params))
        lines.append(ctx.t("Not drawn yet: the results and the entrant list come after that round."))
    return View("\n".join(lines + mine))


def report(ctx: Context, params: NoticeParams) -> View:
    sell_out = params.get("sell_out_seconds")
    heading = (
        ctx.t("<b>Corrected drop report: {title}</b>", title=_str(params, "title"))
        if params.get("corrected")
        else ctx.t("<b>Drop report: {title}</b>", title=_str(params, "title"))
    )
    refunded = params.get("refunded")
    lines = [
        heading,
        ctx.t("Units sold: {sold} of {quantity}", sold=_int(params, "sold"), quantity=_int(params, "quantity")),
        *([ctx.t("Refunded: {count}", count=refunded)] if isinstance(refunded, int) and refunded > 0 else []),
        ctx.t("Revenue: {revenue}", revenue=_str(params, "revenue")),
        ctx.t("Sold out in {duration}", duration=ctx.duration(int(sell_out)))
        if sell_out is not None
        else ctx.t("Did not sell out."),
    ]
    timeline = [int(n) for n in _str(params, "timeline").split(",") if n]
    chart: bytes | None = None
    try:
        chart = sales_chart(timeline, max(1, _int(params, "bucket_seconds")), _str(params, "title"), chart_labels(ctx))
    except Exception:
        log.exception("could not draw the sales chart of drop %s", params.get("drop_id"))
    return View("\n".join(lines), photo_bytes=chart)


def chart_labels(ctx: Context) -> ChartLabels:
    return ChartLabels(
        per_period=ctx.plain("per period"),
        total=ctx.plain("total"),
        time=ctx.plain("time since opening ({unit})"),
        units_paid=ctx.plain("units paid"),
        minutes=ctx.plain("min"),
        seconds=ctx.plain("s"),
    )


def invoice(ctx: Context, checkout: DropCheckout, buyer_name: str, *, ships: bool = False) -> Invoice:
    """`ships`: a physical product paid through the provider, so the form asks where to send it."""
    order = checkout.order
    line = order.lines[0]
    total = order.goods_total  # shipping is chosen in the payment form and added by Telegram
    description = ctx.t("For {name}. {quantity} × {title}", name=buyer_name, quantity=line.quantity, title=line.title)
    return Invoice(
        title=line.title[:32],
        description=description[:255],
        payload=checkout.payload,
        currency=total.currency,
        amount=total.amount,
        label=line.title[:32],
        provider_token="" if total.is_stars else ctx.settings.payment_provider_token,
        ships=ships and not total.is_stars,
    )


def brand_choices(ctx: Context, choices: tuple[BrandChoice, ...]) -> View:
    if not choices:
        return View(ctx.t("No brands are registered yet."))
    rows = []
    for choice in choices:
        mark = "✅" if choice.allowed else "⛔"
        label = f"{mark} {choice.brand.name}"  # button labels are plain text, not HTML
        rows.append((Button(label, callback=ctx.button("dopt", choice.brand.id, 0 if choice.allowed else 1)),))
    text = ctx.t("<b>Brands in this group</b>\n✅ may announce drops here, ⛔ may not. Tap to switch.")
    return View(text, tuple(rows))


def brand_menu(ctx: Context, brands: tuple[Brand, ...], drops: tuple[Drop, ...]) -> View:
    lines = [ctx.t("<b>Brand menu</b> · {brands}", brands=", ".join(b.name for b in brands))]
    rows: list[tuple[Button, ...]] = []
    if not drops:
        lines.append(ctx.t("No drops yet. Tap New drop, or use: circlecart drop schedule FILE"))
    for drop in drops:
        lines.append(
            ctx.t(
                "#{id} {title} · {status} · {sold}/{quantity} sold · opens {starts}",
                id=drop.id,
                title=drop.title,
                status=status_name(ctx, drop.status),
                sold=drop.sold,
                quantity=drop.quantity,
                starts=ctx.when(drop.starts_at),
            )
        )
        if drop.status in (DropStatus.DRAFT, DropStatus.SCHEDULED):
            rows.append(
                (
                    Button(ctx.plain("Edit #{id}", id=drop.id), callback=ctx.button("dedit", drop.id)),
                    Button(ctx.plain("Cancel #{id}", id=drop.id), callback=ctx.button("dcancel", drop.id)),
                )
            )
    for brand in brands:
        rows.append((Button(ctx.plain("New drop · {brand}", brand=brand.name), callback=ctx.button("dnew", brand.id)),))
    return View("\n".join(lines), tuple(rows))
