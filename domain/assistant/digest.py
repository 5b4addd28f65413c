"""The moderator's daily digest of a group: questions left unanswered, complaints and the tone, products people
mention, and spam or scam links, with links to the messages. No model is needed: plain rules read the messages.

Off by default; a group's admins (Telegram says who, asked at the time) switch it on or off, and the group is
told. Only while it is on are the group's messages kept, and each only for the retention window; turning it off
deletes them at once. A job sends each group's digest once a day (one outbox notice keyed by group and day,
with the day marked in the same transaction), and a process that was down sends the missed one when it starts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.actors import Actor
from domain.assistant.ports import DigestGroup, KeptMessage
from domain.errors import ErrorCode
from domain.notices import Notice, NoticeParams
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.shop.products import Product

DIGEST_NOTICE = "assistant.digest"
DIGEST_SWITCHED = "assistant.digest_switched"
MAX_LINES = 5  # per section
QUOTE = 80


class DigestError(ErrorCode):
    ADMINS_ONLY = "digest.admins_only"


async def switch(uow: UnitOfWork, now: datetime, chat_id: int, actor: Actor, enabled: bool) -> DigestGroup:
    """Only the group's admins switch its digest; off deletes whatever was kept. The group is told."""
    actor.require_group_admin(chat_id, refusal=DigestError.ADMINS_ONLY)
    group = await uow.digests.switch(chat_id, enabled, actor.user_id, now, now.date())
    if not enabled:
        await uow.digests.forget_group(chat_id)
    return group


async def is_on(uow: UnitOfWork, chat_id: int) -> bool:
    group = await uow.digests.get(chat_id)
    return group is not None and group.enabled


async def keep(uow: UnitOfWork, message: KeptMessage) -> bool:
    """Keep a group message for the digest, only while the group's digest is on."""
    group = await uow.digests.get(message.chat_id)
    if group is None or not group.enabled:
        return False
    return await uow.digests.keep(message)


async def forget_old_messages(uow: UnitOfWork, now: datetime, retention: timedelta) -> int:
    return await uow.digests.prune(now - retention)


async def send_due(uow_factory: UnitOfWorkFactory, now: datetime, hour: int) -> int:
    """Queue today's digest of every group that has not had it, from `hour` (UTC) on; once per group and day."""
    if now.hour < hour:
        return 0
    today = now.date()
    async with uow_factory() as uow:
        due = await uow.digests.due(today)
    sent = 0
    for group in due:
        async with uow_factory() as uow:
            if not await uow.digests.mark_digested(group.chat_id, today):
                continue  # another run took it
            messages = await uow.digests.messages(group.chat_id, covered_since(group, hour))
            products = await uow.products.list_all()
            params = compose(group.chat_id, messages, products, today)
            notice = Notice(
                key=f"{DIGEST_NOTICE}:{group.chat_id}:{today.isoformat()}",
                chat_id=group.moderator_id,
                kind=DIGEST_NOTICE,
                params=params,
            )
            await uow.outbox.enqueue(notice, now)
            await uow.commit()
            sent += 1
    return sent


def covered_since(group: DigestGroup, hour: int) -> datetime:
    """A digest covers what was said since the previous one was due (after downtime, the days missed too).
    Nothing from before the digest was switched on is kept, so nothing older can slip in."""
    if group.last_digest_day is None:
        return group.changed_at - timedelta(days=1)
    return datetime.combine(group.last_digest_day, time(hour), tzinfo=UTC)


