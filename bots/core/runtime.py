"""The core dispatcher: adapters hand it neutral events; it finds the handler, runs it and answers failures.

Every failure gets a clear answer in the member's language and a log line: a DomainError becomes its
message, a forged button an alert, anything unexpected an apology. Nothing propagates to the framework.

Every update but a payment is claimed once (domain/updates.py) before its handler runs: a redelivery of the
same update_id does nothing and sends nothing. Every button press is answered, whatever the handler did.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable

from bots.core.answers import AnswerTracking
from bots.core.callbacks import InvalidCallback
from bots.core.context import Context, Services
from bots.core.error_messages import GENERIC
from bots.core.events import (
    BotMembershipEvent,
    ButtonEvent,
    ChosenInlineEvent,
    CommandEvent,
    DocumentEvent,
    Event,
    InlineQueryEvent,
    JoinRequestEvent,
    PaymentEvent,
    PollAnswerEvent,
    PreCheckoutEvent,
    ShippingQueryEvent,
    TextEvent,
)
from bots.core.pre_checkout import answer_within_window
from bots.core.table import HandlerTable
from domain import member_registry
from domain.errors import DomainError
from domain.members import Member, catalog_language
from domain.messenger import MessageGone, MessengerError, QueryExpired, RecipientUnavailable
from domain.outgoing import View
from domain.ports import UnitOfWork
from domain.shop.errors import ShopError
from domain.updates import claim_update

log = logging.getLogger(__name__)

UpdateListener = Callable[[int], None]

# The kinds of update Telegram sends (the optional fields of Update in the Bot API), in the spec's order.
# Both frameworks name their Update's attributes after these fields, so `update_kind` reads either.
UPDATE_KINDS = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
    "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
    "chat_join_request", "chat_boost", "removed_chat_boost",
)  # fmt: skip


def update_kind(update: object) -> str:
    """The Bot API field an update carries (`message`, `callback_query`, ...); `unknown` for none of them."""
    for kind in UPDATE_KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    return "unknown"


@dataclasses.dataclass(frozen=True, slots=True)
class HandledUpdate:
    """One update the adapter finished, routed or not: what the per-update log line and the metrics say."""

    update_id: int
    kind: str
    seconds: float  # from the adapter taking it in to the handler's end


UpdateObserver = Callable[[HandledUpdate], None]
FailureObserver = Callable[[str], None]  # the update kind (its event type) whose handler failed unexpectedly


class BotCore:
    def __init__(self, services: Services, table: HandlerTable) -> None:
        self.services = services
        self.table = table
        self._listeners: list[UpdateListener] = []
        self._observers: list[UpdateObserver] = []
        self._failure_observers: list[FailureObserver] = []

    # -- observability: adapters report every update they finish, routed or not ------------------------
    def on_update_done(self, listener: UpdateListener) -> None:
        self._listeners.append(listener)

    def on_update_handled(self, observer: UpdateObserver) -> None:
        """Also hear the update's kind and how long it took (metrics)."""
        self._observers.append(observer)

    def on_handler_failure(self, observer: FailureObserver) -> None:
        """Hear of every handler that failed unexpectedly (not a DomainError: a bug or an outage)."""
        self._failure_observers.append(observer)

    def update_done(self, update_id: int, kind: str = "unknown", seconds: float = 0.0) -> None:
        """The per-update log line, then every listener. `kind` and `seconds` come from the adapter."""
        log.info(
            "update %s (%s) handled in %.1f ms",
            update_id,
            kind,
            seconds * 1000,
            extra={"update_id": update_id, "update_kind": kind, "latency_ms": round(seconds * 1000, 3)},
        )
        handled = HandledUpdate(update_id, kind, seconds)
        for observer in self._observers:
            observer(handled)
        for listener in self._listeners:
            listener(update_id)

    # -- routing --------------------------------------------------------------------------------------
    async def command(self, event: CommandEvent) -> None:
        spec = self.table.commands.get(event.command)
        scope = "private" if event.chat.is_private else "group"
        if spec is not None and scope in spec.scopes:
            handler = spec.handler
        elif self.table.unknown_command is not None:
            handler = self.table.unknown_command
        else:
            return
        ctx = await self._begin(event, private=event.chat.is_private)
        if ctx is None:
            return
        await self._guard(ctx, event, lambda: handler(ctx, event), lambda text: self._say(event.chat.id, text))

    async def text(self, event: TextEvent) -> None:
        if event.chat.is_private:
            handler = self.table.text
        elif event.chat.is_group:
            settings = self.services.settings
            addressed = event.addressed_to(settings.username, settings.bot_id)
            handler = self.table.group_text if addressed else None
            if self.table.group_chatter is not None:
                await self._chatter(self.table.group_chatter, event)
        else:
            handler = None
        if handler is None:
            return
        ctx = await self._begin(event, private=event.chat.is_private)
        if ctx is None:
            return
        await self._guard(ctx, event, lambda: handler(ctx, event), lambda text: self._say(event.chat.id, text))

    async def document(self, event: DocumentEvent) -> None:
        if self.table.document is None or not event.chat.is_private:
            return
        handler = self.table.document
        ctx = await self._begin(event, private=True)
        if ctx is None:
            return
        await self._guard(ctx, event, lambda: handler(ctx, event), lambda text: self._say(event.chat.id, text))

    async def _chatter(self, handler: Callable[[Context, TextEvent], Awaitable[None]], event: TextEvent) -> None:
        """Group chatter is not claimed (it only ever stores a message idempotently) and never answered."""
        ctx = self._context_for(event, None)
        try:
            await handler(ctx, event)
        except Exception:
            log.exception("group message %s in %s: the chatter handler failed", event.message_id, event.chat.id)

    async def button(self, event: ButtonEvent) -> None:
        found = await self._begin(event)
        if found is None:
            return  # a redelivery: the first delivery answered it
        answers = AnswerTracking(self.services.messenger, event.callback_id)
        ctx = dataclasses.replace(found, services=dataclasses.replace(found.services, messenger=answers))

        async def tell(text: str) -> None:
            await self._quietly(answers.answer_callback(event.callback_id, text, alert=True))

        try:
            try:
                callback = self.table.codec.decode(event.data)
            except InvalidCallback as reason:
                log.warning("refused callback %r from %s: %s", event.data, event.sender.id, reason)
                await tell(ctx.plain("This button is no longer valid. Send /shop for a fresh menu."))
                return
            action = self.table.actions[callback.action]
            await self._guard(ctx, event, lambda: action.handler(ctx, event, callback), tell, html=False)
        finally:
            if not answers.answered:  # the handler failed or its message was gone: stop the spinner anyway
                await self._quietly(answers.answer_callback(event.callback_id))

    async def inline_query(self, event: InlineQueryEvent) -> None:
        if self.table.inline_query is None:
            return
        handler = self.table.inline_query
        ctx = await self._begin(event)
        if ctx is None:
            return

        async def tell(text: str) -> None:
            await self._quietly(self.services.messenger.answer_inline(event.query_id, []))

        await self._guard(ctx, event, lambda: handler(ctx, event), tell)

    async def chosen_inline(self, event: ChosenInlineEvent) -> None:
        if self.table.chosen_inline is None:
            return
        handler = self.table.chosen_inline
        ctx = await self._begin(event)
        if ctx is None:
            return
        await self._guard(ctx, event, lambda: handler(ctx, event), _nothing)

    async def pre_checkout(self, event: PreCheckoutEvent) -> None:
        kind = self.table.payment_kind_of(event.payload)
        # Not deduplicated: a query must be answered on every delivery. The payer is remembered inside the
        # check's transaction (bots/core/pre_checkout.py), so nothing is written here.
        ctx = await self._context(event, remember=False)

        async def refuse(text: str) -> None:
            # Telegram waits 10 s for an answer; an unanswered query fails the payment with a vague error.
            await self._quietly(answer_within_window(self.services.messenger, event.query_id, False, text))

        if kind is None and self.services.settings.embedded:
            log.info(
                "pre-checkout %s is not circlecart's (payload %r): left to the host bot", event.query_id, event.payload
            )
            return
        if kind is None:
            log.warning("pre-checkout %s with an unknown payload %r", event.query_id, event.payload)
            await refuse(ctx.explain(ShopError.ORDER_UNKNOWN, html=False))
            return
        await self._guard(ctx, event, lambda: kind.pre_checkout(ctx, event), refuse, html=False)

    async def shipping_query(self, event: ShippingQueryEvent) -> None:
        # Not deduplicated either: Telegram waits for an answer on every delivery, and answering writes nothing.
        ctx = await self._context(event, remember=False)
        handler = self.table.shipping_query

        async def refuse(text: str) -> None:
            await self._quietly(
                self.services.messenger.answer_shipping_query(event.query_id, False, error_message=text)
            )

        if handler is None or (self.table.payment_kind_of(event.payload) is None and self.services.settings.embedded):
            if handler is None:
                await refuse(ctx.explain(ShopError.ORDER_UNKNOWN, html=False))
            return
        await self._guard(ctx, event, lambda: handler(ctx, event), refuse, html=False)

    async def payment(self, event: PaymentEvent) -> None:
        kind = self.table.payment_kind_of(event.payload)
        if kind is None and self.services.settings.embedded:
            log.info("payment %s is not circlecart's: left to the host bot", event.telegram_charge_id)
            return
        # Nothing is written before the payment itself is stored: remembering the member can wait.
        ctx = await self._context(event, remember=False)
        if kind is None:
            # Money arrived for an invoice we cannot place: the order handler records it and refunds.
            kind = self.table.payment_kinds.get("order")
            if kind is None:
                log.error("payment %s arrived but no payment kind handles it", event.telegram_charge_id)
                return
        handler = kind.payment
        await self._guard(ctx, event, lambda: handler(ctx, event), lambda text: self._say(event.chat.id, text))

    async def bot_membership(self, event: BotMembershipEvent) -> None:
        if self.table.bot_membership is None:
            return
        handler = self.table.bot_membership
        ctx = await self._begin(event, remember=False)
        if ctx is None:
            return
        await self._guard(ctx, event, lambda: handler(ctx, event), _nothing)

    async def join_request(self, event: JoinRequestEvent) -> None:
        if self.table.join_request is None:
            return
        handler = self.table.join_request
        ctx = await self._begin(event)
        if ctx is None:
            return
        await self._guard(ctx, event, lambda: handler(ctx, event), _nothing)

    async def poll_answer(self, event: PollAnswerEvent) -> None:
        if self.table.poll_answer is None:
            return
        handler = self.table.poll_answer
        ctx = await self._begin(event)
        if ctx is None:
            return
        await self._guard(ctx, event, lambda: handler(ctx, event), _nothing)

    # -- plumbing -------------------------------------------------------------------------------------
    async def _begin(self, event: Event, private: bool = False, remember: bool = True) -> Context | None:
        """Claim the update and remember its sender in one transaction; None if it was handled already."""
        now = self.services.clock.now()
        bot_id = self.services.settings.bot_id
        member = None
        try:
            async with self.services.uow_factory() as uow:
                if not await claim_update(uow, bot_id, event.update_id, now):
                    log.info("update %s was delivered again; it was handled already", event.update_id)
                    return None
                if remember:
                    member = await self._remember(uow, event, private)
                await uow.commit()
        except Exception:
            # The database is failing: try the claim alone, so a redelivery stays harmless; if even that fails,
            # answer anyway (nothing was recorded, so nothing would be handled twice but this answer).
            log.warning("could not claim update %s with its member; claiming alone", event.update_id, exc_info=True)
            try:
                async with self.services.uow_factory() as uow:
                    claimed = await claim_update(uow, bot_id, event.update_id, now)
                    await uow.commit()
            except Exception:
                log.warning("could not claim update %s; answering anyway", event.update_id, exc_info=True)
            else:
                if not claimed:
                    return None
        return self._context_for(event, member)

    async def _context(self, event: Event, private: bool = False, remember: bool = True) -> Context:
        """The context of an update that is not deduplicated here (payments)."""
        member = None
        if remember:
            try:
                async with self.services.uow_factory() as uow:
                    member = await self._remember(uow, event, private)
                    await uow.commit()
            except Exception:
                log.warning("could not remember member %s; answering anyway", event.sender.id, exc_info=True)
        return self._context_for(event, member)

    async def _remember(self, uow: UnitOfWork, event: Event, private: bool) -> Member | None:
        if event.sender.is_bot:
            return None
        return await member_registry.remember_member(
            uow,
            self.services.clock.now(),
            event.sender.id,
            event.sender.first_name,
            event.sender.username,
            event.sender.language_code,
            in_private_chat=private,
        )

    def _context_for(self, event: Event, member: Member | None) -> Context:
        translations = self.services.translations
        if member is not None:
            language = member.language(translations.supported, translations.default)
        else:
            found = catalog_language(event.sender.language_code, translations.supported)
            language = found if found is not None else translations.default
        return Context(self.services, language, member)

    async def _guard(
        self,
        ctx: Context,
        event: Event,
        run: Callable[[], Awaitable[None]],
        tell: Callable[[str], Awaitable[None]],
        html: bool = True,
    ) -> None:
        """Run a handler; tell the member what went wrong, as HTML for messages or plain text for alerts."""
        try:
            await run()
        except DomainError as error:
            log.info("update %s from %s: %s", event.update_id, event.sender.id, error)
            await tell(ctx.explain_error(error, html=html))
        except RecipientUnavailable as error:
            log.info("update %s: recipient unavailable: %s", event.update_id, error)
        except MessageGone as error:
            # The message to edit or reply to was deleted meanwhile, or is too old to edit: nothing to say.
            log.info("update %s: the message is gone: %s", event.update_id, error)
        except QueryExpired as error:
            # A query delivered again after it was answered (or too late): its answer stands, nothing to add.
            log.info("update %s: the query was answered already or expired: %s", event.update_id, error)
        except Exception:
            log.exception("update %s (%s) failed", event.update_id, type(event).__name__)
            for observer in self._failure_observers:
                observer(type(event).__name__)
            await tell(ctx.t(GENERIC) if html else ctx.plain(GENERIC))

    async def _say(self, chat_id: int, text: str) -> None:
        await self._quietly(self.services.messenger.send(chat_id, View(text)))

    async def _quietly(self, call: Awaitable[object]) -> None:
        try:
            await call
        except MessengerError as error:
            log.warning("could not deliver an error answer: %s", error)


async def _nothing(text: str) -> None:
    return None
