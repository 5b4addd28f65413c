"""What a handler gets: the messenger, a way into the domain, the clock, the member's language."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bots.core.callbacks import CallbackCodec
from bots.core.echo import bounded
from bots.core.error_messages import message_for
from bots.core.events import Sender
from bots.core.i18n import Translations, date_text, duration_text, moment_text, parse_moment
from bots.core.state import MemoryStateStore, StateStore
from bots.core.table import Command
from domain.actors import Actor
from domain.assistant.conversation import AssistantLimits
from domain.assistant.model import ChatModel
from domain.clock import Clock
from domain.drops.beacon import QUICKNET, BeaconChain
from domain.errors import DomainError, ErrorCode
from domain.members import Member
from domain.messenger import Messenger, MessengerError
from domain.money import STARS
from domain.points.policy import RewardsPolicy
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.shop.fulfilment import ReturnPolicy
from domain.shop.shipping import ShippingRules

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BotSettings:
    username: str  # the bot's @username, for deep links
    bot_id: int = 0  # the bot's Telegram user id: update_ids are per bot (processed updates are keyed by both)
    payment_provider_token: str = ""  # empty: Telegram Stars
    currency: str = STARS
    shipping: ShippingRules = field(default_factory=ShippingRules)  # physical goods (CIRCLECART_SHIPPING_*)
    returns: ReturnPolicy = field(default_factory=ReturnPolicy)  # CIRCLECART_RETURN_DAYS, ..._TRANSIT_DAYS
    owner_ids: tuple[int, ...] = ()  # the operators (CIRCLECART_OWNER_IDS)
    rewards: RewardsPolicy = field(default_factory=RewardsPolicy)  # points, referrals, group buys
    beacon: BeaconChain = QUICKNET  # the drand chain new raffles draw with
    embedded: bool = False  # inside a host bot: payloads circlecart did not issue are left to the host
    # How long the outbox holds back a payment answer the handler is sending itself (CIRCLECART_REPLY_GRACE_SECONDS).
    reply_grace: timedelta = timedelta(seconds=60)
    # A pool of codes at or below this many free codes warns its brand's staff (CIRCLECART_CODES_LOW_AT).
    codes_low_at: int = 10
    assistant_limits: AssistantLimits = field(default_factory=AssistantLimits)  # CIRCLECART_AI_*
    digest_retention: timedelta = timedelta(hours=48)  # CIRCLECART_DIGEST_RETENTION_HOURS


class OutboxWakeup:
    """Handlers call wake() after committing a notice, so the sender delivers it now, not at its next tick."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def wake(self) -> None:
        for listener in self._listeners:
            listener()


@dataclass(frozen=True, slots=True)
class Services:
    """Shared by every update; built once by the composition root."""

    messenger: Messenger
    uow_factory: UnitOfWorkFactory
    clock: Clock
    translations: Translations
    codec: CallbackCodec
    settings: BotSettings
    outbox: OutboxWakeup = field(default_factory=OutboxWakeup)
    state: StateStore = field(default_factory=MemoryStateStore)  # dialogs' state (Redis in production)
    error_text: Callable[[str], str] = message_for  # DomainError code -> msgid; the table's lookup in the app
    state_keys_of: Callable[[int], tuple[str, ...]] = lambda user_id: ()  # a member's dialog state (the table's)
    commands: Mapping[str, Command] = field(default_factory=dict)  # the table's, for /help
    assistant: ChatModel | None = None  # the shop assistant's model (CIRCLECART_AI_BASE_URL); None: no model
    # Units of work that only read (no write lock, no queue behind writers); None: the ordinary ones.
    reader_factory: UnitOfWorkFactory | None = None
    # Units of work whose statements commit one by one (PostgreSQL); None: the ordinary ones.
    autocommit_factory: UnitOfWorkFactory | None = None


