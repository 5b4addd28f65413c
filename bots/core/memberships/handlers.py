"""Commands, buttons and notices of memberships."""

from __future__ import annotations

import logging

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.echo import echo
from bots.core.events import ButtonEvent, CommandEvent, JoinRequestEvent, PreCheckoutEvent
from bots.core.i18n import N_
from bots.core.memberships import views as mv
from bots.core.memberships.chart import revenue_chart
from bots.core.memberships.errors import MembershipCommandError
from bots.core.personal import answer_personally
from bots.core.pre_checkout import answer_pre_checkout
from bots.core.shop import payments
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.errors import DomainError
from domain.memberships import cancelling, groups, joining, management, report, schedule
from domain.memberships import notices as mn
from domain.memberships.errors import MembershipError
from domain.memberships.joining import PAYLOAD_KIND
from domain.memberships.plan_text import number, parse_new_plan, parse_options, parse_price, take_owner
from domain.messenger import MessengerError, RecipientUnavailable
from domain.outgoing import View

log = logging.getLogger(__name__)
EVERYWHERE = frozenset({PRIVATE_SCOPE, GROUP_SCOPE})


# -- members ---------------------------------------------------------------------------------------------


async def membership(ctx: Context, event: CommandEvent) -> None:
    community = None if event.chat.is_private else event.chat.id
    async with ctx.reading() as uow:
        statuses = await joining.overview(uow, ctx.now(), event.sender.id, community)
    # The member's own status is in it: it goes to the private chat, where its buttons all work.
    await answer_personally(ctx, event, mv.plans_view(ctx, statuses, ctx.now(), True), "membership")


