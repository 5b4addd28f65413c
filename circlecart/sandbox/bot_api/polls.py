"""Polls: sendPoll and stopPoll for bots, and people voting in them (`vote`), with the poll and poll_answer
updates Telegram gives the bot that sent the poll."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from .formatting import render
from .scenario import Delivered, Scenario
from .spec import bad_request, utf16_len
from .updates import new_query_id
from .world import FakeBot, FakeChat, FakeUser, StoredMessage


@dataclass
class PollRecord:
    """A poll as Telegram keeps it: the Poll object and who chose what (user id -> option ids)."""

    poll: dict[str, Any]
    bot_id: int
    message: StoredMessage
    votes: dict[int, list[int]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.poll["id"])

    @property
    def closed(self) -> bool:
        return bool(self.poll["is_closed"])

    def snapshot(self) -> dict[str, Any]:
        return {**self.poll, "options": [dict(option) for option in self.poll["options"]]}


class PollVoteRefused(ValueError):
    """A vote Telegram's apps would not let the person cast (closed poll, no revoting, bad options)."""


class Polls(Scenario):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.polls: dict[str, PollRecord] = {}

    # -- bot side -------------------------------------------------------------------------------

    async def _m_sendPoll(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(bot, params["chat_id"])
        question, question_entities = render(
            params["question"], params.get("question_parse_mode"), params.get("question_entities")
        )
        if not question.strip():
            raise bad_request("poll question must be non-empty")
        if utf16_len(question) > 300:
            raise bad_request("poll question length must not exceed 300")
        options = params["options"]
        if not 1 <= len(options) <= 12:
            raise bad_request("poll must have 1-12 options")
        kind = params.get("type") or "regular"
        if kind not in {"regular", "quiz"}:
            raise bad_request("poll type is invalid")
        built = []
        for option in options:
            text, _ = render(option["text"], option.get("text_parse_mode"), option.get("text_entities"))
            if not text.strip() or utf16_len(text) > 100:
                raise bad_request("poll options length must not exceed 100")
            built.append({"persistent_id": secrets.token_hex(4), "text": text, "voter_count": 0})
        if len({option["text"] for option in built}) != len(built):
            raise bad_request("poll options must be unique")
        poll: dict[str, Any] = {
            "id": new_query_id(),
            "question": question,
            "options": built,
            "total_voter_count": 0,
            "is_closed": bool(params.get("is_closed")),
            "is_anonymous": params.get("is_anonymous", True) is not False,
            "type": kind,
            "allows_multiple_answers": bool(params.get("allows_multiple_answers")),
            # The spec's default: a regular poll's vote may be changed, a quiz answer may not.
            "allows_revoting": bool(params.get("allows_revoting", kind == "regular")),
            "members_only": bool(params.get("members_only")),
        }
        # Telegram shows only custom emoji in a question; other markup is dropped.
        custom = [e for e in question_entities or [] if e.get("type") == "custom_emoji"]
        if custom:
            poll["question_entities"] = custom
        if kind == "quiz":
            correct = params.get("correct_option_ids")
            if not correct or any(not 0 <= i < len(built) for i in correct):
                raise bad_request("wrong correct option IDs specified")
            poll["correct_option_ids"] = sorted(set(correct))
            if params.get("explanation"):
                poll["explanation"], _ = render(params["explanation"], params.get("explanation_parse_mode"), None)
        if params.get("open_period"):
            poll["open_period"] = int(params["open_period"])
            poll["close_date"] = int(self.wall_clock()) + poll["open_period"]
        elif params.get("close_date"):
            poll["close_date"] = int(params["close_date"])
        if params.get("description"):
            poll["description"], _ = render(params["description"], params.get("description_parse_mode"), None)
        sent = self._bot_send(bot, params, {"poll": poll}, chat=chat)
        message = chat.get(sent["message_id"])
        assert message is not None
        self.polls[poll["id"]] = PollRecord(poll, bot.user_id, message)
        return sent

    async def _m_stopPoll(self, bot: FakeBot, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._find_chat(bot, params["chat_id"])
        message = chat.get(params["message_id"])
        if message is None or message.deleted or "poll" not in message.data:
            raise bad_request("message with poll to stop not found")
        record = self.polls[message.data["poll"]["id"]]
        if record.bot_id != bot.user_id:
            raise bad_request("message can't be edited")
        if record.closed:
            raise bad_request("poll has already been closed")
        record.poll["is_closed"] = True
        if params.get("reply_markup") is not None:
            message.data["reply_markup"] = params["reply_markup"]
        self._poll_changed(record)
        return record.snapshot()

    # -- people ---------------------------------------------------------------------------------

    def poll_of(self, message: StoredMessage) -> PollRecord | None:
        poll = message.data.get("poll")
        return self.polls.get(poll["id"]) if poll else None

    def vote_of(self, message: StoredMessage, user: FakeUser) -> list[int]:
        """The options `user` chose in the poll of `message` (empty: none, or no poll)."""
        record = self.poll_of(message)
        return list(record.votes.get(user.id, [])) if record is not None else []

    async def vote(self, user: FakeUser, message: StoredMessage | dict[str, Any], option_ids: list[int]) -> Delivered:
        """`user` chooses `option_ids` in the poll of `message`; [] retracts the vote. The bot that sent the
        poll gets a poll_answer (non-anonymous polls) and a poll update with the new counts."""
        stored = self._resolve_message(message, self.bot())
        record = self.poll_of(stored)
        if record is None or stored.deleted:
            raise LookupError(f"{stored!r} has no poll to vote in")
        if isinstance(stored.chat, FakeChat):
            if not stored.chat.is_member(user.id):
                raise PollVoteRefused("only members of the chat can vote")
        elif stored.chat.id != user.id:
            raise PollVoteRefused("that poll is in someone else's private chat")
        close_date = record.poll.get("close_date")
        if not record.closed and close_date is not None and self.wall_clock() >= close_date:
            record.poll["is_closed"] = True
            self._poll_changed(record)
        if record.closed:
            raise PollVoteRefused("the poll is closed")
        chosen = list(dict.fromkeys(int(i) for i in option_ids))
        if any(not 0 <= i < len(record.poll["options"]) for i in chosen):
            raise PollVoteRefused(f"no such option among {option_ids!r}")
        if len(chosen) > 1 and not record.poll["allows_multiple_answers"]:
            raise PollVoteRefused("the poll allows one answer")
        before = record.votes.get(user.id, [])
        if before and not record.poll["allows_revoting"]:
            raise PollVoteRefused("the poll does not allow changing a vote")
        if sorted(chosen) == sorted(before):
            return Delivered(None, None, stored)
        for i in before:
            record.poll["options"][i]["voter_count"] -= 1
        for i in chosen:
            record.poll["options"][i]["voter_count"] += 1
        if chosen:
            record.votes[user.id] = sorted(chosen)
        else:
            record.votes.pop(user.id, None)
        record.poll["total_voter_count"] = len(record.votes)
        first: tuple[int, dict[str, Any]] | None = None
        receiver = self.bot_by_id(record.bot_id)
        if receiver is not None and not record.poll["is_anonymous"]:
            options = record.poll["options"]
            answer = {
                "poll_id": record.id,
                "user": user.to_user(),
                "option_ids": sorted(chosen),
                "option_persistent_ids": [options[i]["persistent_id"] for i in sorted(chosen)],
            }
            first = self._deliver("poll_answer", answer, receiver)
        delivered = self._poll_changed(record)
        first = first or delivered
        return Delivered(first[0] if first else None, first[1] if first else None, stored)

    def _poll_changed(self, record: PollRecord) -> tuple[int, dict[str, Any]] | None:
        # The message carries the current counts, as every client shows them; Telegram sends no
        # edited_message for that, only the poll update to the bot that sent the poll.
        record.message.data["poll"] = record.snapshot()
        receiver = self.bot_by_id(record.bot_id)
        if receiver is None:
            return None
        return self._deliver("poll", record.snapshot(), receiver)


__all__ = ["PollRecord", "PollVoteRefused", "Polls"]
