"""Co-creation votes in the bot: /vote to propose and see live totals, poll answers, and the pre-order button."""

from __future__ import annotations

import logging
from datetime import datetime

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, Chat, CommandEvent, PollAnswerEvent, PreCheckoutEvent
from bots.core.i18n import N_
from bots.core.pre_checkout import answer_pre_checkout
from bots.core.shop import payments
from bots.core.table import PRIVATE_SCOPE, Audience, Command, HandlerTable
from bots.core.votes import views
from domain.errors import DomainError, ErrorCode
from domain.money import Money
from domain.numbers import whole_number
from domain.outgoing import MessageRef
from domain.ports import UnitOfWork
from domain.shop import checkout
from domain.votes import flow, posting, preorders
from domain.votes.errors import VoteError
from domain.votes.model import PAYLOAD_KIND
from domain.votes.proposal_text import parse_proposal, propose_line

log = logging.getLogger(__name__)

PRIVATE_ONLY = frozenset({PRIVATE_SCOPE})

ERRORS: dict[ErrorCode, str] = {
    VoteError.USAGE: N_(
        "Send /vote BRAND; QUESTION; GROUP_IDS; CLOSES_IN_HOURS; KIND PRICE CURRENCY MINIMUM PAY_HOURS; "
        "points N or early H; OPTION PRICE; OPTION PRICE..., for example "
        "/vote Lotus Tea; Which cup next?; -1001,-1002; 48; digital 50 XTR 10 72; points 20; Crane 45; Lotus 50. "
        "Send /vote NUMBER to see a vote's totals."
    ),
    VoteError.NOT_ALLOWED: N_("Only the brand's staff, or a moderator of every group named, can propose a vote."),
    VoteError.NO_CONSENT: N_("{chat} has not allowed {brand} (its moderators can, with /brands)."),
    VoteError.UNKNOWN_COMMUNITY: N_("The bot is not in the group {chat}."),
    VoteError.OPTION_COUNT: N_("A vote has {low} to {high} designs."),
    VoteError.BAD_OPTION: N_("Each design needs its own title of at most {max} characters."),
    VoteError.BAD_TERMS: N_(
        "Pre-order terms: a price above zero, a minimum of at least 1, every design priced in the same currency, "
        "and a reward of 1 to 500 points or 0 to 72 hours of early access."
    ),
    VoteError.BAD_TIMES: N_("The vote must close in the future, and payments must end after it closes."),
    VoteError.WRONG_CURRENCY: N_(
        "Digital goods and services are paid in Stars (XTR); physical goods through the payment provider."
    ),
    VoteError.UNKNOWN: N_("That vote does not exist."),
    VoteError.NOT_CLOSED: N_("The vote “{title}” is still open."),
    VoteError.PREORDER_CLOSED: N_("The pre-order of {title} is closed."),
    VoteError.SUPPORTERS_FIRST: N_("{title} is for its supporters first; everyone may pre-order from {at}."),
    VoteError.ALREADY_ORDERED: N_("You have already pre-ordered {title}."),
}


def register(table: HandlerTable) -> None:
    """Declare this capability's entries in the handler table."""
    table.command(
        Command(
            "vote",
            vote,
            N_("Propose a design vote or see its totals (brands)"),
            PRIVATE_ONLY,
            audience=frozenset({Audience.BRAND_STAFF, Audience.MODERATOR, Audience.OPERATOR}),
        )
    )
    table.action("preorder", preorder, int)
    table.payment_kind(PAYLOAD_KIND, preorder_pre_checkout, payments.successful_payment)
    table.poll_answer = poll_answer
    table.notice("vote.results", views.results)
    table.notice("vote.order_list", views.order_list)
    table.notice("vote.preorder_stands", views.stands)
    table.notice("vote.preorder_missed", views.missed)
    table.notice("vote.reward", views.reward)
    table.errors(ERRORS)


async def vote(ctx: Context, event: CommandEvent) -> None:
    """/vote NUMBER shows the live totals; /vote BRAND; ... proposes a vote and posts its polls."""
    number = whole_number(event.args, max_digits=9)
    if number is not None:
        async with ctx.uow() as uow:
            params = await flow.standing(uow, number)
        await ctx.messenger.send(event.chat.id, views.standing(ctx, params))
        return
    if not event.args:
        raise DomainError(VoteError.USAGE)
    _, proposal = parse_proposal(event.args, ctx.now())  # the groups to ask Telegram about
    actor = await ctx.actor(event.sender, *proposal.chat_ids)
    async with ctx.uow() as uow:
        proposed = await propose_line(uow, ctx.now(), actor, event.args)
        await uow.commit()
    posted = await posting.post_pending(ctx.services.uow_factory, ctx.messenger)
    log.info("vote %s proposed by %s in %s groups", proposed.id, event.sender.id, len(proposal.chat_ids))
    await ctx.messenger.send(event.chat.id, views.proposed(ctx, proposed, posted, len(proposal.chat_ids)))


async def poll_answer(ctx: Context, event: PollAnswerEvent) -> None:
    async with ctx.uow() as uow:
        counted = await flow.record_answer(uow, ctx.now(), event.poll_id, event.sender.id, event.option_ids)
        await uow.commit()
    log.info("poll %s answer by %s: %s", event.poll_id, event.sender.id, counted.value)


async def preorder(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    chat = event.chat or Chat(event.sender.id, "private")
    async with ctx.uow() as uow:
        started = await preorders.start(
            uow,
            ctx.now(),
            callback.int_arg(0),
            event.sender.id,
            chat.id,
            fiat_payments=bool(ctx.settings.payment_provider_token),
        )
        await uow.commit()
    reply_to = event.message.message_id if isinstance(event.message, MessageRef) else None
    await ctx.messenger.send_invoice(
        chat.id, views.invoice(ctx, started.vote, started.order, started.payload), reply_to=reply_to
    )
    await ctx.messenger.answer_callback(event.callback_id, ctx.plain("Your invoice is ready: tap Pay."))


async def preorder_pre_checkout(ctx: Context, event: PreCheckoutEvent) -> None:
    async def check(uow: UnitOfWork, now: datetime, payer_id: int, payload: str, amount: Money) -> object:
        # Physical goods: the shipping chosen in the form is priced from the rules and stored on the order first.
        await checkout.choose_shipping(
            uow, ctx.settings.shipping, payer_id, payload, event.shipping_option_id, event.country_code
        )
        return await preorders.accept_pre_checkout(uow, now, payer_id, payload, amount)

    await answer_pre_checkout(ctx, event, check, keep_refusal_changes=False)