# -- reading the messages -------------------------------------------------------------------------------
_URL = re.compile(r"(?:https?://|www\.|t\.me/)[^\s<>\"']+", re.IGNORECASE)
_QUESTION_START = re.compile(
    r"^(?:who|what|when|where|why|how|which|does|do|did|is|are|can|could|will|would|should|anyone|any)\b", re.I
)
NEGATIVE = (
    "broken", "cracked", "damaged", "refund", "never arrived", "not arrived", "late", "terrible", "awful",
    "disappointed", "disappointing", "worst", "angry", "scam", "fake", "rude", "complaint", "wrong item",
    "坏了", "破损", "退款", "没收到", "太慢", "失望", "垃圾", "骗", "投诉", "差评", "生气",
)  # fmt: skip
POSITIVE = ("love", "great", "thanks", "thank you", "beautiful", "perfect", "happy", "谢谢", "喜欢", "好看", "满意")
SCAM_WORDS = (
    "airdrop", "crypto", "usdt", "bitcoin", "free money", "investment", "double your", "giveaway", "dm me",
    "wallet", "空投", "投资", "返利", "免费领取", "加我", "私聊我",
)  # fmt: skip
SHORTENERS = ("bit.ly", "tinyurl.com", "t.co/", "goo.gl", "is.gd", "cutt.ly", "rb.gy")


@dataclass(frozen=True, slots=True)
class _Read:
    message: KeptMessage
    lowered: str


def message_link(chat_id: int, message_id: int) -> str:
    """A link to a supergroup's message (t.me/c/…); a basic group's messages have none, so their number."""
    text = str(chat_id)
    if text.startswith("-100"):
        return f"https://t.me/c/{text[4:]}/{message_id}"
    return f"#{message_id}"


def is_question(text: str) -> bool:
    stripped = text.strip()
    return (
        "?" in stripped or "？" in stripped or stripped.endswith(("吗", "呢")) or bool(_QUESTION_START.match(stripped))
    )


def _count(lowered: str, words: Sequence[str]) -> int:
    return sum(1 for w in words if w in lowered)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE else flat[: QUOTE - 1] + "…"


def compose(chat_id: int, messages: Sequence[KeptMessage], products: Sequence[Product], day: date) -> NoticeParams:
    read = [_Read(m, m.text.lower()) for m in messages]
    authors = {m.message_id: m.user_id for m in messages}
    answered_by_other = {
        m.reply_to for m in messages if m.reply_to is not None and authors.get(m.reply_to) not in (None, m.user_id)
    }
    questions = [
        r.message
        for r in read
        if is_question(r.message.text) and r.message.message_id not in answered_by_other and not _URL.search(r.lowered)
    ]
    complaints = [(r.message, _count(r.lowered, NEGATIVE)) for r in read if _count(r.lowered, NEGATIVE)]
    negative = len(complaints)
    positive = sum(1 for r in read if _count(r.lowered, POSITIVE))
    mentions: Counter[str] = Counter()
    for product in products:
        names = {product.sku.lower(), product.title.lower(), " ".join(product.title.lower().split()[:2])}
        names = {n for n in names if len(n) >= 4}
        for r in read:
            if any(name in r.lowered for name in names):
                mentions[product.title] += 1
    links = Counter(url.lower() for r in read for url in _URL.findall(r.message.text))
    suspicious: list[tuple[KeptMessage, str]] = []
    for r in read:
        for url in _URL.findall(r.message.text):
            if _count(r.lowered, SCAM_WORDS) or any(s in url.lower() for s in SHORTENERS) or links[url.lower()] >= 3:
                suspicious.append((r.message, url))
    if not read:
        tone = "quiet"
    elif negative * 3 >= len(read):
        tone = "tense"
    elif negative > positive:
        tone = "mixed"
    else:
        tone = "calm"

    def line(message: KeptMessage, extra: str = "") -> str:
        return f"• {_quote(message.text)}{extra} — {message_link(chat_id, message.message_id)}"

    complaints.sort(key=lambda pair: -pair[1])
    return {
        "chat": chat_id,
        "day": day.isoformat(),
        "messages": len(read),
        "tone": tone,
        "questions": "\n".join(line(m) for m in questions[-MAX_LINES:]),
        "question_count": len(questions),
        "complaints": "\n".join(line(m, " (" + ("!" * min(n, 3)) + ")") for m, n in complaints[:MAX_LINES]),
        "complaint_count": negative,
        "products": "\n".join(f"• {title} ×{n}" for title, n in mentions.most_common(MAX_LINES)),
        "links": "\n".join(line(m, f" [{_quote(url)}]") for m, url in suspicious[:MAX_LINES]),
        "link_count": len(suspicious),
    }