@dataclass(frozen=True, slots=True)
class Context:
    services: Services
    language: str
    member: Member | None

    @property
    def messenger(self) -> Messenger:
        return self.services.messenger

    @property
    def settings(self) -> BotSettings:
        return self.services.settings

    def uow(self) -> UnitOfWork:
        return self.services.uow_factory()

    def reading(self) -> UnitOfWork:
        """A unit of work for a handler that only reads (a page, a card, a balance): it never waits for a writer."""
        factory = self.services.reader_factory
        return factory() if factory is not None else self.services.uow_factory()

    def autocommitting(self) -> UnitOfWork:
        """A unit of work whose statements each commit on their own where the database allows it: for domain
        code whose every write is whole on its own (it says so), so that a hot row's lock ends with its
        statement instead of a round trip later at a COMMIT. Commit and rollback still work elsewhere."""
        factory = self.services.autocommit_factory
        return factory() if factory is not None else self.services.uow_factory()

    def now(self) -> datetime:
        return self.services.clock.now()

    async def actor(self, sender: Sender, *chat_ids: int | None) -> Actor:
        """Who is acting on this update, for the domain to judge: the operator if the settings say so, and an
        admin of each of `chat_ids` (groups; None and private chats are skipped) where Telegram says so now.
        The sender is the update's, which Telegram vouches for; nothing a message or button says counts.

        A chat Telegram cannot answer for (the bot was removed, a passing error) counts as one they do not
        administer: a permission is never granted on a failed question."""
        admin_of = set()
        for chat_id in {c for c in chat_ids if c is not None and c < 0}:
            try:
                if await self.messenger.is_chat_admin(chat_id, sender.id):
                    admin_of.add(chat_id)
            except MessengerError as error:
                log.info("could not check admin rights of %s in %s: %s", sender.id, chat_id, error)
        return Actor(sender.id, operator=sender.id in self.settings.owner_ids, admin_of=frozenset(admin_of))

    def t(self, msgid: str, /, **params: object) -> str:
        """Translate into the member's language; params are HTML-escaped because messages are HTML."""
        return self.services.translations.translate(self.language, msgid, **_escaped(params))

    def plain(self, msgid: str, /, **params: object) -> str:
        """Translate for plain-text fields (button alerts, pre-checkout errors): nothing is escaped."""
        return self.services.translations.translate(self.language, msgid, **params)

    def tn(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        """`t` with gettext plural forms: the form for `count` ("1 plan", "2 plans"); pass the count as a param too."""
        return self.services.translations.translate_plural(self.language, singular, plural, count, **_escaped(params))

    def plain_n(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        """`plain` with plural forms."""
        return self.services.translations.translate_plural(self.language, singular, plural, count, **params)

    def date(self, moment: datetime) -> str:
        """A day in the reader's language: "Nov 24, 2026", "2026年11月24日"."""
        return date_text(self.language, moment)

    def when(self, moment: datetime, seconds: bool = False) -> str:
        """A day and time (UTC) in the reader's language: "Nov 24, 2026 10:05 UTC"."""
        return moment_text(self.language, moment, seconds)

    def when_text(self, value: object, seconds: bool = False) -> str:
        """A moment a notice carried as text, in the reader's language; text that is no moment is shown as is."""
        moment = parse_moment(str(value)) if value is not None else None
        if moment is None:
            return "" if value is None else str(value)
        return self.date(moment) if len(str(value).strip()) == 10 else self.when(moment, seconds)

    def duration(self, span: timedelta | int) -> str:
        """An exact length of time (a timedelta, or seconds) in words: "30 days", "2 minutes, 5 seconds", "30天"."""
        return duration_text(self.language, span)

    def explain(self, code: ErrorCode, /, html: bool = True, **params: object) -> str:
        """A DomainError code (and its params) in the member's words, as HTML or plain text."""
        return self.explain_error(DomainError(code, **params), html=html)

    def explain_error(self, error: DomainError, html: bool = True) -> str:
        """A DomainError in the member's words. Its params are passed as a mapping, never as keywords of
        this call, so a param may be called anything (`language`, `code`, `html`, ...)."""
        msgid = self.services.error_text(error.code)
        translate = self.t if html else self.plain
        return translate(msgid, **bounded(error.params))  # params often quote what the member typed

    def speaking_to(self, member: Member) -> Context:
        """This context for `member` as just remembered: their chosen language wins over Telegram's."""
        translations = self.services.translations
        return replace(self, member=member, language=member.language(translations.supported, translations.default))

    def button(self, action: str, *args: int | str) -> str:
        return self.services.codec.encode(action, *args)

    def deep_link(self, payload: str) -> str:
        return f"https://t.me/{self.settings.username}?start={payload}"


def _escaped(params: Mapping[str, object]) -> dict[str, object]:
    """Params for an HTML message: text is escaped, numbers are left as they are."""
    return {k: html.escape(v) if isinstance(v, str) else v for k, v in params.items()}
