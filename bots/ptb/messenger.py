"""The messenger port on python-telegram-bot: renders core views into Bot API calls and maps PTB's errors."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from typing import TypeVar

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    LabeledPrice,
    Message,
    ReplyParameters,
    ShippingOption,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bots.core.adapter import MESSAGE_GONE_MARKERS, QUERY_EXPIRED_MARKERS
from bots.core.stars import star_transaction
from domain.messenger import (
    MessageGone,
    PollCounts,
    QueryExpired,
    RateLimited,
    RecipientUnavailable,
    Rejected,
    SentPoll,
    StarTransaction,
    TransientFailure,
    Unauthorized,
)
from domain.outgoing import Button, CommandMenu, InlineResult, Invoice, Keyboard, MessageRef, ShippingChoice, View

log = logging.getLogger(__name__)
T = TypeVar("T")

SCOPES = {
    "all_private_chats": BotCommandScopeAllPrivateChats,
    "all_group_chats": BotCommandScopeAllGroupChats,
    "all_chat_administrators": BotCommandScopeAllChatAdministrators,
    "default": BotCommandScopeDefault,
}
ADMIN_STATUSES = {"creator", "administrator"}
MEMBER_STATUSES = {"creator", "administrator", "member"}
GONE_MARKERS = ("chat not found", "user not found")


def keyboard(rows: Keyboard) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[_button(b) for b in row] for row in rows])


def _button(button: Button) -> InlineKeyboardButton:
    if button.pay:
        return InlineKeyboardButton(text=button.text, pay=True)
    if button.url:
        return InlineKeyboardButton(text=button.text, url=button.url)
    if button.switch_inline is not None:
        return InlineKeyboardButton(text=button.text, switch_inline_query=button.switch_inline)
    return InlineKeyboardButton(text=button.text, callback_data=button.callback)


def _reply(reply_to: int | None) -> ReplyParameters | None:
    return ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None


def _ref(message: Message) -> MessageRef:
    return MessageRef(chat_id=message.chat.id, message_id=message.message_id)


def _prices(invoice: Invoice) -> list[LabeledPrice]:
    return [LabeledPrice(label=invoice.label, amount=invoice.amount)]


def retry_after_seconds(error: RetryAfter) -> float:
    """PTB 22 gives an int of seconds (deprecated) or, with PTB_TIMEDELTA set, a timedelta."""
    with warnings.catch_warnings():
        # Reading it as an int warns about the coming timedelta; both are handled right here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def map_error(error: TelegramError) -> Exception:
    """The messenger error a PTB error means. Order matters: BadRequest and TimedOut are NetworkErrors."""
    if isinstance(error, RetryAfter):
        return RateLimited(retry_after_seconds(error))
    if isinstance(error, InvalidToken):
        return Unauthorized(error.message)
    if isinstance(error, Forbidden):
        return RecipientUnavailable(error.message)
    if isinstance(error, BadRequest):
        text = error.message.lower()
        if any(marker in text for marker in GONE_MARKERS):
            return RecipientUnavailable(error.message)
        if any(marker in text for marker in MESSAGE_GONE_MARKERS):
            return MessageGone(error.message)
        if any(marker in text for marker in QUERY_EXPIRED_MARKERS):
            return QueryExpired(error.message)
        return Rejected(error.message)
    if isinstance(error, (TimedOut, NetworkError)):
        return TransientFailure(str(error))
    return Rejected(error.message)


async def mapped(call: Awaitable[T]) -> T:
    try:
        return await call
    except TelegramError as error:
        raise map_error(error) from error


class PtbMessenger:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(
        self, chat_id: int, view: View, reply_to: int | None = None, paid_broadcast: bool = False
    ) -> MessageRef:
        markup = keyboard(view.buttons)
        paid = True if paid_broadcast else None  # left out of the call unless asked for
        if view.document is not None:
            sent = await mapped(
                self.bot.send_document(
                    chat_id,
                    view.document.file_id or InputFile(view.document.content, filename=view.document.filename),
                    caption=view.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    reply_parameters=_reply(reply_to),
                    allow_paid_broadcast=paid,
                )
            )
        elif view.photo or view.photo_bytes is not None:
            sent = await mapped(
                self.bot.send_photo(
                    chat_id,
                    view.photo or InputFile(view.photo_bytes or b"", filename="image.png"),
                    caption=view.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    reply_parameters=_reply(reply_to),
                    allow_paid_broadcast=paid,
                )
            )
        else:
            sent = await mapped(
                self.bot.send_message(
                    chat_id,
                    view.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    reply_parameters=_reply(reply_to),
                    allow_paid_broadcast=paid,
                )
            )
        return _ref(sent)

    async def edit(self, target: MessageRef, view: View) -> None:
        chat_id, message_id, inline_id = target.chat_id, target.message_id, target.inline_message_id
        markup = keyboard(view.buttons)
        try:
            if view.photo or view.document is not None:
                await mapped(
                    self.bot.edit_message_caption(
                        chat_id=chat_id,
                        message_id=message_id,
                        inline_message_id=inline_id,
                        caption=view.text,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    )
                )
            else:
                await mapped(
                    self.bot.edit_message_text(
                        view.text,
                        chat_id=chat_id,
                        message_id=message_id,
                        inline_message_id=inline_id,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    )
                )
        except Rejected as error:
            # Pressing the button of the page already shown is not worth an error.
            if "not modified" not in str(error).lower():
                raise

    async def send_invoice(self, chat_id: int, invoice: Invoice, reply_to: int | None = None) -> MessageRef:
        sent = await mapped(
            self.bot.send_invoice(
                chat_id,
                title=invoice.title,
                description=invoice.description,
                payload=invoice.payload,
                currency=invoice.currency,
                prices=_prices(invoice),
                provider_token=invoice.provider_token or None,
                photo_url=invoice.photo_url,
                need_name=invoice.ships or None,
                need_phone_number=invoice.ships or None,
                need_shipping_address=invoice.ships or None,
                is_flexible=invoice.ships or None,
                reply_markup=keyboard(invoice.buttons),
                reply_parameters=_reply(reply_to),
            )
        )
        return _ref(sent)

    async def create_invoice_link(self, invoice: Invoice) -> str:
        return await mapped(
            self.bot.create_invoice_link(
                title=invoice.title,
                description=invoice.description,
                payload=invoice.payload,
                currency=invoice.currency,
                prices=_prices(invoice),
                provider_token=invoice.provider_token or None,
                photo_url=invoice.photo_url,
                need_name=invoice.ships or None,
                need_phone_number=invoice.ships or None,
                need_shipping_address=invoice.ships or None,
                is_flexible=invoice.ships or None,
                subscription_period=invoice.subscription_period,
            )
        )

    async def answer_callback(
        self, callback_id: str, text: str | None = None, alert: bool = False, url: str | None = None
    ) -> None:
        await mapped(self.bot.answer_callback_query(callback_id, text=text, show_alert=alert, url=url))

    async def answer_inline(
        self, query_id: str, results: Sequence[InlineResult], cache_time: int = 0, is_personal: bool = True
    ) -> None:
        articles = [
            InlineQueryResultArticle(
                id=r.id,
                title=r.title,
                description=r.description,
                thumbnail_url=r.thumbnail_url,
                input_message_content=InputTextMessageContent(message_text=r.view.text, parse_mode=ParseMode.HTML),
                reply_markup=keyboard(r.view.buttons),
            )
            for r in results
        ]
        await mapped(self.bot.answer_inline_query(query_id, articles, cache_time=cache_time, is_personal=is_personal))

    async def answer_shipping_query(
        self, query_id: str, ok: bool, options: Sequence[ShippingChoice] = (), error_message: str | None = None
    ) -> None:
        await mapped(
            self.bot.answer_shipping_query(
                query_id,
                ok=ok,
                shipping_options=[ShippingOption(o.id, o.title, [LabeledPrice(o.label, o.amount)]) for o in options]
                or None,
                error_message=error_message,
            )
        )

    async def answer_pre_checkout(self, query_id: str, ok: bool, error_message: str | None = None) -> None:
        await mapped(self.bot.answer_pre_checkout_query(query_id, ok=ok, error_message=error_message))

    async def refund_star_payment(self, user_id: int, telegram_charge_id: str) -> None:
        await mapped(self.bot.refund_star_payment(user_id, telegram_charge_id))

    async def download(self, file_id: str) -> bytes:
        found = await mapped(self.bot.get_file(file_id))
        return bytes(await mapped(found.download_as_bytearray()))

    async def star_transactions(self, offset: int, limit: int) -> Sequence[StarTransaction]:
        found = await mapped(self.bot.get_star_transactions(offset=offset, limit=limit))
        return [star_transaction(t) for t in found.transactions]

    async def set_commands(self, menu: CommandMenu) -> None:
        commands = [BotCommand(command=c.command, description=c.description) for c in menu.commands]
        scope = SCOPES[menu.scope]()
        await mapped(self.bot.set_my_commands(commands, scope=scope, language_code=menu.language))

    async def is_chat_admin(self, chat_id: int, user_id: int) -> bool:
        member = await mapped(self.bot.get_chat_member(chat_id, user_id))
        return str(member.status) in ADMIN_STATUSES

    async def is_chat_member(self, chat_id: int, user_id: int) -> bool:
        member = await mapped(self.bot.get_chat_member(chat_id, user_id))
        # A restricted member is still in the group when Telegram says so (is_member).
        return str(member.status) in MEMBER_STATUSES or bool(getattr(member, "is_member", False))

    async def send_chat_action(self, chat_id: int, action: str = "typing") -> None:
        await mapped(self.bot.send_chat_action(chat_id, action))

    async def create_invite_link(self, chat_id: int, name: str | None = None, join_request: bool = True) -> str:
        link = await mapped(self.bot.create_chat_invite_link(chat_id, name=name, creates_join_request=join_request))
        return link.invite_link

    async def approve_join_request(self, chat_id: int, user_id: int) -> None:
        await mapped(self.bot.approve_chat_join_request(chat_id, user_id))

    async def decline_join_request(self, chat_id: int, user_id: int) -> None:
        await mapped(self.bot.decline_chat_join_request(chat_id, user_id))

    async def remove_member(self, chat_id: int, user_id: int) -> None:
        await mapped(self.bot.ban_chat_member(chat_id, user_id))
        await mapped(self.bot.unban_chat_member(chat_id, user_id, only_if_banned=True))

    async def send_poll(self, chat_id: int, question: str, options: Sequence[str], anonymous: bool = False) -> SentPoll:
        sent = await mapped(
            self.bot.send_poll(chat_id, question, list(options), is_anonymous=anonymous, allows_multiple_answers=False)
        )
        assert sent.poll is not None
        return SentPoll(sent.poll.id, MessageRef(chat_id=sent.chat.id, message_id=sent.message_id))

    async def stop_poll(self, target: MessageRef) -> PollCounts:
        assert target.chat_id is not None and target.message_id is not None
        poll = await mapped(self.bot.stop_poll(chat_id=target.chat_id, message_id=target.message_id))
        return PollCounts(tuple(o.voter_count for o in poll.options), poll.total_voter_count)

    async def edit_star_subscription(self, user_id: int, telegram_charge_id: str, canceled: bool) -> None:
        await mapped(self.bot.edit_user_star_subscription(user_id, telegram_charge_id, is_canceled=canceled))
