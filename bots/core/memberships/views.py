"""What members and owners see of memberships: plan lists, invoices, notices, the owner's report."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import datetime, timedelta

from bots.core.context import Context
from bots.core.i18n import N_
from bots.core.memberships.errors import MembershipCommandError
from domain.errors import ErrorCode
from domain.memberships.errors import MembershipError
from domain.memberships.joining import Offer, PlanStatus, invoice_payload
from domain.memberships.lifecycle import Membership, MembershipStatus
from domain.memberships.plans import STARS_SUBSCRIPTION_SECONDS, Benefits, OwnerKind, Plan, Terms, multiplier_text
from domain.memberships.report import MembersReport
from domain.memberships.schedule import RemovalPreview
from domain.money import Money
from domain.notices import NoticeParams
from domain.outgoing import Button, Invoice, View

STATUS_NAMES = {
    MembershipStatus.TRIAL: N_("trial"),
    MembershipStatus.ACTIVE: N_("active"),
    MembershipStatus.GRACE: N_("grace period"),
    MembershipStatus.EXPIRED: N_("expired"),
    MembershipStatus.CANCELLED: N_("cancelled"),
}

ERRORS: dict[ErrorCode, str] = {
    MembershipError.PLAN_UNKNOWN: N_("That membership plan does not exist."),
    MembershipError.PLAN_CLOSED: N_("The plan {plan} is closed to new members."),
    MembershipError.ALREADY_MEMBER: N_("You are already a member."),
    MembershipError.ALREADY_SUBSCRIBED: N_("Your {plan} subscription is running and renews by itself."),
    MembershipError.ALREADY_CANCELLED: N_("This membership is already cancelled."),
    MembershipError.NOT_ACTIVE: N_("This membership is not active."),
    MembershipError.NOT_REMOVABLE: N_("This member keeps their place."),
    MembershipError.NO_TRIAL: N_("This plan has no free trial."),
    MembershipError.TRIAL_USED: N_("You have already used the free trial of this plan."),
    MembershipError.TERMS_CHANGED: N_("The price of {plan} changed to {price}. Send /membership for a new invoice."),
    MembershipError.UNKNOWN: N_("That membership was not found."),
    MembershipError.BUSY: N_("Too many changes at once. Please try again."),
    MembershipError.NOT_OWNER: N_("Only the operator or an admin of this community can do that."),
    MembershipError.PLAN_NAME_INVALID: N_("A plan name is 1 to {max} characters."),
    MembershipError.PRICE_INVALID: N_("A price must be more than zero."),
    MembershipError.STARS_PERIOD: N_("Plans paid in Telegram Stars renew every {days} days."),
    MembershipError.PERIOD_INVALID: N_("A period is {min} to {max} days."),
    MembershipError.TRIAL_INVALID: N_("A free trial is 0 to {max} days."),
    MembershipError.GRACE_INVALID: N_("A grace period is 0 to {max} days."),
    MembershipError.DISCOUNT_INVALID: N_("A discount is {min} to {max} percent (or 0 for none)."),
    MembershipError.MULTIPLIER_INVALID: N_("A points multiplier is {min} to {max}."),
    MembershipError.EARLY_ACCESS_INVALID: N_("Early access is 0 to {max} minutes."),
    MembershipError.MEMBER_PRICE_TWICE: N_("Each product can have one member price."),
    MembershipError.MEMBER_PRICE_NOT_POSITIVE: N_("The member price of {sku} must be more than zero."),
    MembershipError.MEMBER_PRICE_CURRENCY: N_("{sku} is priced in {currency}: its member price must be too."),
    MembershipError.MEMBER_PRICE_ABOVE_LIST: N_("The member price of {sku} must not be above its price, {price}."),
    MembershipError.MEMBER_PRICE_TOO_LOW: N_(
        "The member price of {sku} must be at least {percent}% of its price: {min} or more."
    ),
    MembershipError.MEMBER_PRICE_OTHER_BRAND: N_(
        "{sku} is not a product of {brand}: a brand's plan gives member prices on its own products only."
    ),
    MembershipError.BOX_NOT_PHYSICAL: N_("{sku} is not a physical product: a monthly box must be one."),
    MembershipError.BOX_OTHER_BRAND: N_(
        "{sku} is not a product of {brand}: a brand's plan sends a box of its own products only."
    ),
    MembershipError.BOX_UNKNOWN: N_("There is no such membership box of yours."),
    MembershipError.BOX_NO_ADDRESS: N_(
        "There is no address on file yet: press Change and send the address for your box."
    ),
    MembershipError.BOX_BAD_ADDRESS: N_(
        "That address could not be read. Send one line: Name, phone, street, city, postcode, country code "
        "(for example: Mei Lin, +65 5550 1234, 1 Tea Street, Singapore, 049315, SG)."
    ),
    MembershipError.UNKNOWN_OPTION: N_(
        "There is no option or product SKU “{option}”. Options are {options}, or SKU=PRICE for a product's "
        "member price."
    ),
    MembershipError.COMMUNITY_PRODUCT_PERKS: N_(
        "A community's plan can open its members-only group, but it cannot give perks on products ({perks}). "
        "Discounts, member prices, points multipliers and early access come only from the operator or from "
        "the product's brand. Nothing was saved."
    ),
    MembershipError.PLATFORM_OPERATOR_ONLY: N_(
        "Only the operator makes plans for the whole shop. Brand staff: add brand=NAME (an underscore for each "
        "space) for a plan of your brand."
    ),
    MembershipError.BRAND_PLAN_IN_PRIVATE: N_("Make a brand's plan in a private chat with me, not in a group."),
    MembershipError.OWNER_FIXED: N_("A plan keeps its owner; make a new plan for another."),
    MembershipError.TERMS_UNCHANGED: N_("Those are already the plan's terms."),
    MembershipError.CURRENCY_FIXED: N_("A plan keeps its currency ({currency}); make a new plan for another."),
    MembershipError.BAD_COMMAND: N_("I could not read “{detail}”."),
    MembershipCommandError.GROUP_NEEDED: N_("Send this in the members-only group itself, where I am an admin."),
}


def day(ctx: Context, value: str | int | None) -> str:
    """An ISO timestamp from notice params as a date (UTC), in the reader's language."""
    if not isinstance(value, str):
        return ""
    return ctx.date(datetime.fromisoformat(value))


