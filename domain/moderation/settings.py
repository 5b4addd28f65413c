"""A community's settings, changed by the group's current admins only.

Who is an admin is what Telegram says right before the change (getChatMember, carried by the `Actor`), never
what a message or a button claims, and never remembered: a member demoted a minute ago is refused. Being the
operator is not enough either: the settings are the group's own.

The outbox honours the quiet hours and the daily cap of announcements (`hold_until`): an announcement to the
group that falls in quiet hours waits until they end, one beyond the day's cap waits until the next day. It
is held back, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.actors import Actor
from domain.community_registry import active_community
from domain.errors import DomainError
from domain.moderation.errors import ModerationError
from domain.moderation.model import MAX_DAILY_CAP, MAX_NOTICE_LENGTH, CommunitySettings, Feature
from domain.notices import Notice
from domain.ports import UnitOfWork

__all__ = ["CommunitySettings", "Feature"]


def defaults(chat_id: int) -> CommunitySettings:
    return CommunitySettings(chat_id)


async def settings_of(uow: UnitOfWork, chat_id: int) -> CommunitySettings:
    """What the group decided (the defaults until it decided anything). Anyone may read them."""
    return await uow.community_settings.get(chat_id) or defaults(chat_id)


async def feature_allowed(uow: UnitOfWork, chat_id: int, feature: Feature) -> bool:
    return (await settings_of(uow, chat_id)).allows(feature)


async def require_feature(uow: UnitOfWork, chat_id: int, feature: Feature) -> None:
    """In a group, refuse a feature its admins turned off (private chats: nothing to refuse)."""
    if chat_id > 0:
        return
    if not await feature_allowed(uow, chat_id, feature):
        raise DomainError(ModerationError.FEATURE_OFF, feature=feature.value)


async def group_language(uow: UnitOfWork, chat_id: int) -> str | None:
    """The language the group's admins chose for its announcements (None: the shop's default)."""
    community = await uow.communities.get(chat_id)
    return community.language if community is not None else None


async def require_shop_open(uow: UnitOfWork, chat_id: int) -> None:
    """The shop answers in a group unless its admins turned it off there (private chats always)."""
    if chat_id < 0 and not (await settings_of(uow, chat_id)).shop_enabled:
        raise DomainError(ModerationError.SHOP_OFF)


async def settings_for_admin(uow: UnitOfWork, chat_id: int, actor: Actor) -> CommunitySettings:
    """The settings menu: for the group's admins only (Telegram says so now)."""
    actor.require_group_admin(chat_id, refusal=ModerationError.ADMINS_ONLY)
    return await settings_of(uow, chat_id)


async def _change(uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, **changes: object) -> CommunitySettings:
    actor.require_group_admin(chat_id, refusal=ModerationError.ADMINS_ONLY)
    await active_community(uow, chat_id)
    current = await settings_of(uow, chat_id)
    changed = replace(current, **changes, updated_by=actor.user_id, updated_at=now)  # type: ignore[arg-type]
    await uow.community_settings.save(changed)
    return changed


async def toggle_shop(uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, enabled: bool) -> CommunitySettings:
    return await _change(uow, now, chat_id, actor, shop_enabled=enabled)


def parse_feature(name: str) -> Feature:
    try:
        return Feature(name)
    except ValueError:
        raise DomainError(ModerationError.UNKNOWN_FEATURE, feature=name) from None


async def toggle_feature(
    uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, feature_name: str, allowed: bool
) -> CommunitySettings:
    """Allow or turn off a feature named as a button carries it (anyone can forge the name: admins first)."""
    actor.require_group_admin(chat_id, refusal=ModerationError.ADMINS_ONLY)
    feature = parse_feature(feature_name)
    current = await settings_of(uow, chat_id)
    disabled = current.disabled - {feature} if allowed else current.disabled | {feature}
    return await _change(uow, now, chat_id, actor, disabled=frozenset(disabled))


async def set_language(
    uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, language: str | None, supported: tuple[str, ...]
) -> CommunitySettings:
    """The language of the bot's announcements in the group; None: the shop's default."""
    actor.require_group_admin(chat_id, refusal=ModerationError.ADMINS_ONLY)
    if language is not None and language not in supported:
        raise DomainError(ModerationError.BAD_LANGUAGE, language=language, supported=", ".join(supported))
    settings = await _change(uow, now, chat_id, actor)
    community = await uow.communities.get(chat_id)
    if community is not None:
        await uow.communities.save(replace(community, language=language))
    return settings


async def set_quiet_hours(
    uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, start: int | None, end: int | None
) -> CommunitySettings:
    """Quiet hours from `start` to `end` o'clock in the group's time zone (both None: none)."""
    if (start is None) != (end is None) or any(h is not None and not 0 <= h <= 23 for h in (start, end)):
        raise DomainError(ModerationError.BAD_HOURS)
    if start is not None and start == end:
        raise DomainError(ModerationError.BAD_HOURS)
    return await _change(uow, now, chat_id, actor, quiet_start=start, quiet_end=end)


async def set_daily_cap(
    uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, cap: int | None
) -> CommunitySettings:
    if cap is not None and not 1 <= cap <= MAX_DAILY_CAP:
        raise DomainError(ModerationError.BAD_CAP, max=MAX_DAILY_CAP)
    return await _change(uow, now, chat_id, actor, daily_cap=cap)


async def set_timezone(uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, name: str) -> CommunitySettings:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(ModerationError.BAD_TIMEZONE, timezone=name) from None
    return await _change(uow, now, chat_id, actor, timezone=name)


async def set_risk_notice(
    uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, text: str | None
) -> CommunitySettings:
    """The group's own risk notice before group buys and referral rewards; None: back to the default text."""
    if text is not None:
        text = text.strip()
        if not text or len(text) > MAX_NOTICE_LENGTH:
            raise DomainError(ModerationError.BAD_NOTICE, max=MAX_NOTICE_LENGTH)
    return await _change(uow, now, chat_id, actor, risk_notice=text)


def is_announcement(notice: Notice) -> bool:
    """A new message the bot posts to a group on its own: what quiet hours and the daily cap hold back. Edits
    of a message already posted and payment answers (keyed `pay:`) are not: they answer what a member did."""
    return notice.chat_id < 0 and notice.edit_message_id is None and not notice.key.startswith("pay:")


async def groups_with_rules(uow: UnitOfWork, notices: Sequence[Notice]) -> dict[int, CommunitySettings]:
    """For the outbox, in the transaction that claims a batch: the settings of the groups among these
    announcements that set quiet hours or a daily cap (the others never hold anything back)."""
    chats = [n.chat_id for n in notices if is_announcement(n)]
    found = await uow.community_settings.for_chats(chats)
    return {chat: s for chat, s in found.items() if s.daily_cap is not None or s.quiet_start is not None}


async def announcement_hold(uow: UnitOfWork, settings: CommunitySettings, now: datetime) -> datetime | None:
    """Until when an announcement to the group due `now` waits (None: send it now): its quiet hours, or its
    daily cap counted against what went out to it since its day began."""
    sent_today = 0
    if settings.daily_cap is not None:
        start, _ = settings.day_bounds(now)
        sent_today = await uow.outbox.count_announcements_sent(settings.chat_id, start, now)
    return settings.hold_until(now, sent_today)
