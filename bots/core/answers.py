"""A messenger that remembers whether a button's callback query was answered, so the core can answer it last.

Telegram shows a spinner on a pressed button until the bot answers the query; an unanswered one spins for
seconds and then fails. The core answers whatever a handler left unanswered (a failure, a message that was
gone), and never answers one twice (Telegram refuses the second answer).
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.messenger import Messenger, PollCounts, SentPoll, StarTransaction
from domain.outgoing import CommandMenu, InlineResult, Invoice, MessageRef, ShippingChoice, View


class AnswerTracking:
    """Delegates every call to `inner`; `answered` turns True once `callback_id` was answered (or tried)."""

    def __init__(self, inner: Messenger, callback_id: str) -> None:
        self.inner = inner
        self.callback_id = callback_id
        self.answered = False

    async def answer_callback(
        self, callback_id: str, text: str | None = None, alert: bool = False, url: str | None = None
    ) -> None:
        if callback_id == self.callback_id:
            if self.answered:
                return  # a second answer would be refused: the first one stands
            self.answered = True
        await self.inner.answer_callback(callback_id, text, alert, url)

    async def download(self, file_id: str) -> bytes:
        return await self.inner.download(file_id)

    async def send(
        self, chat_id: int, view: View, reply_to: int | None = None, paid_broadcast: bool = False
    ) -> MessageRef:
        if paid_broadcast:
            return await self.inner.send(chat_id, view, reply_to, paid_broadcast=True)
        return await self.inner.send(chat_id, view, reply_to)

    async def edit(self, target: MessageRef, view: View) -> None:
        await self.inner.edit(target, view)

    async def send_invoice(self, chat_id: int, invoice: Invoice, reply_to: int | None = None) -> MessageRef:
        return await self.inner.send_invoice(chat_id, invoice, reply_to)

    async def create_invoice_link(self, invoice: Invoice) -> str:
        return await self.inner.create_invoice_link(invoice)

    async def answer_inline(
        self, query_id: str, results: Sequence[InlineResult], cache_time: int = 0, is_personal: bool = True
    ) -> None:
        await self.inner.answer_inline(query_id, results, cache_time, is_personal)

    async def answer_pre_checkout(self, query_id: str, ok: bool, error_message: str | None = None) -> None:
        await self.inner.answer_pre_checkout(query_id, ok, error_message)

    async def answer_shipping_query(
        self, query_id: str, ok: bool, options: Sequence[ShippingChoice] = (), error_message: str | None = None
    ) -> None:
        await self.inner.answer_shipping_query(query_id, ok, options, error_message)

    async def refund_star_payment(self, user_id: int, telegram_charge_id: str) -> None:
        await self.inner.refund_star_payment(user_id, telegram_charge_id)

    async def star_transactions(self, offset: int, limit: int) -> Sequence[StarTransaction]:
        return await self.inner.star_transactions(offset, limit)

    async def set_commands(self, menu: CommandMenu) -> None:
        await self.inner.set_commands(menu)

    async def is_chat_admin(self, chat_id: int, user_id: int) -> bool:
        return await self.inner.is_chat_admin(chat_id, user_id)

    async def is_chat_member(self, chat_id: int, user_id: int) -> bool:
        return await self.inner.is_chat_member(chat_id, user_id)

    async def send_chat_action(self, chat_id: int, action: str = "typing") -> None:
        await self.inner.send_chat_action(chat_id, action)

    async def create_invite_link(self, chat_id: int, name: str | None = None, join_request: bool = True) -> str:
        return await self.inner.create_invite_link(chat_id, name, join_request)

    async def approve_join_request(self, chat_id: int, user_id: int) -> None:
        await self.inner.approve_join_request(chat_id, user_id)

    async def decline_join_request(self, chat_id: int, user_id: int) -> None:
        await self.inner.decline_join_request(chat_id, user_id)

    async def remove_member(self, chat_id: int, user_id: int) -> None:
        await self.inner.remove_member(chat_id, user_id)

    async def edit_star_subscription(self, user_id: int, telegram_charge_id: str, canceled: bool) -> None:
        await self.inner.edit_star_subscription(user_id, telegram_charge_id, canceled)

    async def send_poll(self, chat_id: int, question: str, options: Sequence[str], anonymous: bool = False) -> SentPoll:
        return await self.inner.send_poll(chat_id, question, options, anonymous)

    async def stop_poll(self, target: MessageRef) -> PollCounts:
        return await self.inner.stop_poll(target)


def _conforms(tracking: AnswerTracking) -> Messenger:  # mypy proves the wrapper is a whole Messenger
    return tracking