def price_text(ctx: Context, terms: Terms) -> str:
    return ctx.t(
        "{price} / {period}", price=terms.price.display(), period=ctx.duration(timedelta(days=terms.period_days))
    )


def _money(params: NoticeParams) -> str:
    amount, currency = params.get("amount"), params.get("currency")
    if isinstance(amount, int) and isinstance(currency, str):
        return Money(amount, currency).display()
    return ""


def benefits_lines(ctx: Context, terms: Terms, brand: str | None = None) -> list[str]:
    b = terms.benefits
    lines = []
    if brand is not None and b.on_products:
        lines.append(ctx.t("· perks on {brand} products only", brand=brand))
    if b.discount_percent:
        lines.append(ctx.t("· {percent}% off in the shop", percent=b.discount_percent))
    for sku, price in b.member_prices:
        lines.append(ctx.t("· member price {price} for {sku}", price=price.display(), sku=sku))
    if b.points_multiplier_percent > 100:
        lines.append(ctx.t("· points ×{multiplier}", multiplier=multiplier_text(b.points_multiplier_percent)))
    if b.early_access_minutes:
        minutes = b.early_access_minutes
        lines.append(
            ctx.tn(
                "· drops open {minutes} minute early", "· drops open {minutes} minutes early", minutes, minutes=minutes
            )
        )
    if b.box_sku:
        lines.append(ctx.t("· a box of {sku} shipped to you every paid period", sku=b.box_sku))
    if terms.trial_days:
        lines.append(
            ctx.tn("· free trial: {days} day", "· free trial: {days} days", terms.trial_days, days=terms.trial_days)
        )
    return lines


