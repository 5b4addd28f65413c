"""Builders for the Bot API objects the fake sends to bots (Update and its parts)."""

from __future__ import annotations

import secrets
from typing import Any

from .world import ADMIN_RIGHTS, Membership

UPDATE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# Telegram's default when allowed_updates was never set (or set to []).
DEFAULT_ALLOWED = frozenset(UPDATE_KINDS) - {"chat_member", "message_reaction", "message_reaction_count"}

_RESTRICTED_DEFAULTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def update_kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def new_query_id() -> str:
    # Telegram query ids are decimal strings of a 64-bit number.
    return str(secrets.randbits(62))


def chat_member(user: dict[str, Any], membership: Membership) -> dict[str, Any]:
    status = membership.status
    data: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        data["is_anonymous"] = False
        if membership.custom_title:
            data["custom_title"] = membership.custom_title
    elif status == "administrator":
        # aiogram 3.31 requires can_send_welcome_messages although the 10.1 spec has no such field.
        data.update({"can_be_edited": False, "is_anonymous": False, "can_send_welcome_messages": False})
        data.update({name: membership.rights.get(name, default) for name, default in ADMIN_RIGHTS.items()})
        if membership.custom_title:
            data["custom_title"] = membership.custom_title
    elif status == "restricted":
        data.update({"is_member": True, "until_date": membership.until_date})
        data.update({name: membership.rights.get(name, False) for name in _RESTRICTED_DEFAULTS})
    elif status == "kicked":
        data["until_date"] = membership.until_date
    return data


def chat_member_updated(
    chat: dict[str, Any],
    actor: dict[str, Any],
    date: int,
    old: dict[str, Any],
    new: dict[str, Any],
    invite_link: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "chat": chat,
        "from": actor,
        "date": date,
        "old_chat_member": old,
        "new_chat_member": new,
    }
    if invite_link is not None:
        data["invite_link"] = invite_link
    return data


def photo_sizes(file_id: str, unique_id: str) -> list[dict[str, Any]]:
    return [
        {
            "file_id": file_id + "-s",
            "file_unique_id": unique_id + "s",
            "width": 90,
            "height": 90,
            "file_size": 1500,
        },
        {"file_id": file_id, "file_unique_id": unique_id, "width": 800, "height": 800, "file_size": 64000},
    ]


def invoice_object(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": params["title"],
        "description": params["description"],
        "start_parameter": params.get("start_parameter") or "",
        "currency": params["currency"],
        "total_amount": sum(int(p["amount"]) for p in params["prices"]),
    }
