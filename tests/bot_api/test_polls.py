"""Polls a bot sends can be voted in: the bot hears every vote as Telegram tells it (poll_answer, poll)."""

from __future__ import annotations

import pytest
import telegram
from aiogram import Bot as AiogramBot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InputPollOption

from circlecart.sandbox.bot_api import FakeTelegram, PollVoteRefused
from tests.bot_api.fixtures import aiogram_bot, fake_telegram, ptb_bot

__all__ = ["aiogram_bot", "fake_telegram", "ptb_bot"]


async def test_votes_reach_the_bot_as_poll_answer_and_poll_updates_until_the_poll_stops(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot, ptb_bot: telegram.Bot
) -> None:
    group = fake_telegram.group(-1001, "Tea Circle")
    ann, bo = fake_telegram.user(1, "Ann"), fake_telegram.user(2, "Bo")
    group.add_member(ann)
    group.add_member(bo)
    sent = await aiogram_bot.send_poll(
        group.id,
        "Next drop?",
        [InputPollOption(text="Oolong"), InputPollOption(text="Pu-erh"), InputPollOption(text="Matcha")],
        is_anonymous=False,
        allows_multiple_answers=True,
    )
    assert sent.poll is not None and sent.poll.total_voter_count == 0 and not sent.poll.is_closed
    message = fake_telegram.sent(group)[-1]

    await fake_telegram.vote(ann, message, [0, 2])
    await fake_telegram.vote(bo, message, [2])
    # Both frameworks parse what the fake sends; ptb reads the same queue after aiogram's offset.
    updates = await aiogram_bot.get_updates(timeout=0)
    kinds = [u.event_type for u in updates]
    assert kinds == ["poll_answer", "poll", "poll_answer", "poll"]
    first = updates[0].poll_answer
    assert first is not None and first.user is not None and first.user.id == ann.id
    assert (first.poll_id, first.option_ids) == (sent.poll.id, [0, 2])
    last = updates[-1].poll
    assert last is not None
    assert [o.voter_count for o in last.options] == [1, 0, 2] and last.total_voter_count == 2

    await fake_telegram.vote(ann, message, [])  # retracting
    ptb_updates = await ptb_bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    retracted, counted = ptb_updates
    assert retracted.poll_answer is not None and retracted.poll_answer.option_ids == ()
    assert counted.poll is not None
    assert [o.voter_count for o in counted.poll.options] == [0, 0, 1] and counted.poll.total_voter_count == 1
    assert fake_telegram.vote_of(message, ann) == [] and fake_telegram.vote_of(message, bo) == [2]
    assert message.data["poll"]["total_voter_count"] == 1  # what the chat shows

    stopped = await ptb_bot.stop_poll(group.id, sent.message_id)
    assert stopped.is_closed and stopped.total_voter_count == 1
    with pytest.raises(PollVoteRefused, match="closed"):
        await fake_telegram.vote(ann, message, [1])
    assert fake_telegram.vote_of(message, ann) == []
    with pytest.raises(TelegramBadRequest, match="already been closed"):
        await aiogram_bot.stop_poll(chat_id=group.id, message_id=sent.message_id)
    final = await aiogram_bot.get_updates(offset=ptb_updates[-1].update_id + 1, timeout=0)
    assert [u.event_type for u in final] == ["poll"]
    assert final[0].poll is not None and final[0].poll.is_closed
    fake_telegram.errors.clear()


async def test_anonymous_polls_give_counts_only_and_single_answer_polls_refuse_two(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot
) -> None:
    ann = fake_telegram.user(1, "Ann")
    await fake_telegram.send_message(ann, ann, "/start")
    await aiogram_bot.get_updates(timeout=0)
    sent = await aiogram_bot.send_poll(
        ann.id, "Tea or coffee?", [InputPollOption(text="Tea"), InputPollOption(text="Coffee")]
    )
    assert sent.poll is not None and sent.poll.is_anonymous and sent.poll.allows_revoting
    message = fake_telegram.sent(ann)[-1]
    with pytest.raises(PollVoteRefused, match="one answer"):
        await fake_telegram.vote(ann, message, [0, 1])
    with pytest.raises(PollVoteRefused, match="no such option"):
        await fake_telegram.vote(ann, message, [5])
    other = fake_telegram.user(2, "Bo")
    with pytest.raises(PollVoteRefused):
        await fake_telegram.vote(other, message, [0])
    delivered = await fake_telegram.vote(ann, message, [1])
    assert delivered.update is not None and "poll" in delivered.update
    again = await fake_telegram.vote(ann, message, [1])
    assert again.update_id is None  # the same choice changes nothing, so Telegram says nothing
    pending = [u for u in fake_telegram.pending_updates() if "message" not in u]
    assert [next(k for k in u if k != "update_id") for u in pending] == ["poll"]

    # A bot that asked for messages only is not told about votes.
    await aiogram_bot.get_updates(timeout=0, allowed_updates=["message"], offset=-1)
    await fake_telegram.vote(ann, message, [0])
    assert await aiogram_bot.get_updates(timeout=0, offset=pending[-1]["update_id"] + 1) == []


async def test_a_quiz_answer_cannot_be_changed_and_bad_polls_are_refused(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot
) -> None:
    group = fake_telegram.group(-1001, "Tea Circle")
    ann = fake_telegram.user(1, "Ann")
    group.add_member(ann)
    options = [InputPollOption(text="Green"), InputPollOption(text="Black")]
    sent = await aiogram_bot.send_poll(group.id, "Matcha is…", options, type="quiz", correct_option_ids=[0])
    assert sent.poll is not None and not sent.poll.allows_revoting
    message = fake_telegram.sent(group)[-1]
    await fake_telegram.vote(ann, message, [1])
    with pytest.raises(PollVoteRefused, match="changing"):
        await fake_telegram.vote(ann, message, [0])
    with pytest.raises(TelegramBadRequest, match="correct option"):
        await aiogram_bot.send_poll(group.id, "Quiz?", options, type="quiz")
    with pytest.raises(TelegramBadRequest, match="unique"):
        await aiogram_bot.send_poll(group.id, "Same?", [InputPollOption(text="A"), InputPollOption(text="A")])
    fake_telegram.errors.clear()
