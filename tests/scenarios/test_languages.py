"""Counts, dates and lengths of time read naturally in English and in Chinese, through the fake Bot API on both
frameworks: "1 plan" and "2 plans", "Try free for 1 day", "30 days" and "30天"."""

from __future__ import annotations

import re

from tests.scenarios.harness import Shop
from tests.scenarios.memberships_steps import subscribe


async def test_counts_take_their_plural_forms_in_english_and_in_chinese(shop: Shop) -> None:
    ana = shop.member("Ana")
    community = await shop.group_with_bot("Tea Circle", admin=ana)
    (created,) = await shop.say(ana, community, "/plan add 100 XTR Tea Club trial=1")
    assert "100 ⭐ / 30 days" in created.text, created.text
    (report,) = await shop.say(ana, community, "/members")
    assert report.text.startswith("Members · 1 plan\n"), report.text

    mei = shop.member("Mei")
    (offer,) = await shop.say(mei, None, "/membership")
    assert "Try free for 1 day" in offer.button_texts, offer.button_texts

    await shop.say(ana, community, "/plan add 150 XTR Tea Club Plus trial=7")
    (report,) = await shop.say(ana, community, "/members")
    assert report.text.startswith("Members · 2 plans\n"), report.text

    li = shop.member("李", language_code="zh-hans")
    (offers,) = await shop.say(li, None, "/membership")
    assert "100 ⭐ / 30天" in offers.text, offers.text
    assert {"免费试用 1 天", "免费试用 7 天"} <= set(offers.button_texts), offers.button_texts

    # Dates the reader's way: Li joins, and the renewal date is written as Chinese readers write it.
    await subscribe(shop, li, join="加入 Tea Club ·")
    status = "\n".join(m.text for m in await shop.say(li, None, "/membership"))
    assert re.search(r"将于 \d{4}年\d{1,2}月\d{1,2}日 续费", status), status
    await subscribe(shop, mei, join="Join Tea Club ·")
    status = "\n".join(m.text for m in await shop.say(mei, None, "/membership"))
    assert re.search(r"renews on [A-Z][a-z]{2} \d{1,2}, \d{4}\.", status), status

    wen = shop.member("文", language_code="zh-HK")  # Traditional Chinese: the Simplified catalog
    lounge = await shop.group_with_bot("Tea Lounge", admin=wen)
    await shop.say(wen, lounge, "/plan add 80 XTR Lounge Pass")
    (chinese_report,) = await shop.say(wen, lounge, "/members")
    assert chinese_report.text.startswith("会员 · 1 个方案"), chinese_report.text
    shop.fake.assert_no_errors()