async def join(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    """Join or renew: a Stars subscription link, or an invoice, always in the member's private chat."""
    fiat = bool(ctx.settings.payment_provider_token)
    async with ctx.uow() as uow:
        offer = await joining.offer(uow, ctx.now(), event.sender.id, callback.int_arg(0), fiat)
    invoice = mv.invoice(ctx, offer, ctx.settings.payment_provider_token)
    try:
        if offer.subscription:
            link = await ctx.messenger.create_invoice_link(invoice)
            await ctx.messenger.send(event.sender.id, mv.subscribe_view(ctx, offer, link))
        else:
            await ctx.messenger.send_invoice(event.sender.id, invoice)
    except RecipientUnavailable:
        text = ctx.plain("Open a private chat with me (@{bot}) first, then press again.", bot=ctx.settings.username)
        await ctx.messenger.answer_callback(event.callback_id, text, alert=True)
        return
    private = event.chat is not None and event.chat.is_private
    done = None if private else ctx.plain("I sent it to you in a private chat.")
    await ctx.messenger.answer_callback(event.callback_id, done)


async def trial(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.uow() as uow:
        await joining.start_trial(uow, ctx.now(), event.sender.id, callback.int_arg(0))
        await uow.commit()
    ctx.services.outbox.wake()
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Your free trial has started."))


async def cancel_ask(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.uow() as uow:
        found = await cancelling.cancellable(uow, ctx.now(), event.sender.id, callback.int_arg(0))
        plan = await management.plan_of(uow, found.plan_id)
    await ctx.messenger.send(event.sender.id, mv.cancel_confirm(ctx, plan, found))
    await ctx.messenger.answer_callback(event.callback_id)


async def cancel_confirmed(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    membership_id = callback.int_arg(0)
    async with ctx.uow() as uow:
        found = await cancelling.cancellable(uow, ctx.now(), event.sender.id, membership_id)
    if found.renews_by_itself and found.charge_id:
        # Telegram first: a membership we call cancelled must not renew behind the member's back.
        try:
            await ctx.messenger.edit_star_subscription(event.sender.id, found.charge_id, canceled=True)
        except MessengerError as error:
            if "NOT_MODIFIED" not in str(error).upper():
                log.warning("cancelling the Stars subscription of membership %s failed: %s", membership_id, error)
                await ctx.messenger.answer_callback(
                    event.callback_id, ctx.explain(MembershipError.BUSY, html=False), alert=True
                )
                return
    async with ctx.uow() as uow:
        await cancelling.cancel(uow, ctx.now(), event.sender.id, membership_id)
        await uow.commit()
    ctx.services.outbox.wake()
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Cancelled."))


# -- payments --------------------------------------------------------------------------------------------


async def pre_checkout(ctx: Context, event: PreCheckoutEvent) -> None:
    await answer_pre_checkout(ctx, event, joining.check_pre_checkout, keep_refusal_changes=False)


# -- the members-only group ------------------------------------------------------------------------------


async def join_request(ctx: Context, event: JoinRequestEvent) -> None:
    async with ctx.uow() as uow:
        decision = await groups.decide_join(uow, ctx.now(), event.chat.id, event.sender.id)
        await uow.commit()
    if decision is None:
        log.info("join request to %s: not a members-only group of any plan; left to its admins", event.chat.id)
        return
    if decision.approve:
        await ctx.messenger.approve_join_request(event.chat.id, event.sender.id)
        log.info("join request of %s to %s approved", event.sender.id, event.chat.id)
        return
    # Telegram lets the bot write to the requester only while the request is pending: explain, then decline.
    try:
        await ctx.messenger.send(event.user_chat_id, mv.notice_declined(ctx, groups.declined_params(decision)))
    except MessengerError as error:
        log.info("could not tell %s why their join request was declined: %s", event.sender.id, error)
    await ctx.messenger.decline_join_request(event.chat.id, event.sender.id)
    log.info("join request of %s to %s declined: not a member", event.sender.id, event.chat.id)


# -- owners ----------------------------------------------------------------------------------------------


async def plan_command(ctx: Context, event: CommandEvent) -> None:
    words = event.args.split()
    action = words[0].lower() if words else "list"
    community = None if event.chat.is_private else event.chat.id
    try:
        if action == "list":
            who = await ctx.actor(event.sender, community)
            async with ctx.uow() as uow:
                plans = await management.plans_managed_by(uow, who, community)
            await ctx.messenger.send(event.chat.id, mv.plan_list(ctx, plans))
        elif action == "add":
            await _plan_add(ctx, event, words[1:], community)
        elif action in ("price", "terms", "close", "open", "group") and len(words) >= 2 and number(words[1]):
            await _plan_change(ctx, event, action, number(words[1]) or 0, words[2:])
        else:
            raise DomainError(MembershipError.BAD_COMMAND, detail=event.args)
    except DomainError as error:
        if error.code is not MembershipError.BAD_COMMAND:
            raise
        problem = ctx.t(mv.ERRORS[error.code], detail=echo(str(error.params.get("detail", ""))))
        await ctx.messenger.send(event.chat.id, View(problem + "\n" + ctx.t(mv.USAGE)))


async def _plan_add(ctx: Context, event: CommandEvent, words: list[str], community: int | None) -> None:
    """In a group: the community's plan. In private: the operator's, or with `brand=NAME` a brand's."""
    brand_text, words = take_owner(words)
    name, terms = parse_new_plan(words)
    if brand_text is not None and community is not None:
        raise DomainError(MembershipError.BRAND_PLAN_IN_PRIVATE)
    who = await ctx.actor(event.sender, community)
    async with ctx.uow() as uow:
        brand = await management.brand_named(uow, brand_text) if brand_text is not None else None
        plan = await management.create_plan(
            uow, ctx.now(), who, name, community, terms, brand.id if brand is not None else None
        )
        await uow.commit()
    log.info(
        "plan %s (%s) created by %s for community %s, brand %s", plan.id, plan.name, event.sender.id, community, brand
    )
    text = ctx.t(
        "Plan #{id} {plan} created: {price}.", id=plan.id, plan=plan.name, price=mv.price_text(ctx, plan.current.terms)
    )
    await ctx.messenger.send(event.chat.id, View(text))


async def _plan_change(ctx: Context, event: CommandEvent, action: str, plan_id: int, rest: list[str]) -> None:
    async with ctx.uow() as uow:
        plan = await management.plan_of(uow, plan_id)
    here = None if event.chat.is_private else event.chat.id
    who = await ctx.actor(event.sender, plan.community_id, here)
    if action == "price":
        if len(rest) != 1:
            raise DomainError(MembershipError.BAD_COMMAND, detail=" ".join(rest))
        price = parse_price(rest[0], plan.current.terms.price.currency)
        async with ctx.uow() as uow:
            change = await management.change_price(uow, ctx.now(), who, plan.id, price)
            await uow.commit()
        ctx.services.outbox.wake()
        text = ctx.tn(
            "{plan} now costs {price} (version {version}). "
            "{count} member was told; they keep their price until they renew.",
            "{plan} now costs {price} (version {version}). "
            "{count} members were told; they keep their price until they renew.",
            change.told,
            plan=plan.name,
            price=price.display(),
            version=change.version.number,
            count=change.told,
        )
    elif action == "terms":
        if not rest:
            raise DomainError(MembershipError.BAD_COMMAND, detail=" ".join(rest))
        terms = parse_options(rest, plan.current.terms)
        async with ctx.uow() as uow:
            change = await management.change_terms(uow, ctx.now(), who, plan.id, terms)
            await uow.commit()
        ctx.services.outbox.wake()
        lines = [
            ctx.t("{plan} has new terms (version {version}).", plan=plan.name, version=change.version.number),
            *mv.benefits_lines(ctx, terms),
        ]
        text = "\n".join(lines)
    elif action in ("close", "open"):
        async with ctx.uow() as uow:
            await management.set_active(uow, who, plan.id, action == "open")
            await uow.commit()
        text = (
            ctx.t("{plan} is open to new members.", plan=plan.name)
            if action == "open"
            else ctx.t("{plan} is closed to new members; current members keep what they paid for.", plan=plan.name)
        )
    else:
        if here is None:
            raise DomainError(MembershipCommandError.GROUP_NEEDED)
        async with ctx.uow() as uow:
            await management.attachable_plan(uow, who, plan.id, here)  # before Telegram makes any link for them
        link = await ctx.messenger.create_invite_link(here, name=plan.name[:32], join_request=True)
        async with ctx.uow() as uow:
            await management.attach_group(uow, who, plan.id, here, link)
            await uow.commit()
        text = ctx.t(
            "This is now the members-only group of {plan}. I approve members' join requests and decline others. "
            "Members get this link: {link}",
            plan=plan.name,
            link=link,
        )
    await ctx.messenger.send(event.chat.id, View(text))


async def members_command(ctx: Context, event: CommandEvent) -> None:
    community = None if event.chat.is_private else event.chat.id
    who = await ctx.actor(event.sender, community)
    async with ctx.uow() as uow:
        found = await report.members_report(uow, ctx.now(), who, community)
        previews = await schedule.removal_preview(uow, ctx.now()) if event.args.strip() == "dry-run" else None
    if previews is not None:
        mine = {p.id for p in found.plans}
        lines = mv.removal_lines(ctx, tuple(p for p in previews if p.membership.plan_id in mine))
        text = "\n".join([ctx.t("Would be removed now: {count}", count=len(lines)), *lines])
        await ctx.messenger.send(event.chat.id, View(text))
        return
    await ctx.messenger.send(event.chat.id, View(mv.report_text(ctx, found)))
    if found.revenue:
        chart = revenue_chart(found.revenue, ctx.plain("Membership revenue by month"))
        await ctx.messenger.send(event.chat.id, View(ctx.t("Membership revenue by month"), photo_bytes=chart))


def register(table: HandlerTable) -> None:
    """Declare this capability's entries in the handler table."""
    table.command(Command("membership", membership, N_("Memberships and your status"), EVERYWHERE))
    owners = frozenset({Audience.MODERATOR, Audience.OPERATOR})
    report_help = (
        (
            Audience.MODERATOR,
            N_("/members · this group's members, renewals and revenue (/members dry-run: who would be removed)"),
        ),
        (
            Audience.OPERATOR,
            N_("/members · every plan's members, renewals and revenue (/members dry-run: who would be removed)"),
        ),
    )
    plan_help = (
        (
            Audience.MODERATOR,
            N_("/plan add PRICE CURRENCY NAME · a plan for this group; /plan list, price, terms, close, open, group"),
        ),
        (
            Audience.OPERATOR,
            N_("/plan add PRICE CURRENCY NAME [brand=NAME] · plans in private; /plan list, price, terms, close, open"),
        ),
    )
    report_name, plan_name = N_("Members report (owners)"), N_("Manage membership plans (owners)")
    table.command(
        Command("members", members_command, report_name, EVERYWHERE, in_menu=False, audience=owners, help=report_help)
    )
    table.command(Command("plan", plan_command, plan_name, EVERYWHERE, in_menu=False, audience=owners, help=plan_help))
    table.action("mbjoin", join, int)
    table.action("mbtrial", trial, int)
    table.action("mbcancel", cancel_ask, int)
    table.action("mbcancelok", cancel_confirmed, int)
    table.payment_kind(PAYLOAD_KIND, pre_checkout, payments.successful_payment)
    table.join_request = join_request
    table.errors(dict(mv.ERRORS))
    table.notice(mn.STARTED, mv.notice_started)
    table.notice(mn.RENEWED, mv.notice_renewed)
    table.notice(mn.TRIAL, mv.notice_trial)
    table.notice(mn.CANCELLED, mv.notice_cancelled)
    table.notice(mn.GRACE, mv.notice_grace)
    table.notice(mn.EXPIRED, mv.notice_expired)
    table.notice(mn.REMOVED, mv.notice_removed)
    table.notice(mn.REMINDER, mv.notice_reminder)
    table.notice(mn.TERMS_CHANGED, mv.notice_terms_changed)
    table.notice(mn.DECLINED, mv.notice_declined)
