"""Test-side API: users act (write, press, query, pay, join) and tests read what the bot did."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Any

from .formatting import bot_command_entities, render
from .methods import BotMethods
from .updates import chat_member, chat_member_updated, invoice_object, new_query_id, photo_sizes
from .world import (
    Charge,
    ChatState,
    FakeBot,
    FakeChat,
    FakeUser,
    InvoiceRecord,
    Membership,
    QueryRecord,
    StoredMessage,
    new_file_ids,
)

ChatRef = FakeChat | FakeUser | int
InvoiceRef = StoredMessage | InvoiceRecord | str


@dataclass
class Delivered:
    """What a test-side action produced. update_id is None when no bot was due to receive it."""

    update_id: int | None
    update: dict[str, Any] | None
    message: StoredMessage | None = None
    query_id: str | None = None
    inline_message_id: str | None = None


@dataclass
class PaymentResult:
    accepted: bool
    answered: bool
    error_message: str | None
    charge_id: str | None
    pre_checkout_query_id: str
    update_id: int | None = None
    message: StoredMessage | None = None
    shipping_options: list[dict[str, Any]] | None = None  # what the bot offered for the address, if asked


def address_object(address: dict[str, Any]) -> dict[str, Any]:
    """A Bot API ShippingAddress from the fields given (country_code at least); the rest made up."""
    return {
        "country_code": str(address["country_code"]).upper(),
        "state": str(address.get("state", "")),
        "city": str(address.get("city", "Springfield")),
        "street_line1": str(address.get("street_line1", "1 Example Street")),
        "street_line2": str(address.get("street_line2", "")),
        "post_code": str(address.get("post_code", "10001")),
    }


class Scenario(BotMethods):
    # -- world setup ----------------------------------------------------------------------------

    def user(
        self,
        id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
        is_premium: bool = False,
    ) -> FakeUser:
        """Create (or return the existing) user with this id."""
        if id in self.users:
            return self.users[id]
        user = FakeUser(self, id, first_name, username, language_code, last_name, is_premium)  # type: ignore[arg-type]
        self.users[id] = user
        return user

    def group(
        self,
        id: int,
        title: str,
        type: str = "supergroup",
        username: str | None = None,
        bots_are_members: bool = True,
    ) -> FakeChat:
        """Create (or return) a group; registered bots are plain members unless bots_are_members=False."""
        if id >= 0:
            raise ValueError("group ids are negative (supergroups look like -100...)")
        if id in self.groups:
            return self.groups[id]
        chat = FakeChat(self, id, title, type, username, bots_are_members)  # type: ignore[arg-type]
        self.groups[id] = chat
        return chat

    # -- helpers --------------------------------------------------------------------------------

    def _chat_of(self, user: FakeUser, chat: ChatRef | None, bot: FakeBot) -> ChatState:
        if chat is None or chat is user or chat == user.id:
            return self.private_chat(bot, user)
        if isinstance(chat, FakeChat):
            return chat
        if isinstance(chat, int) and chat in self.groups:
            return self.groups[chat]
        other = chat if isinstance(chat, FakeUser) else self.users.get(chat)
        if other is None:
            raise LookupError(f"unknown chat {chat!r}")
        key = (min(user.id, other.id), max(user.id, other.id))
        state = self.user_chats.get(key)
        if state is None:
            state = self.user_chats[key] = ChatState(other.to_private_chat())
        return state

    def _deliver(self, kind: str, payload: dict[str, Any], bot: FakeBot) -> tuple[int, dict[str, Any]]:
        return self.enqueue(kind, payload, bot)

    def _bot_sees_group_message(self, bot: FakeBot, chat: FakeChat, message: StoredMessage) -> bool:
        if not chat.is_member(bot.user_id):
            return False
        if bot.can_read_all_group_messages or chat.status_of(bot.user_id).status == "administrator":
            return True
        # Privacy mode: commands, replies to the bot and mentions only.
        text = message.content
        entity = next(iter(bot_command_entities(text)), None)
        if entity is not None:
            command = text[: entity["length"]]
            return "@" not in command or command.split("@", 1)[1].lower() == bot.username.lower()
        reply = message.data.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == bot.user_id:
            return True
        return f"@{bot.username.lower()}" in text.lower()

    @staticmethod
    def _chat_instance(chat_id: int) -> str:
        return str((chat_id * 2654435761) % (1 << 62))

    def _resolve_message(self, message: StoredMessage | dict[str, Any] | str, bot: FakeBot) -> StoredMessage:
        if isinstance(message, StoredMessage):
            return message
        if isinstance(message, str):
            found = self.inline_messages.get(message)
            if found is None:
                raise LookupError(f"unknown inline_message_id {message!r}")
            return found
        chat_id = message["chat"]["id"]
        chat = self.groups.get(chat_id) or self.private_chats.get((bot.user_id, chat_id))
        stored = chat.messages.get(message["message_id"]) if chat is not None else None
        if stored is None:
            raise LookupError(f"message {message['message_id']} not found in chat {chat_id}")
        return stored

    # -- messages -------------------------------------------------------------------------------

    async def send_message(
        self,
        user: FakeUser,
        chat: ChatRef | None,
        text: str,
        reply_to: StoredMessage | int | None = None,
        *,
        bot: str | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> Delivered:
        """A message from `user` in `chat` (None or the user itself: the private chat with the bot)."""
        target_bot = self.bot(bot)
        state = self._chat_of(user, chat, target_bot)
        content: dict[str, Any] = {"text": text}
        found = entities if entities is not None else bot_command_entities(text)
        if found:
            content["entities"] = found
        if reply_to is not None:
            replied = reply_to if isinstance(reply_to, StoredMessage) else state.get(reply_to)
            if replied is None:
                raise LookupError(f"message {reply_to!r} to reply to not found")
            content["reply_to_message"] = {k: v for k, v in replied.data.items() if k != "reply_to_message"}
        if isinstance(state, FakeChat) and not state.is_member(user.id):
            state.add_member(user)
        message = self._new_message(state, user.to_user(), content)
        if state.bot_id is not None:
            user.started_bots.add(target_bot.user_id)
            user.blocked_bots.discard(target_bot.user_id)
            update_id, update = self._deliver("message", message.snapshot(), target_bot)
            return Delivered(update_id, update, message)
        if isinstance(state, FakeChat):
            first: tuple[int, dict[str, Any]] | None = None
            receivers = [target_bot] if bot is not None else list(self.bots.values())
            for receiver in receivers:
                if self._bot_sees_group_message(receiver, state, message):
                    delivered = self._deliver("message", message.snapshot(), receiver)
                    if receiver is target_bot or first is None:
                        first = delivered
            return Delivered(first[0] if first else None, first[1] if first else None, message)
        return Delivered(None, None, message)

    async def send_document(
        self,
        user: FakeUser,
        chat: ChatRef | None,
        filename: str,
        content: bytes,
        caption: str | None = None,
        *,
        bot: str | None = None,
    ) -> Delivered:
        """A file from `user` (in the private chat with the bot when `chat` is None), with an optional caption."""
        target_bot = self.bot(bot)
        state = self._chat_of(user, chat, target_bot)
        message_content: dict[str, Any] = {"document": self.keep_document(filename, content)}
        if caption is not None:
            message_content["caption"] = caption
        if isinstance(state, FakeChat) and not state.is_member(user.id):
            state.add_member(user)
        message = self._new_message(state, user.to_user(), message_content)
        if state.bot_id is not None:  # the private chat: writing to the bot starts it
            user.started_bots.add(target_bot.user_id)
            user.blocked_bots.discard(target_bot.user_id)
        update_id, update = self._deliver("message", message.snapshot(), target_bot)
        return Delivered(update_id, update, message)

    async def press_button(
        self,
        user: FakeUser,
        message: StoredMessage | dict[str, Any] | str,
        callback_data: str | None = None,
        text: str | None = None,
        *,
        forge: bool = False,
        bot: str | None = None,
    ) -> Delivered:
        """Press an inline button (by callback_data or text) of a stored message or inline message id."""
        default_bot = self.bot(bot)
        stored = self._resolve_message(message, default_bot)
        if stored.deleted:
            raise LookupError(f"{stored!r} was deleted; its buttons can't be pressed")
        if forge:
            if callback_data is None:
                raise ValueError("forge=True needs callback_data")
            data = callback_data
        else:
            if callback_data is None and text is None:
                raise ValueError("give callback_data or text of the button to press")
            button = stored.find_button(callback_data, text)
            if button is None:
                raise LookupError(
                    f"no button callback_data={callback_data!r} text={text!r} on {stored!r}; buttons: {stored.buttons}"
                )
            if button.get("callback_data") is None:
                raise ValueError(f"button {button} is not a callback button")
            data = button["callback_data"]
        owner_id = stored.sender_bot_id or stored.data.get("via_bot", {}).get("id")
        receiver = self.bot(bot) if bot is not None else (self.bot_by_id(owner_id) if owner_id else default_bot)
        assert receiver is not None
        query_id = new_query_id()
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.to_user(),
            "chat_instance": self._chat_instance(stored.chat_id),
            "data": data,
        }
        if stored.inline_message_id is not None:
            payload["inline_message_id"] = stored.inline_message_id
        else:
            payload["message"] = stored.snapshot()
        self.queries[query_id] = QueryRecord("callback", receiver.user_id, user.id, payload, self.clock())
        update_id, update = self._deliver("callback_query", payload, receiver)
        return Delivered(update_id, update, stored, query_id=query_id)

    # -- inline mode ----------------------------------------------------------------------------

    async def inline_query(
        self,
        user: FakeUser,
        query: str,
        chat_type: str | None = "sender",
        offset: str = "",
        *,
        bot: str | None = None,
    ) -> str:
        """The user types "@bot query"; returns the inline query id."""
        if len(query) > 256:
            raise ValueError("inline queries are at most 256 characters")
        target_bot = self.bot(bot)
        query_id = new_query_id()
        payload: dict[str, Any] = {"id": query_id, "from": user.to_user(), "query": query, "offset": offset}
        if chat_type is not None:
            payload["chat_type"] = chat_type
        self.queries[query_id] = QueryRecord("inline", target_bot.user_id, user.id, payload, self.clock())
        self._deliver("inline_query", payload, target_bot)
        return query_id

    async def choose_inline_result(
        self,
        user: FakeUser,
        chat: ChatRef | None,
        inline_query_id: str,
        result_id: str,
    ) -> Delivered:
        """The user taps a result: it is posted into `chat` via the bot, then chosen_inline_result."""
        record = self.queries.get(inline_query_id)
        if record is None or record.kind != "inline":
            raise LookupError(f"unknown inline query {inline_query_id!r}")
        if not record.answered:
            raise LookupError(f"the bot has not answered inline query {inline_query_id!r}")
        result = next((r for r in record.answer["results"] if r["id"] == result_id), None)
        if result is None:
            ids = [r["id"] for r in record.answer["results"]]
            raise LookupError(f"no result {result_id!r} among {ids}")
        bot = self.bot_by_id(record.bot_id)
        assert bot is not None
        state = self._chat_of(user, chat, bot)
        content, invoice_params = self._inline_content(result)
        content["via_bot"] = bot.to_user()
        message = self._new_message(state, user.to_user(), content, result.get("reply_markup"))
        inline_message_id = secrets.token_urlsafe(20)
        message.inline_message_id = inline_message_id
        self.inline_messages[inline_message_id] = message
        if invoice_params is not None:
            message.invoice = InvoiceRecord(bot.user_id, invoice_params, message=message)
        payload: dict[str, Any] = {
            "result_id": result_id,
            "from": user.to_user(),
            "query": record.payload["query"],
        }
        if result.get("reply_markup"):
            payload["inline_message_id"] = inline_message_id
        update_id, update = self._deliver("chosen_inline_result", payload, bot)
        return Delivered(update_id, update, message, inline_message_id=inline_message_id)

    def _inline_content(self, result: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        imc = result.get("input_message_content")
        if imc is not None:
            if "message_text" in imc:
                text, entities = render(imc["message_text"], imc.get("parse_mode"), imc.get("entities"))
                return ({"text": text, **({"entities": entities} if entities else {})}), None
            if "payload" in imc:
                return {"invoice": invoice_object(imc)}, dict(imc)
            if "phone_number" in imc:
                return {"contact": {"phone_number": imc["phone_number"], "first_name": imc["first_name"]}}, None
            if "address" in imc:
                location = {"latitude": imc["latitude"], "longitude": imc["longitude"]}
                venue = {"location": location, "title": imc["title"], "address": imc["address"]}
                return {"venue": venue, "location": location}, None
            if "latitude" in imc:
                return {"location": {"latitude": imc["latitude"], "longitude": imc["longitude"]}}, None
            return {}, None
        content: dict[str, Any] = {}
        if result["type"] == "photo":
            photo = result.get("photo_file_id") or result.get("photo_url")
            content["photo"] = self.photo_files.get(photo or "") or photo_sizes(*new_file_ids())
        if result.get("caption"):
            caption, entities = render(result["caption"], result.get("parse_mode"), result.get("caption_entities"))
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return content, None

    # -- payments -------------------------------------------------------------------------------

    def _invoice(self, invoice: InvoiceRef) -> InvoiceRecord:
        if isinstance(invoice, InvoiceRecord):
            return invoice
        if isinstance(invoice, StoredMessage):
            if invoice.invoice is None:
                raise LookupError(f"{invoice!r} is not an invoice")
            return invoice.invoice
        record = self.invoice_links.get(invoice)
        if record is None:
            raise LookupError(f"unknown invoice link {invoice!r}")
        return record

    async def shipping_query(self, user: FakeUser, invoice: InvoiceRef, address: dict[str, Any]) -> Delivered:
        """Deliver a shipping_query for a flexible invoice, as the payment form does once an address is entered."""
        record = self._invoice(invoice)
        if not record.is_flexible:
            raise ValueError("only a flexible invoice (is_flexible) gets shipping queries")
        bot = self.bot_by_id(record.bot_id)
        assert bot is not None
        query_id = new_query_id()
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.to_user(),
            "invoice_payload": record.payload,
            "shipping_address": address_object(address),
        }
        self.queries[query_id] = QueryRecord("shipping", bot.user_id, user.id, payload, self.clock(), invoice=record)
        update_id, update = self._deliver("shipping_query", payload, bot)
        return Delivered(update_id, update, record.message, query_id=query_id)

    async def pre_checkout(
        self,
        user: FakeUser,
        invoice: InvoiceRef,
        total_amount: int | None = None,
        currency: str | None = None,
        *,
        shipping_option_id: str | None = None,
        order_info: dict[str, Any] | None = None,
    ) -> Delivered:
        """Deliver a pre_checkout_query for the invoice; Delivered.query_id identifies it."""
        record = self._invoice(invoice)
        bot = self.bot_by_id(record.bot_id)
        assert bot is not None
        query_id = new_query_id()
        amount = record.total_amount if total_amount is None else total_amount
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.to_user(),
            "currency": currency or record.currency,
            "total_amount": amount,
            "invoice_payload": record.payload,
        }
        if shipping_option_id is not None:
            payload["shipping_option_id"] = shipping_option_id
        if order_info is not None:
            payload["order_info"] = order_info
        self.queries[query_id] = QueryRecord(
            "pre_checkout",
            bot.user_id,
            user.id,
            payload,
            self.clock(),
            invoice=record,
            total_amount=amount,
            currency=payload["currency"],
        )
        update_id, update = self._deliver("pre_checkout_query", payload, bot)
        return Delivered(update_id, update, record.message, query_id=query_id)

    async def pay(
        self,
        user: FakeUser,
        invoice: InvoiceRef,
        chat: ChatRef | None = None,
        charge_id: str | None = None,
        total_amount: int | None = None,
        timeout: float = 10.0,
        *,
        shipping_address: dict[str, Any] | None = None,
        shipping_option: str | None = None,
    ) -> PaymentResult:
        """Pay like a client does: for a flexible invoice a shipping query with `shipping_address` first (the
        first option offered is chosen unless `shipping_option` names one, and its price is added), then
        pre-checkout, wait for the bot's answer, then successful_payment."""
        record = self._invoice(invoice)
        option_id: str | None = None
        order_info: dict[str, Any] | None = None
        offered: list[dict[str, Any]] | None = None
        if record.is_flexible:
            if shipping_address is None:
                raise ValueError("a flexible invoice asks for a shipping address: pass shipping_address")
            shipping = await self.shipping_query(user, record, shipping_address)
            assert shipping.query_id is not None
            asked = self.queries[shipping.query_id]
            if not await asked.wait_answered(timeout):
                return PaymentResult(False, False, None, None, "")
            if not asked.answer.ok:
                return PaymentResult(False, True, asked.answer.error_message, None, "", shipping_options=[])
            offered = list(asked.answer.shipping_options)
            chosen = next((o for o in offered if o["id"] == shipping_option), None) if shipping_option else offered[0]
            if chosen is None:
                raise LookupError(f"the bot did not offer shipping option {shipping_option!r}")
            option_id = str(chosen["id"])
            if total_amount is None:
                total_amount = record.total_amount + sum(int(p["amount"]) for p in chosen["prices"])
            order_info = {
                "name": " ".join(filter(None, [user.first_name, getattr(user, "last_name", None)])),
                "phone_number": "+10000000000",
                "shipping_address": address_object(shipping_address),
            }
        delivered = await self.pre_checkout(
            user, record, total_amount=total_amount, shipping_option_id=option_id, order_info=order_info
        )
        query_id = delivered.query_id
        assert query_id is not None
        query = self.queries[query_id]
        if not await query.wait_answered(timeout):
            return PaymentResult(False, False, None, None, query_id)
        answer = query.answer
        if not answer.ok:
            return PaymentResult(False, True, answer.error_message, None, query_id)
        bot = self.bot_by_id(record.bot_id)
        assert bot is not None
        if record.message is not None and chat is None:
            target: ChatRef | None = self.groups.get(record.message.chat_id)
        else:
            target = chat
        paid = await self.successful_payment(
            user,
            target,
            record.payload,
            record.currency,
            query.total_amount or record.total_amount,
            charge_id=charge_id,
            bot=bot.token,
            subscription_period=record.subscription_period,
            shipping_option_id=option_id,
            order_info=order_info,
        )
        charge = paid.message.data["successful_payment"]["telegram_payment_charge_id"] if paid.message else None
        return PaymentResult(True, True, None, charge, query_id, paid.update_id, paid.message, offered)

    async def successful_payment(
        self,
        user: FakeUser,
        chat: ChatRef | None,
        payload: str,
        currency: str,
        total_amount: int,
        charge_id: str | None = None,
        *,
        bot: str | None = None,
        subscription_period: int | None = None,
        deliver: bool = True,
        shipping_option_id: str | None = None,
        order_info: dict[str, Any] | None = None,
    ) -> Delivered:
        """Deliver a raw successful_payment message (no pre-checkout) and register its charge.

        `deliver=False`: Telegram took the money but the update never reaches the bot (it is lost), so
        only getStarTransactions knows of the charge."""
        target_bot = self.bot(bot)
        state = self._chat_of(user, chat, target_bot)
        charge_id = charge_id or f"stx{secrets.token_urlsafe(24)}"
        payment: dict[str, Any] = {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "" if currency == "XTR" else f"prov_{secrets.token_hex(8)}",
        }
        if shipping_option_id is not None:
            payment["shipping_option_id"] = shipping_option_id
        if order_info is not None:
            payment["order_info"] = order_info
        if subscription_period:
            payment["subscription_expiration_date"] = int(self.wall_clock()) + subscription_period
            payment["is_recurring"] = True
            payment["is_first_recurring"] = True
        if charge_id not in self.charges:
            self.charges[charge_id] = Charge(
                target_bot.user_id,
                user.id,
                charge_id,
                currency,
                total_amount,
                payload,
                subscription_canceled=False if subscription_period else None,
            )
            if currency == "XTR":
                source: dict[str, Any] = {
                    "type": "user",
                    "transaction_type": "invoice_payment",
                    "user": user.to_user(),
                    "invoice_payload": payload,
                }
                if subscription_period:
                    source["subscription_period"] = subscription_period
                self.star_ledger.setdefault(target_bot.user_id, []).append(
                    {"id": charge_id, "amount": total_amount, "date": int(self.wall_clock()), "source": source}
                )
        if not deliver:
            return Delivered(None, None, None)
        message = self._new_message(state, user.to_user(), {"successful_payment": payment})
        if state.bot_id is not None:
            user.started_bots.add(target_bot.user_id)
        update_id, update = self._deliver("message", message.snapshot(), target_bot)
        return Delivered(update_id, update, message)

    async def redeliver(self, update_id: int, *, bot: str | None = None) -> None:
        """Queue an identical copy of an earlier update (same update_id), as Telegram may."""
        self.requeue(update_id, bot)

    # -- groups ---------------------------------------------------------------------------------

    async def add_bot_to_group(
        self,
        group: FakeChat,
        by_user: FakeUser,
        status: str = "member",
        *,
        bot: str | None = None,
        **rights: bool,
    ) -> Delivered:
        """by_user adds the bot (status "member" or "administrator"): my_chat_member + new_chat_members."""
        target_bot = self.bot(bot)
        old = group.status_of(target_bot.user_id)
        group.set_bot_status(status, target_bot.token, **rights)
        new = group.status_of(target_bot.user_id)
        payload = chat_member_updated(
            group.to_chat(),
            by_user.to_user(),
            int(self.wall_clock()),
            chat_member(target_bot.to_user(), old),
            chat_member(target_bot.to_user(), new),
        )
        update_id, update = self._deliver("my_chat_member", payload, target_bot)
        message = self._service_message(group, by_user.to_user(), {"new_chat_members": [target_bot.to_user()]})
        return Delivered(update_id, update, message)

    async def remove_bot_from_group(
        self, group: FakeChat, by_user: FakeUser, status: str = "left", *, bot: str | None = None
    ) -> Delivered:
        """by_user removes the bot (new status "left", or "kicked"): my_chat_member + left_chat_member."""
        target_bot = self.bot(bot)
        old = group.status_of(target_bot.user_id)
        group.members[target_bot.user_id] = Membership(status)
        payload = chat_member_updated(
            group.to_chat(),
            by_user.to_user(),
            int(self.wall_clock()),
            chat_member(target_bot.to_user(), old),
            chat_member(target_bot.to_user(), Membership(status)),
        )
        update_id, update = self._deliver("my_chat_member", payload, target_bot)
        message = self._service_message(group, by_user.to_user(), {"left_chat_member": target_bot.to_user()})
        return Delivered(update_id, update, message)

    async def join_group(self, user: FakeUser, group: FakeChat) -> Delivered:
        """The user joins: chat_member (to admin bots) and the new_chat_members service message."""
        old = group.status_of(user.id)
        group.add_member(user)
        self._membership_changed(group, user.to_user(), user.id, old, group.status_of(user.id))
        message = self._service_message(group, user.to_user(), {"new_chat_members": [user.to_user()]})
        return Delivered(None, None, message)

    async def leave_group(self, user: FakeUser, group: FakeChat) -> Delivered:
        old = group.status_of(user.id)
        group.remove_member(user)
        self._membership_changed(group, user.to_user(), user.id, old, group.status_of(user.id))
        message = self._service_message(group, user.to_user(), {"left_chat_member": user.to_user()})
        return Delivered(None, None, message)

    async def join_request(
        self, user: FakeUser, group: FakeChat, invite_link: str | None = None, *, bio: str | None = None
    ) -> Delivered:
        """A chat_join_request, delivered to the bots that are admins with can_invite_users."""
        payload: dict[str, Any] = {
            "chat": group.to_chat(),
            "from": user.to_user(),
            "user_chat_id": user.id,
            "date": int(self.wall_clock()),
        }
        if bio:
            payload["bio"] = bio
        if invite_link is not None:
            link = group.invite_links.get(invite_link)
            if link is None:
                raise LookupError(f"invite link {invite_link!r} was not created in {group!r}")
            payload["invite_link"] = dict(link)
        group.join_requests[user.id] = payload
        first: tuple[int, dict[str, Any]] | None = None
        for receiver in self.bots.values():
            if group.right(receiver.user_id, "can_invite_users"):
                delivered = self._deliver("chat_join_request", payload, receiver)
                first = first or delivered
        return Delivered(first[0] if first else None, first[1] if first else None)

    async def user_blocks_bot(self, user: FakeUser, *, bot: str | None = None) -> Delivered:
        """Block the bot and deliver the my_chat_member update Telegram sends for it."""
        return await self._private_status(user, bot, blocked=True)

    async def user_unblocks_bot(self, user: FakeUser, *, bot: str | None = None) -> Delivered:
        return await self._private_status(user, bot, blocked=False)

    async def _private_status(self, user: FakeUser, bot: str | None, blocked: bool) -> Delivered:
        target_bot = self.bot(bot)
        (user.blocked_bots.add if blocked else user.blocked_bots.discard)(target_bot.user_id)
        old, new = Membership("member"), Membership("kicked")
        if not blocked:
            old, new = new, old
        payload = chat_member_updated(
            user.to_private_chat(),
            user.to_user(),
            int(self.wall_clock()),
            chat_member(target_bot.to_user(), old),
            chat_member(target_bot.to_user(), new),
        )
        update_id, update = self._deliver("my_chat_member", payload, target_bot)
        return Delivered(update_id, update)

    # -- readers --------------------------------------------------------------------------------

    def _state_for(self, chat: ChatRef, bot: FakeBot) -> ChatState | None:
        if isinstance(chat, FakeChat):
            return chat
        chat_id = chat.id if isinstance(chat, FakeUser) else chat
        if chat_id in self.groups:
            return self.groups[chat_id]
        return self.private_chats.get((bot.user_id, chat_id))

    def messages(self, chat: ChatRef, *, bot: str | None = None, include_deleted: bool = False) -> list[StoredMessage]:
        """Every message in the chat (users' and bots'), in order; private chats are the bot's."""
        state = self._state_for(chat, self.bot(bot))
        if state is None:
            return []
        return [m for m in state if include_deleted or not m.deleted]

    def sent(self, chat: ChatRef, *, bot: str | None = None, include_deleted: bool = False) -> list[StoredMessage]:
        """Messages the bot sent to the chat, in order, in their current (edited) state."""
        bot_id = self.bot(bot).user_id
        return [m for m in self.messages(chat, bot=bot, include_deleted=include_deleted) if m.sender_bot_id == bot_id]

    def last(self, chat: ChatRef, *, bot: str | None = None) -> StoredMessage | None:
        found = self.sent(chat, bot=bot)
        return found[-1] if found else None

    def message(self, chat: ChatRef, message_id: int, *, bot: str | None = None) -> StoredMessage | None:
        state = self._state_for(chat, self.bot(bot))
        return state.messages.get(message_id) if state is not None else None

    def inline_message(self, inline_message_id: str) -> StoredMessage | None:
        return self.inline_messages.get(inline_message_id)

    async def wait_for_sent(
        self,
        chat: ChatRef,
        count: int = 1,
        *,
        timeout: float = 5,
        bot: str | None = None,
    ) -> list[StoredMessage]:
        """Wait until the bot has sent at least `count` messages to the chat; return them all."""
        await self.wait_for(lambda _calls: len(self.sent(chat, bot=bot)) >= count, timeout)
        return self.sent(chat, bot=bot)

    async def settle(self, delay: float = 0.05) -> None:
        """Let the bot's pending requests reach the fake (a short sleep)."""
        await asyncio.sleep(delay)