def status_line(ctx: Context, membership: Membership | None, now: datetime) -> str:
    if membership is None:
        return ctx.t("You are not a member.")
    status = membership.status
    if status is not MembershipStatus.EXPIRED and not membership.has_perks(now):
        status = MembershipStatus.EXPIRED
    name = ctx.t(STATUS_NAMES[status])
    if status is MembershipStatus.EXPIRED:
        return ctx.t("Your membership: {status}.", status=name)
    if status is MembershipStatus.GRACE:
        return ctx.t("Your membership: {status}, perks until {date}.", status=name, date=_d(ctx, membership.grace_end))
    if membership.renews_by_itself:
        return ctx.t("Your membership: {status}, renews on {date}.", status=name, date=_d(ctx, membership.period_end))
    return ctx.t("Your membership: {status}, until {date}.", status=name, date=_d(ctx, membership.period_end))


def _d(ctx: Context, moment: datetime) -> str:
    return ctx.date(moment)


def plans_view(ctx: Context, statuses: tuple[PlanStatus, ...], now: datetime, private: bool) -> View:
    if not statuses:
        return View(ctx.t("There are no membership plans yet."))
    parts = [ctx.t("<b>Memberships</b>")]
    rows: list[tuple[Button, ...]] = []
    for entry in statuses:
        plan, membership = entry.plan, entry.membership
        terms = plan.current.terms
        if plan.owner is OwnerKind.COMMUNITY:  # a community's plan grants no perk on products, whatever it stores
            terms = replace(terms, benefits=Benefits())
        block = [f"<b>{_esc(plan.name)}</b> · {price_text(ctx, terms)}", *benefits_lines(ctx, terms, entry.brand)]
        block.append(status_line(ctx, membership, now))
        parts.append("\n".join(block))
        perks = membership is not None and membership.has_perks(now)
        if plan.active and (not perks or (membership is not None and not membership.renews_by_itself)):
            label = (
                ctx.t("Renew · {price}", price=terms.price.display())
                if perks
                else ctx.t("Join {plan} · {price}", plan=plan.name, price=terms.price.display())
            )
            rows.append((Button(label, callback=ctx.button("mbjoin", plan.id)),))
        if entry.trial_available:
            rows.append(
                (
                    Button(
                        ctx.tn(
                            "Try free for {days} day",
                            "Try free for {days} days",
                            terms.trial_days,
                            days=terms.trial_days,
                        ),
                        callback=ctx.button("mbtrial", plan.id),
                    ),
                )
            )
        if (
            private
            and membership is not None
            and perks
            and membership.status
            in (
                MembershipStatus.ACTIVE,
                MembershipStatus.TRIAL,
            )
        ):
            rows.append(
                (Button(ctx.t("Cancel {plan}", plan=plan.name), callback=ctx.button("mbcancel", membership.id)),)
            )
        if private and perks and plan.invite_link:
            rows.append((Button(ctx.t("Enter the members' group"), url=plan.invite_link),))
    return View("\n\n".join(parts), tuple(rows))


def invoice(ctx: Context, offer: Offer, provider_token: str) -> Invoice:
    terms = offer.version.terms
    description = ctx.t("{plan} membership: {price}", plan=offer.plan.name, price=price_text(ctx, terms))
    return Invoice(
        title=offer.plan.name[:32],
        description=description[:255],
        payload=invoice_payload(offer.version.id),
        currency=terms.price.currency,
        amount=terms.price.amount,
        label=offer.plan.name[:32],
        provider_token="" if terms.is_stars else provider_token,
        subscription_period=STARS_SUBSCRIPTION_SECONDS if terms.is_stars else None,
    )


