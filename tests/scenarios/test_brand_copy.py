"""Copy for brands: staff get a draft in English and Chinese, edit it and approve it; nothing is posted by itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import STARS_CATALOG
from tests.scenarios.drops_steps import make_staff
from tests.scenarios.harness import Shop, running_shop
from tests.support.fake_openai import API_KEY, FakeOpenAI


@pytest.fixture
async def endpoint() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


async def test_staff_edit_and_approve_a_drafted_announcement_and_nothing_is_posted_by_itself(
    framework: str, tmp_path: Path, endpoint: FakeOpenAI
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    settings = {"ai_base_url": endpoint.base_url, "ai_api_key": API_KEY, "ai_model": "fake-model"}
    async with running_shop(framework, url, str(STARS_CATALOG), **settings) as shop:
        group = await shop.group_with_bot("Tea Circle")
        in_group = len(shop.fake.sent(group))
        sam = shop.member("Sam")
        await make_staff(shop, "Celadon Studio", sam)
        endpoint.reply({"en": "Our celadon tea set is back: a teapot and four cups.", "zh": "青瓷茶具回来了。"})
        (draft,) = await shop.say(sam, None, "/copy announcement TEA-SET-01")
        assert "Our celadon tea set is back" in draft.text and "青瓷茶具回来了" in draft.text
        assert draft.button_texts == ["Approve", "Discard"]
        prompt = endpoint.received[0].messages[0]["content"]
        assert "Celadon tea set" in prompt and "250" in prompt  # the facts are the database's

        (edited,) = await shop.say(sam, None, "zh: 青瓷茶具重新上架：一把茶壶，四只杯子。")
        assert "重新上架" in edited.text and "Our celadon tea set is back" in edited.text
        before = len(shop.fake.sent(sam))
        answer = await shop.press(sam, edited, text="Approve")
        assert answer is not None and "Approved" in (answer.text or "")
        final = [m.text for m in shop.fake.sent(sam)[before:]]
        english = "Our celadon tea set is back: a teapot and four cups."
        chinese = "青瓷茶具重新上架：一把茶壶，四只杯子。"
        assert final[1:] == [english, chinese]
        assert len(shop.fake.sent(group)) == in_group  # approved copy is handed over, never posted
        shop.fake.assert_no_errors()


async def test_only_the_brands_staff_get_copy_and_without_a_model_a_plain_draft(shop: Shop) -> None:
    mei = shop.member("Mei")
    (refused,) = await shop.say(mei, None, "/copy description TEA-SET-01")
    assert "not staff of Celadon Studio" in refused.text
    sam = shop.member("Sam")
    await make_staff(shop, "Celadon Studio", sam)
    (draft,) = await shop.say(sam, None, "/copy TEA-SET-01")
    assert "Hand-thrown celadon teapot with four cups." in draft.text and "Approve" in draft.button_texts
    answer = await shop.press(sam, draft, text="Discard")
    assert answer is not None and "discarded" in (answer.text or "")
    (search,) = await shop.say(sam, None, "en: a better text")  # no draft open: just words for the shop
    assert "Draft" not in search.text
