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


async def test_a_file_a_user_sends_reaches_the_bot_and_downloads_through_get_file(
    fake_telegram: FakeTelegram, aiogram_bot: AiogramBot, ptb_bot: telegram.Bot
) -> None:
    ann = fake_telegram.user(2, "Ann")
    delivered = await fake_telegram.send_document(ann, None, b"12,DHL,JD0146\n", "tracking.csv", caption="today")
    document = delivered.update["message"]["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == ("tracking.csv", "text/csv", 14)
    assert delivered.update["message"]["caption"] == "today"

    file = await aiogram_bot.get_file(document["file_id"])
    assert file.file_path is not None and file.file_size == 14
    downloaded = await aiogram_bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"12,DHL,JD0146\n"
    ptb_file = await ptb_bot.get_file(document["file_id"])
    assert bytes(await ptb_file.download_as_bytearray()) == b"12,DHL,JD0146\n"

    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await aiogram_bot.get_file("no-such-file")
    fake_telegram.errors.clear()