def subscribe_view(ctx: Context, offer: Offer, link: str) -> View:
    terms = offer.version.terms
    text = ctx.t(
        "<b>{plan}</b>: {price}. Telegram renews it every 30 days; cancel any time with /membership.",
        plan=offer.plan.name,
        price=terms.price.display(),
    )
    return View(text, ((Button(ctx.t("Subscribe · {price}", price=terms.price.display()), url=link),),))


def cancel_confirm(ctx: Context, plan: Plan, membership: Membership) -> View:
    text = ctx.t(
        "Cancel {plan}? You keep your perks until {date}; nothing renews after that.",
        plan=plan.name,
        date=_d(ctx, membership.period_end),
    )
    return View(text, ((Button(ctx.t("Yes, cancel"), callback=ctx.button("mbcancelok", membership.id)),),))


# -- notices -------------------------------------------------------------------------------------------


def _group_button(ctx: Context, params: NoticeParams) -> tuple[tuple[Button, ...], ...]:
    link = params.get("group_link")
    return ((Button(ctx.t("Enter the members' group"), url=link),),) if isinstance(link, str) and link else ()


def _renew_button(ctx: Context, params: NoticeParams) -> tuple[tuple[Button, ...], ...]:
    plan_id = params.get("plan_id")
    if not isinstance(plan_id, int):
        return ()
    return ((Button(ctx.t("Renew · {price}", price=_money(params)), callback=ctx.button("mbjoin", plan_id)),),)


def notice_started(ctx: Context, params: NoticeParams) -> View:
    lines = [
        ctx.t(
            "<b>Welcome to {plan}!</b> Your membership runs until {date}.",
            plan=str(params["plan"]),
            date=day(ctx, params["until"]),
        )
    ]
    if params.get("stars"):
        lines.append(ctx.t("Telegram renews it by itself every 30 days. Cancel any time with /membership."))
    return View("\n".join(lines), _group_button(ctx, params))


def notice_renewed(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "Your {plan} membership is renewed until {date}.", plan=str(params["plan"]), date=day(ctx, params["until"])
    )
    return View(text)


def notice_trial(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "Your free trial of {plan} has started. It ends on {date}.",
        plan=str(params["plan"]),
        date=day(ctx, params["until"]),
    )
    return View(text, _group_button(ctx, params))


def notice_cancelled(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "Your {plan} membership is cancelled. You keep your perks until {date}.",
        plan=str(params["plan"]),
        date=day(ctx, params["until"]),
    )
    return View(text)


def notice_grace(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "Your {plan} membership ended on {date} without a renewal. Your perks stay until {grace}: renew to keep them.",
        plan=str(params["plan"]),
        date=day(ctx, params["until"]),
        grace=day(ctx, params["grace_until"]),
    )
    return View(text, _renew_button(ctx, params))


