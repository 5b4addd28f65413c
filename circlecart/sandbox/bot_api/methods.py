"""Bot-side Bot API methods with real behaviour against the simulated world."""

from __future__ import annotations

import mimetypes
import secrets
from typing import Any

from .core import FakeTelegramCore
from .formatting import render
from .spec import ApiError, UploadedFile, bad_request, check_invoice_fields, utf16_len
from .updates import chat_member, chat_member_updated, invoice_object, new_query_id, photo_sizes
from .world import (
    ADMIN_RIGHTS,
    CallbackAnswer,
    ChatState,
    FakeBot,
    FakeChat,
    FakeUser,
    InvoiceRecord,
    Membership,
    PreCheckoutAnswer,
    QueryRecord,
    Refund,
    ShippingAnswer,
    StoredMessage,
    new_file_ids,
)

_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


def _forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


class BotMethods(FakeTelegramCore):
    """Implementations of Bot API methods; `_m_<method>` is called with validated parameters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photo_files: dict[str, list[dict[str, Any]]] = {}
        self.photo_contents: dict[str, bytes] = {}  # file_id -> the bytes a bot uploaded (charts), for viewers
        self.document_files: dict[str, tuple[dict[str, Any], bytes]] = {}  # file_id -> (Document, content)

    # -- chats ----------------------------------------------------------------------------------

    def private_chat(self, bot: FakeBot, user: FakeUser) -> ChatState:
        key = (bot.user_id, user.id)
        chat = self.private_chats.get(key)
        if chat is None:
            chat = self.private_chats[key] = ChatState(user.to_private_chat(), bot_id=bot.user_id)
        return chat

    def _find_chat(self, bot: FakeBot, chat_id: int | str) -> ChatState:
        if isinstance(chat_id, str):
            name = chat_id.lstrip("@").lower()
            for group in self.groups.values():
                if group.username and group.username.lower() == name:
                    return group
            raise bad_request("chat not found")
        if chat_id in self.groups:
            return self.groups[chat_id]
        user = self.users.get(chat_id)
        if user is not None:
            return self.private_chat(bot, user)
        if self.bot_by_id(chat_id) is not None:
            raise _forbidden("bot can't send messages to bots")
        raise bad_request("chat not found")

    def _chat_for_send(self, bot: FakeBot, chat_id: int | str) -> ChatState:
        chat = self._find_chat(bot, chat_id)
        if isinstance(chat, FakeChat):
            status = chat.status_of(bot.user_id).status
            kind = "supergroup chat" if chat.type == "supergroup" else f"{chat.type} chat"
            if status == "kicked":
                raise _forbidden(f"bot was kicked from the {kind}")
            if status == "left":
                raise _forbidden(f"bot is not a member of the {kind}")
            return chat
        user = self.users[chat.id]
        if bot.user_id in user.blocked_bots:
            raise _forbidden("bot was blocked by the user")
        pending_request = any(user.id in g.join_requests for g in self.groups.values())
        if bot.user_id not in user.started_bots and not pending_request:
            raise _forbidden("bot can't initiate conversation with a user")
        return chat

    def _group(self, bot: FakeBot, chat_id: int | str) -> FakeChat:
        chat = self._find_chat(bot, chat_id)
        if not isinstance(chat, FakeChat):
            raise bad_request("method is available only for supergroups and channel")
        return chat

    def _user_json(self, user_id: int) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is not None:
            return user.to_user()
        bot = self.bot_by_id(user_id)
        if bot is not None:
            return bot.to_user()
        raise bad_request("user not found")

    # -- building messages ----------------------------------------------------------------------

    def _new_message(
        self,
        chat: ChatState,
        sender: dict[str, Any],
        content: dict[str, Any],
        reply_markup: dict[str, Any] | None = None,
        sender_bot_id: int | None = None,
        sent_params: dict[str, Any] | None = None,
    ) -> StoredMessage:
        data: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "from": sender,
            "chat": dict(chat.chat_json),
            "date": int(self.wall_clock()),
            **content,
        }
        reply_keyboard = None
        if reply_markup is not None:
            if "inline_keyboard" in reply_markup:
                data["reply_markup"] = reply_markup
            else:
                reply_keyboard = reply_markup
        message = StoredMessage(
            chat=chat,
            data=data,
            sender_bot_id=sender_bot_id,
            sent_params=dict(sent_params or {}),
            reply_keyboard=reply_keyboard,
            sent_at=self.clock(),
        )
        return chat.add(message)

    def _reply_content(self, bot: FakeBot, chat: ChatState, params: dict[str, Any]) -> dict[str, Any]:
        reply = params.get("reply_parameters")
        if not reply:
            return {}
        target_chat = chat
        if reply.get("chat_id") is not None and reply["chat_id"] != chat.id:
            target_chat = self._find_chat(bot, reply["chat_id"])
        target = target_chat.get(reply["message_id"])
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return {}
            raise bad_request("message to be replied not found")
        nested = {k: v for k, v in target.data.items() if k != "reply_to_message"}
        return {"reply_to_message": nested}

    def _bot_send(
        self, bot: FakeBot, params: dict[str, Any], content: dict[str, Any], chat: ChatState | None = None
    ) -> dict[str, Any]:
        chat = chat or self._chat_for_send(bot, params["chat_id"])
        reply = self._reply_content(bot, chat, params)
        if params.get("protect_content"):
            content["has_protected_content"] = True
        message = self._new_message(
            chat, bot.to_user(), {**reply, **content}, params.get("reply_markup"), bot.user_id, params
        )
        return message.snapshot()

    @staticmethod
    def _text_content(
        text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None, kind: str = "text"
    ) -> dict[str, Any]:
        plain, found = render(text, parse_mode, entities)
        if kind == "text":
            if not plain.strip():
                raise bad_request("message text is empty")
            if utf16_len(plain) > 4096:
                raise bad_request("message is too long")
            content: dict[str, Any] = {"text": plain}
            if found:
                content["entities"] = found
            return content
        if utf16_len(plain) > 1024:
            raise bad_request("message caption is too long")
        content = {"caption": plain} if plain else {}
        if found:
            content["caption_entities"] = found
        return content

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("caption") is None:
            return {}
        content = self._text_content(
            params["caption"], params.get("parse_mode"), params.get("caption_entities"), "caption"
        )
        if params.get("show_caption_above_media"):
            content["show_caption_above_media"] = True
        return content

    # -- identity -------------------------------------------------------------------------------

    async def _m_getMe(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **bot.to_user(),
            "can_join_groups": bot.can_join_groups,
            "can_read_all_group_messages": bot.can_read_all_group_messages,
            "supports_inline_queries": bot.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # -- sending --------------------------------------------------------------------------------

    async def _m_sendMessage(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        content = self._text_content(params["text"], params.get("parse_mode"), params.get("entities"))
        if params.get("link_preview_options"):
            content["link_preview_options"] = params["link_preview_options"]
        return self._bot_send(bot, params, content)

    def _photo_for(self, photo: Any) -> list[dict[str, Any]]:
        if isinstance(photo, str) and photo in self.photo_files:
            return self.photo_files[photo]
        if isinstance(photo, str) and not photo.startswith(("http://", "https://", "attach://")):
            # A file_id the fake never issued: Telegram answers this way.
            raise bad_request("wrong file identifier/HTTP URL specified")
        if isinstance(photo, UploadedFile) and not photo.content:
            raise bad_request("file must be non-empty")
        file_id, unique_id = new_file_ids()
        sizes = photo_sizes(file_id, unique_id)
        for size in sizes:
            self.photo_files[size["file_id"]] = sizes
            if isinstance(photo, UploadedFile):
                self.photo_contents[size["file_id"]] = photo.content
        return sizes

    async def _m_sendPhoto(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(bot, params["chat_id"])
        content = {"photo": self._photo_for(params["photo"]), **self._caption(params)}
        if params.get("has_spoiler"):
            content["has_media_spoiler"] = True
        return self._bot_send(bot, params, content, chat)

    def _document_for(self, document: Any) -> dict[str, Any]:
        if isinstance(document, str) and document in self.document_files:
            return dict(self.document_files[document][0])
        if isinstance(document, str) and not document.startswith(("http://", "https://")):
            raise bad_request("wrong file identifier/HTTP URL specified")
        file_id, unique_id = new_file_ids()
        if not isinstance(document, UploadedFile):
            return {"file_id": file_id, "file_unique_id": unique_id}  # fetched from the URL: nothing to keep
        if not document.content:
            raise bad_request("file must be non-empty")
        name = document.filename or "file"
        mime = mimetypes.guess_type(name)[0] or document.content_type
        found = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": name,
            "mime_type": mime,
            "file_size": len(document.content),
        }
        self.document_files[file_id] = (found, document.content)
        return dict(found)

    async def _m_sendDocument(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(bot, params["chat_id"])
        content = {"document": self._document_for(params["document"]), **self._caption(params)}
        return self._bot_send(bot, params, content, chat)

    def keep_document(self, filename: str, content: bytes) -> dict[str, Any]:
        """A document a person sends: kept like an uploaded one, so the bot can fetch it with getFile."""
        return self._document_for(UploadedFile(filename, content, "application/octet-stream"))

    async def _m_getFile(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params["file_id"]
        if file_id not in self.document_files:
            raise bad_request("invalid file_id")
        found, content = self.document_files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": found["file_unique_id"],
            "file_size": len(content),
            "file_path": f"documents/{file_id}",
        }

    def stored_file(self, path: str) -> bytes | None:
        folder, _, file_id = path.partition("/")
        if folder != "documents" or file_id not in self.document_files:
            return None
        return self.document_files[file_id][1]

    def document_content(self, message: StoredMessage) -> bytes:
        """What a member downloads from a document message the bot sent."""
        document = message.data.get("document")
        if document is None or document["file_id"] not in self.document_files:
            raise LookupError(f"message {message.message_id} has no uploaded document")
        return self.document_files[document["file_id"]][1]

    async def _m_sendChatAction(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        if params["action"] not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._chat_for_send(bot, params["chat_id"])
        return True

    async def _m_copyMessage(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        source_chat = self._find_chat(bot, params["from_chat_id"])
        source = source_chat.get(params["message_id"])
        if source is None:
            raise bad_request("message to copy not found")
        content = {
            k: v
            for k, v in source.data.items()
            if k in {"text", "entities", "photo", "caption", "caption_entities", "document", "video", "location"}
        }
        if params.get("caption") is not None:
            content.pop("caption_entities", None)
            content.update(self._caption(params))
        message = self._bot_send(bot, params, content)
        return {"message_id": message["message_id"]}

    async def _generic(self, bot: FakeBot, name: str, params: dict[str, Any]) -> Any:
        if self.spec.returns(name) == ["Message"] and "chat_id" in params:
            content = _generic_content(name, params)
            content.update(self._caption(params))
            return self._bot_send(bot, params, content)
        return True

    # -- editing --------------------------------------------------------------------------------

    def _edit_target(self, bot: FakeBot, params: dict[str, Any]) -> StoredMessage:
        inline_id = params.get("inline_message_id")
        if inline_id is not None:
            message = self.inline_messages.get(inline_id)
            if message is None or message.deleted:
                raise bad_request("message to edit not found")
            via = message.data.get("via_bot", {}).get("id")
            if via != bot.user_id:
                raise bad_request("message can't be edited")
            return message
        if params.get("chat_id") is None:
            raise bad_request('parameter "chat_id" is required')
        if params.get("message_id") is None:
            raise bad_request('parameter "message_id" is required')
        chat = self._find_chat(bot, params["chat_id"])
        message = chat.get(params["message_id"])
        if message is None:
            raise bad_request("message to edit not found")
        if message.sender_bot_id != bot.user_id:
            raise bad_request("message can't be edited")
        return message

    def _apply_edit(
        self, message: StoredMessage, params: dict[str, Any], content: dict[str, Any], drop: tuple[str, ...]
    ) -> Any:
        new_data = {k: v for k, v in message.data.items() if k not in drop and k != "reply_markup"}
        new_data.update(content)
        markup = params.get("reply_markup")
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("only inline keyboards can be used when editing a message")
        if markup:
            new_data["reply_markup"] = markup
        compare = {k: v for k, v in message.data.items() if k != "edit_date"}
        if compare == {k: v for k, v in new_data.items() if k != "edit_date"}:
            raise bad_request(_NOT_MODIFIED)
        if content:
            new_data["edit_date"] = int(self.wall_clock())
        message.history.append(message.snapshot())
        message.data = new_data
        return True if params.get("inline_message_id") else message.snapshot()

    async def _m_editMessageText(self, bot: FakeBot, params: dict[str, Any]) -> Any:
        message = self._edit_target(bot, params)
        if "text" not in message.data:
            raise bad_request("there is no text in the message to edit")
        content = self._text_content(params["text"], params.get("parse_mode"), params.get("entities"))
        if params.get("link_preview_options"):
            content["link_preview_options"] = params["link_preview_options"]
        return self._apply_edit(message, params, content, ("text", "entities", "link_preview_options"))

    async def _m_editMessageCaption(self, bot: FakeBot, params: dict[str, Any]) -> Any:
        message = self._edit_target(bot, params)
        if "text" in message.data or "invoice" in message.data:
            raise bad_request("there is no caption in the message to edit")
        content = self._caption({**params, "caption": params.get("caption") or ""})
        return self._apply_edit(message, params, content, ("caption", "caption_entities", "show_caption_above_media"))

    async def _m_editMessageReplyMarkup(self, bot: FakeBot, params: dict[str, Any]) -> Any:
        message = self._edit_target(bot, params)
        return self._apply_edit(message, params, {}, ())

    async def _m_deleteMessage(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        chat = self._find_chat(bot, params["chat_id"])
        message = chat.get(params["message_id"])
        if message is None:
            raise bad_request("message to delete not found")
        if isinstance(chat, FakeChat) and message.sender_bot_id != bot.user_id:
            if not chat.right(bot.user_id, "can_delete_messages"):
                raise bad_request("message can't be deleted")
        message.deleted = True
        return True

    async def _m_deleteMessages(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        chat = self._find_chat(bot, params["chat_id"])
        if not 1 <= len(params["message_ids"]) <= 100:
            raise bad_request("message_ids must contain 1-100 identifiers")
        for message_id in params["message_ids"]:
            message = chat.get(message_id)
            if message is not None:
                message.deleted = True
        return True

    # -- queries --------------------------------------------------------------------------------

    def _open_query(self, bot: FakeBot, query_id: str, kind: str) -> QueryRecord:
        record = self.queries.get(query_id)
        if record is None or record.kind != kind or record.bot_id != bot.user_id or record.answered:
            raise bad_request(_QUERY_INVALID)
        return record

    async def _m_answerCallbackQuery(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        record = self._open_query(bot, params["callback_query_id"], "callback")
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG: callback answer text must be at most 200 characters")
        answer = CallbackAnswer(text, bool(params.get("show_alert")), params.get("url"), params.get("cache_time"))
        record.record_answer(answer, self.clock())
        return True

    async def _m_answerInlineQuery(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        record = self._open_query(bot, params["inline_query_id"], "inline")
        results = params["results"]
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH: at most 50 results are allowed per query")
        ids = [r["id"] for r in results]
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        for result in results:
            if result["type"] == "article" and "input_message_content" not in result:
                raise bad_request('parameter "results": field "input_message_content" is required')
        record.record_answer(dict(params), self.clock())
        return True

    # -- payments -------------------------------------------------------------------------------

    async def _m_sendInvoice(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        check_invoice_fields(params)
        markup = params.get("reply_markup")
        if markup and markup.get("inline_keyboard"):
            rows = markup["inline_keyboard"]
            if not rows[0] or not rows[0][0].get("pay"):
                raise bad_request("REPLY_MARKUP_BUY_EMPTY: the first button must be a Pay button")
        chat = self._chat_for_send(bot, params["chat_id"])
        message_json = self._bot_send(bot, params, {"invoice": invoice_object(params)}, chat)
        message = chat.messages[message_json["message_id"]]
        message.invoice = InvoiceRecord(bot.user_id, dict(params), message=message)
        return message_json

    async def _m_createInvoiceLink(self, bot: FakeBot, params: dict[str, Any]) -> str:
        check_invoice_fields(params)
        link = f"https://t.me/${secrets.token_urlsafe(12)}"
        self.invoice_links[link] = InvoiceRecord(bot.user_id, dict(params), link=link)
        return link

    async def _m_answerPreCheckoutQuery(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        record = self._open_query(bot, params["pre_checkout_query_id"], "pre_checkout")
        if self.clock() - record.created_at > self.pre_checkout_timeout:
            raise bad_request(_QUERY_INVALID)
        if not params["ok"] and not params.get("error_message"):
            raise bad_request("ERROR_MESSAGE_EMPTY: error_message is required when ok is false")
        record.record_answer(PreCheckoutAnswer(bool(params["ok"]), params.get("error_message")), self.clock())
        return True

    async def _m_answerShippingQuery(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        record = self._open_query(bot, params["shipping_query_id"], "shipping")
        if self.clock() - record.created_at > self.pre_checkout_timeout:
            raise bad_request(_QUERY_INVALID)
        options = list(params.get("shipping_options") or [])
        if params["ok"] and not options:
            raise bad_request("SHIPPING_OPTIONS_EMPTY: shipping_options are required when ok is true")
        if not params["ok"] and not params.get("error_message"):
            raise bad_request("ERROR_MESSAGE_EMPTY: error_message is required when ok is false")
        for option in options:
            if not option.get("id") or not option.get("prices"):
                raise bad_request("SHIPPING_OPTION_INVALID: each option needs an id and prices")
        record.record_answer(ShippingAnswer(bool(params["ok"]), options, params.get("error_message")), self.clock())
        return True

    def _charge_for(self, bot: FakeBot, params: dict[str, Any]) -> Any:
        charge = self.charges.get(params["telegram_payment_charge_id"])
        if charge is None or charge.user_id != params["user_id"] or charge.bot_id != bot.user_id:
            raise bad_request("CHARGE_NOT_FOUND")
        return charge

    async def _m_refundStarPayment(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        charge = self._charge_for(bot, params)
        if charge.refunded:
            raise bad_request("CHARGE_ALREADY_REFUNDED")
        charge.refunded = True
        self.refunds.append(
            Refund(charge.user_id, charge.charge_id, charge.currency, charge.total_amount, charge.payload)
        )
        if charge.currency == "XTR":
            user = self.users[charge.user_id]
            self.star_ledger.setdefault(bot.user_id, []).append(
                {
                    "id": f"refund-{charge.charge_id}",
                    "amount": charge.total_amount,
                    "date": int(self.wall_clock()),
                    "receiver": {"type": "user", "transaction_type": "invoice_payment", "user": user.to_user()},
                }
            )
        return True

    async def _m_getStarTransactions(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        offset = max(int(params.get("offset") or 0), 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        return {"transactions": self.star_ledger.get(bot.user_id, [])[offset : offset + limit]}

    async def _m_editUserStarSubscription(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        charge = self._charge_for(bot, params)
        if charge.subscription_canceled is None:
            raise bad_request("CHARGE_NOT_FOUND: the charge is not a subscription")
        if charge.subscription_canceled == params["is_canceled"]:
            raise bad_request("SUBSCRIPTION_NOT_MODIFIED")
        charge.subscription_canceled = params["is_canceled"]
        return True

    # -- bot profile ----------------------------------------------------------------------------

    def _scope_key(self, bot: FakeBot, params: dict[str, Any]) -> tuple[int, str, int | None, int | None, str]:
        scope = params.get("scope") or {"type": "default"}
        language = params.get("language_code") or ""
        if language and (len(language) != 2 or not language.isalpha()):
            raise bad_request("invalid language code specified")
        chat_id = scope.get("chat_id")
        if chat_id is not None:
            chat = self._find_chat(bot, chat_id)
            chat_id = chat.id
            if scope["type"] in {"chat_administrators", "chat_member"} and not isinstance(chat, FakeChat):
                raise bad_request("can't change commands in private chats")
        return bot.user_id, scope["type"], chat_id, scope.get("user_id"), language

    async def _m_setMyCommands(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands: at most 100 are allowed")
        key = self._scope_key(bot, params)
        if commands:
            self.bot_commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        else:
            self.bot_commands.pop(key, None)
        return True

    async def _m_getMyCommands(self, bot: FakeBot, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.bot_commands.get(self._scope_key(bot, params), []))

    async def _m_deleteMyCommands(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        self.bot_commands.pop(self._scope_key(bot, params), None)
        return True

    def _set_text(self, bot: FakeBot, params: dict[str, Any], kind: str, limit: int) -> bool:
        value = params.get(kind) or ""
        if len(value) > limit:
            raise bad_request(f"{kind} is too long: at most {limit} characters")
        key = (bot.user_id, kind, params.get("language_code") or "")
        if value:
            self.bot_texts[key] = value
        else:
            self.bot_texts.pop(key, None)
        return True

    async def _m_setMyDescription(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        return self._set_text(bot, params, "description", 512)

    async def _m_setMyShortDescription(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        return self._set_text(bot, params, "short_description", 120)

    async def _m_setMyName(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        return self._set_text(bot, params, "name", 64)

    def _get_text(self, bot: FakeBot, params: dict[str, Any], kind: str, default: str = "") -> dict[str, str]:
        language = params.get("language_code") or ""
        value = self.bot_texts.get((bot.user_id, kind, language)) or self.bot_texts.get((bot.user_id, kind, ""))
        return {kind: value or default}

    async def _m_getMyDescription(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, str]:
        return self._get_text(bot, params, "description")

    async def _m_getMyShortDescription(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, str]:
        return self._get_text(bot, params, "short_description")

    async def _m_getMyName(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, str]:
        return self._get_text(bot, params, "name", bot.first_name)

    async def _m_setChatMenuButton(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            chat = self._find_chat(bot, chat_id)
            if isinstance(chat, FakeChat):
                raise bad_request("menu button can be changed only in private chats")
        self.menu_buttons[(bot.user_id, chat_id)] = params.get("menu_button") or {"type": "default"}
        return True

    async def _m_getChatMenuButton(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        found = self.menu_buttons.get((bot.user_id, chat_id)) or self.menu_buttons.get((bot.user_id, None))
        return found or {"type": "commands"}

    # -- chats and members ----------------------------------------------------------------------

    async def _m_getChat(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._find_chat(bot, params["chat_id"])
        info: dict[str, Any] = {
            **chat.chat_json,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if isinstance(chat, FakeChat):
            if chat.description:
                info["description"] = chat.description
            info["permissions"] = {"can_send_messages": True, "can_invite_users": True}
            primary = next((link for link in chat.invite_links.values() if link.get("is_primary")), None)
            if primary is not None:
                info["invite_link"] = primary["invite_link"]
        return info

    async def _m_getChatMember(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._find_chat(bot, params["chat_id"])
        user_json = self._user_json(params["user_id"])
        if isinstance(chat, FakeChat):
            return chat_member(user_json, chat.status_of(params["user_id"]))
        if params["user_id"] not in {chat.id, bot.user_id}:
            raise bad_request("user not found")
        return chat_member(user_json, Membership("member"))

    async def _m_getChatAdministrators(self, bot: FakeBot, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._find_chat(bot, params["chat_id"])
        if not isinstance(chat, FakeChat):
            raise bad_request("there are no administrators in the private chat")
        admins = []
        ids = list(chat.members) + [b.user_id for b in self.bots.values() if b.user_id not in chat.members]
        for user_id in ids:
            membership = chat.status_of(user_id)
            if membership.status in {"creator", "administrator"}:
                admins.append(chat_member(self._user_json(user_id), membership))
        return admins

    async def _m_getChatMemberCount(self, bot: FakeBot, params: dict[str, Any]) -> int:
        chat = self._find_chat(bot, params["chat_id"])
        if not isinstance(chat, FakeChat):
            return 2
        ids = set(chat.members) | {b.user_id for b in self.bots.values()}
        return sum(1 for user_id in ids if chat.is_member(user_id))

    def _require_right(self, bot: FakeBot, chat: FakeChat, right: str, text: str) -> None:
        if not chat.right(bot.user_id, right):
            raise bad_request(text)

    async def _m_createChatInviteLink(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._group(bot, params["chat_id"])
        self._require_right(bot, chat, "can_invite_users", "not enough rights to manage chat invite links")
        if params.get("creates_join_request") and params.get("member_limit"):
            raise bad_request("member limit can't be specified for links requiring administrator approval")
        if params.get("name") is not None and len(params["name"]) > 32:
            raise bad_request("invite link name is too long")
        limit = params.get("member_limit")
        if limit is not None and not 1 <= limit <= 99999:
            raise bad_request("member limit must be between 1 and 99999")
        link: dict[str, Any] = {
            "invite_link": f"https://t.me/+{secrets.token_urlsafe(12)}",
            "creator": bot.to_user(),
            "creates_join_request": bool(params.get("creates_join_request")),
            "is_primary": False,
            "is_revoked": False,
        }
        for key in ("name", "expire_date", "member_limit"):
            if params.get(key) is not None:
                link[key] = params[key]
        chat.invite_links[link["invite_link"]] = link
        return dict(link)

    async def _m_exportChatInviteLink(self, bot: FakeBot, params: dict[str, Any]) -> str:
        chat = self._group(bot, params["chat_id"])
        self._require_right(bot, chat, "can_invite_users", "not enough rights to manage chat invite links")
        for link in chat.invite_links.values():
            if link["is_primary"]:
                link["is_revoked"] = True
                link["is_primary"] = False
        url = f"https://t.me/+{secrets.token_urlsafe(12)}"
        chat.invite_links[url] = {
            "invite_link": url,
            "creator": bot.to_user(),
            "creates_join_request": False,
            "is_primary": True,
            "is_revoked": False,
        }
        return url

    def _own_link(self, bot: FakeBot, chat: FakeChat, url: str) -> dict[str, Any]:
        self._require_right(bot, chat, "can_invite_users", "not enough rights to manage chat invite links")
        link = chat.invite_links.get(url)
        if link is None:
            raise bad_request("INVITE_HASH_EXPIRED")
        return link

    async def _m_revokeChatInviteLink(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._group(bot, params["chat_id"])
        link = self._own_link(bot, chat, params["invite_link"])
        link["is_revoked"] = True
        return dict(link)

    async def _m_editChatInviteLink(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._group(bot, params["chat_id"])
        link = self._own_link(bot, chat, params["invite_link"])
        for key in ("name", "expire_date", "member_limit", "creates_join_request"):
            if params.get(key) is not None:
                link[key] = params[key]
        return dict(link)

    def _membership_changed(
        self, chat: FakeChat, actor: dict[str, Any], user_id: int, old: Membership, new: Membership
    ) -> None:
        """Tell every bot in the group about a member's change (chat_member / my_chat_member)."""
        user_json = self._user_json(user_id)
        for other in self.bots.values():
            if not chat.is_member(other.user_id) and other.user_id != user_id:
                continue
            kind = "my_chat_member" if other.user_id == user_id else "chat_member"
            if kind == "chat_member" and not chat.right(other.user_id, "can_manage_chat"):
                continue
            payload = chat_member_updated(
                chat.to_chat(),
                actor,
                int(self.wall_clock()),
                chat_member(user_json, old),
                chat_member(user_json, new),
            )
            self.enqueue(kind, payload, other)

    def _service_message(self, chat: FakeChat, sender: dict[str, Any], content: dict[str, Any]) -> StoredMessage:
        message = self._new_message(chat, sender, content)
        for other in self.bots.values():
            if chat.is_member(other.user_id) or content.get("left_chat_member", {}).get("id") == other.user_id:
                self.enqueue("message", message.snapshot(), other)
        return message

    def _join_request_target(self, bot: FakeBot, params: dict[str, Any]) -> tuple[FakeChat, dict[str, Any]]:
        chat = self._group(bot, params["chat_id"])
        self._require_right(bot, chat, "can_invite_users", "CHAT_ADMIN_REQUIRED")
        request = chat.join_requests.get(params["user_id"])
        if request is None:
            raise bad_request("HIDE_REQUESTER_MISSING")
        return chat, request

    async def _m_approveChatJoinRequest(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        chat, _ = self._join_request_target(bot, params)
        user_id = params["user_id"]
        del chat.join_requests[user_id]
        if chat.is_member(user_id):
            raise bad_request("USER_ALREADY_PARTICIPANT")
        old = chat.status_of(user_id)
        chat.members[user_id] = Membership("member")
        user_json = self._user_json(user_id)
        self._membership_changed(chat, bot.to_user(), user_id, old, chat.members[user_id])
        self._service_message(chat, user_json, {"new_chat_members": [user_json]})
        return True

    async def _m_declineChatJoinRequest(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        chat, _ = self._join_request_target(bot, params)
        del chat.join_requests[params["user_id"]]
        return True

    async def _m_banChatMember(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        chat = self._group(bot, params["chat_id"])
        self._require_right(bot, chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member")
        user_id = params["user_id"]
        self._user_json(user_id)
        old = chat.status_of(user_id)
        if old.status == "creator":
            raise bad_request("can't remove chat owner")
        if old.status == "administrator":
            raise bad_request("user is an administrator of the chat")
        new = Membership("kicked", until_date=int(params.get("until_date") or 0))
        chat.members[user_id] = new
        if old.status != "kicked":
            self._membership_changed(chat, bot.to_user(), user_id, old, new)
        return True

    async def _m_unbanChatMember(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        chat = self._group(bot, params["chat_id"])
        self._require_right(bot, chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member")
        user_id = params["user_id"]
        self._user_json(user_id)
        old = chat.status_of(user_id)
        if old.status == "creator":
            raise bad_request("can't remove chat owner")
        if old.status == "administrator":
            raise bad_request("user is an administrator of the chat")
        if old.status == "kicked" or (not params.get("only_if_banned") and old.status in {"member", "restricted"}):
            # Without only_if_banned, unban guarantees the user is out of the chat (Bot API docs).
            new = Membership("left")
            chat.members[user_id] = new
            self._membership_changed(chat, bot.to_user(), user_id, old, new)
        return True

    async def _m_promoteChatMember(self, bot: FakeBot, params: dict[str, Any]) -> bool:
        chat = self._group(bot, params["chat_id"])
        self._require_right(bot, chat, "can_promote_members", "not enough rights")
        rights = {k: bool(params.get(k)) for k in ADMIN_RIGHTS}
        user_id = params["user_id"]
        old = chat.status_of(user_id)
        new = Membership("administrator", rights) if any(rights.values()) else Membership("member")
        chat.members[user_id] = new
        self._membership_changed(chat, bot.to_user(), user_id, old, new)
        return True


def _generic_content(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """A plausible message body for send methods the fake does not model in detail."""
    file_id, unique_id = new_file_ids()
    file = {"file_id": file_id, "file_unique_id": unique_id}
    kind = name[len("send") :].lower()
    if kind == "document":
        return {"document": file}
    if kind in {"video", "animation"}:
        return {kind: {**file, "width": 640, "height": 360, "duration": 1}}
    if kind in {"audio", "voice"}:
        return {kind: {**file, "duration": 1}}
    if kind == "location":
        return {"location": {"latitude": params["latitude"], "longitude": params["longitude"]}}
    if kind == "contact":
        return {"contact": {"phone_number": params["phone_number"], "first_name": params["first_name"]}}
    if kind == "dice":
        return {"dice": {"emoji": params.get("emoji") or "🎲", "value": 1 + secrets.randbelow(6)}}
    return {}


__all__ = ["BotMethods", "new_query_id"]
