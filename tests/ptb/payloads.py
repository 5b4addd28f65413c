"""Bot API update payloads as Telegram sends them (trimmed to what matters)."""

from __future__ import annotations

from typing import Any

BOT_USERNAME = "circlecart_test_bot"
MEI = {"id": 1001, "is_bot": False, "first_name": "Mei", "username": "mei", "language_code": "zh-hans"}
BOT = {"id": 123456, "is_bot": True, "first_name": "CircleCart", "username": BOT_USERNAME}
PRIVATE = {"id": 1001, "type": "private", "first_name": "Mei"}
GROUP = {"id": -1001234, "type": "supergroup", "title": "Tea Lovers"}


def command_message(text: str, chat: dict[str, Any] = GROUP, update_id: int = 10) -> dict[str, Any]:
    head = text.split(maxsplit=1)[0]
    return {
        "update_id": update_id,
        "message": {
            "message_id": 77,
            "date": 1_790_000_000,
            "chat": chat,
            "from": MEI,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(head)}],
        },
    }


def callback_on_inline_message(data: str) -> dict[str, Any]:
    return {
        "update_id": 11,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": MEI,
            "chat_instance": "-52341",
            "inline_message_id": "AAEAAAxyz",
            "data": data,
        },
    }


def callback_on_chat_message(data: str) -> dict[str, Any]:
    return {
        "update_id": 12,
        "callback_query": {
            "id": "99",
            "from": MEI,
            "chat_instance": "-52341",
            "message": {
                "message_id": 500,
                "date": 1_790_000_000,
                "chat": GROUP,
                "from": BOT,
                "text": "Catalog",
            },
            "data": data,
        },
    }


def successful_payment(recurring: bool = True) -> dict[str, Any]:
    paid: dict[str, Any] = {
        "currency": "XTR",
        "total_amount": 250,
        "invoice_payload": "order:42",
        "telegram_payment_charge_id": "stxABC",
        "provider_payment_charge_id": "",
    }
    if recurring:
        paid.update({"is_recurring": True, "subscription_expiration_date": 1_792_592_000, "is_first_recurring": True})
    return {
        "update_id": 13,
        "message": {
            "message_id": 78,
            "date": 1_790_000_000,
            "chat": PRIVATE,
            "from": MEI,
            "successful_payment": paid,
        },
    }


ADMIN_RIGHTS = dict.fromkeys(
    (
        "can_be_edited",
        "is_anonymous",
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
    ),
    False,
)


def member(status: str, user: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"status": status, "user": user}
    if status == "administrator":
        data.update(ADMIN_RIGHTS)
    if status == "kicked":
        data["until_date"] = 0
    return data


def my_chat_member(old: str = "left", new: str = "member") -> dict[str, Any]:
    return {
        "update_id": 14,
        "my_chat_member": {
            "chat": GROUP,
            "from": MEI,
            "date": 1_790_000_000,
            "old_chat_member": member(old, BOT),
            "new_chat_member": member(new, BOT),
        },
    }


def pre_checkout_query() -> dict[str, Any]:
    return {
        "update_id": 15,
        "pre_checkout_query": {
            "id": "pcq-1",
            "from": MEI,
            "currency": "XTR",
            "total_amount": 250,
            "invoice_payload": "order:42",
        },
    }


def chat_join_request() -> dict[str, Any]:
    return {
        "update_id": 16,
        "chat_join_request": {
            "chat": GROUP,
            "from": MEI,
            "user_chat_id": 1001,
            "date": 1_790_000_000,
            "invite_link": {
                "invite_link": "https://t.me/+AbCdEf",
                "creator": BOT,
                "creates_join_request": True,
                "is_primary": False,
                "is_revoked": False,
            },
        },
    }


def inline_query() -> dict[str, Any]:
    return {"update_id": 17, "inline_query": {"id": "iq-1", "from": MEI, "query": "tea", "offset": "20"}}


def chosen_inline_result() -> dict[str, Any]:
    return {
        "update_id": 18,
        "chosen_inline_result": {
            "result_id": "p:3",
            "from": MEI,
            "query": "tea",
            "inline_message_id": "AAEAAAxyz",
        },
    }