def notice_expired(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t("Your {plan} membership has ended. Join again any time with /membership.", plan=str(params["plan"]))
    return View(text)


def notice_removed(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "Your {plan} membership has ended, so you have left the members' group. "
        "Join again with /membership and you can come back.",
        plan=str(params["plan"]),
    )
    return View(text)


def notice_reminder(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "Your {plan} membership ends on {date}. Renew now to keep your perks.",
        plan=str(params["plan"]),
        date=day(ctx, params.get("ends") or params["until"]),
    )
    link = params.get("link")
    if isinstance(link, str) and link:
        return View(text, ((Button(ctx.t("Renew · {price}", price=_money(params)), url=link),),))
    return View(text, _renew_button(ctx, params))


def notice_terms_changed(ctx: Context, params: NoticeParams) -> View:
    if params.get("stars"):
        text = ctx.t(
            "New members of {plan} now pay {price}. Your subscription keeps the price you agreed to while it runs.",
            plan=str(params["plan"]),
            price=_money(params),
        )
    else:
        text = ctx.t(
            "The price of {plan} changes to {price}. It applies from your next renewal; "
            "your current period until {date} stays as it is.",
            plan=str(params["plan"]),
            price=_money(params),
            date=day(ctx, params["until"]),
        )
    return View(text)


def notice_declined(ctx: Context, params: NoticeParams) -> View:
    text = ctx.t(
        "The group of {plan} is for members. Join for {price}, then ask to join the group again.",
        plan=str(params["plan"]),
        price=_money(params),
    )
    plan_id = params.get("plan_id")
    rows: tuple[tuple[Button, ...], ...] = ()
    if isinstance(plan_id, int):
        rows = (
            (
                Button(
                    ctx.t("Join {plan} · {price}", plan=str(params["plan"]), price=_money(params)),
                    callback=ctx.button("mbjoin", plan_id),
                ),
            ),
        )
    return View(text, rows)


# -- owners --------------------------------------------------------------------------------------------


def plan_list(ctx: Context, plans: tuple[Plan, ...]) -> View:
    if not plans:
        return View(ctx.t("No plans yet. {usage}", usage=ctx.t(USAGE_ADD)))
    lines = [ctx.t("<b>Plans</b>")]
    for plan in plans:
        state = ctx.t("open") if plan.active else ctx.t("closed")
        lines.append(
            ctx.t(
                "#{id} {plan} · {price} · version {version} · {state}",
                id=plan.id,
                plan=plan.name,
                price=price_text(ctx, plan.current.terms),
                version=plan.current.number,
                state=state,
            )
        )
    return View("\n".join(lines))


USAGE_ADD = N_(
    "Usage: /plan add PRICE CURRENCY NAME [days=30 trial=7 grace=3 discount=10 points=1.5 early=60 SKU=PRICE]. "
    "In a group: the community's plan (its members-only group; no perks on products). In private: the "
    "operator's plan, or with brand=NAME a brand's plan (perks on that brand's products only)."
)
USAGE = N_(
    "Usage: /plan add PRICE CURRENCY NAME [options] [brand=NAME in private] · /plan price ID PRICE · "
    "/plan terms ID key=value... · /plan close ID · /plan open ID · "
    "/plan group ID (in the members-only group) · /plan list"
)


def report_text(ctx: Context, report: MembersReport) -> str:
    plans = len(report.plans)
    lines = [ctx.tn("<b>Members</b> · {count} plan", "<b>Members</b> · {count} plans", plans, count=plans)]
    for status, count in report.by_status:
        lines.append(f"{ctx.t(STATUS_NAMES[status])}: {count}")
    lines.append(ctx.t("Renewals due this week: {count}", count=report.renewals_this_week))
    if report.revenue:
        lines.append(ctx.t("<b>Revenue by month</b>"))
        lines.extend(f"{row.month}: {row.amount.display()}" for row in report.revenue)
    else:
        lines.append(ctx.t("No membership revenue yet."))
    return "\n".join(lines)


def removal_lines(ctx: Context, previews: tuple[RemovalPreview, ...]) -> list[str]:
    """The owners' /members dry-run in their language: who would be removed, from where, why and since when."""
    reasons = {
        "trial_ended": ctx.t("trial ended"),
        "cancelled": ctx.t("cancelled"),
        "grace_ended": ctx.t("grace period ended"),
        "expired": ctx.t("expired"),
    }
    return [
        ctx.t(
            "user {user} · plan {plan} · group {group} · {reason} since {date}",
            user=p.membership.user_id,
            plan=p.plan.name if p.plan else str(p.membership.plan_id),
            group=p.membership.seat_chat_id,
            reason=reasons.get(p.reason, p.reason),
            date=ctx.when(p.since),
        )
        for p in previews
    ]


def dry_run_lines(previews: tuple[RemovalPreview, ...]) -> list[str]:
    """Plain text for the operator (CLI and owners): who would be removed, from where, and why."""
    return [
        f"user {p.membership.user_id} · plan {p.plan.name if p.plan else p.membership.plan_id} · "
        f"group {p.membership.seat_chat_id} · {p.reason} since {p.since.isoformat()}"
        for p in previews
    ]


def _esc(text: str) -> str:
    return html.escape(text)
