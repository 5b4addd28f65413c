"""Documents the bot sends keep their name and content, as a member downloading them would get them."""

from __future__ import annotations

import pytest
import telegram
from aiogram import Bot as AiogramBot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile

from circlecart.sandbox.bot_api import FakeTelegram
from tests.bot_api.fixtures import aiogram_bot, fake_telegram, ptb_bot

__all__ = ["aiogram_bot", "fake_telegram", "ptb_bot"]


async def test_an_uploaded_document_keeps_its_name_type_size_and_content(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot, ptb_bot: telegram.Bot
) -> None:
    ann = fake_telegram.user(1, "Ann")
    await fake_telegram.send_message(ann, ann, "/start")
    sent = await aiogram_bot.send_document(
        ann.id, BufferedInputFile(b'{"a": 1}', "list.json"), caption="<b>List</b>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "list.json"
    assert (sent.document.mime_type, sent.document.file_size, sent.caption) == ("application/json", 8, "List")
    stored = fake_telegram.sent(ann)[-1]
    assert fake_telegram.document_content(stored) == b'{"a": 1}'

    again = await ptb_bot.send_document(ann.id, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id
    assert fake_telegram.document_content(fake_telegram.sent(ann)[-1]) == b'{"a": 1}'
    text = await ptb_bot.send_document(ann.id, b"e_1\ne_2\n", filename="entrants.txt")
    assert text.document is not None and text.document.mime_type == "text/plain"

    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await aiogram_bot.send_document(ann.id, "no-such-file")
    with pytest.raises(TelegramBadRequest, match="must be non-empty"):
        await aiogram_bot.send_document(ann.id, BufferedInputFile(b"", "empty.json"))
    fake_telegram.errors.clear()
