"""Sharing products through inline mode, deep links, help, languages and refusing forged buttons."""

from __future__ import annotations

from tests.scenarios.harness import BOT_USERNAME, Shop


async def test_member_shares_a_product_inline_and_a_friend_buys_it_in_private(shop: Shop) -> None:
    mei, jun = shop.member("Mei"), shop.member("Jun")
    results = await shop.inline(mei, "crane")
    assert [r["title"] for r in results] == ["Crane enamel pin"]
    assert "35 ⭐" in results[0]["description"]

    group = await shop.group_with_bot("Pin Collectors")
    chosen = await shop.fake.choose_inline_result(mei, group, shop.last_inline_query, results[0]["id"])
    await shop.settle(chosen)
    card = chosen.message
    assert "Crane enamel pin" in card.text and card.data["via_bot"]["username"] == BOT_USERNAME

    # Telegram does not say which chat an inline message is in, so Buy opens the private chat.
    answer = await shop.press(jun, card.inline_message_id, text="Buy · 35 ⭐")
    assert answer.url == f"https://t.me/{BOT_USERNAME}?start=p_PIN-CRANE"

    (private_card,) = await shop.say(jun, None, "/start p_PIN-CRANE")
    assert "Crane enamel pin" in private_card.caption
    await shop.press(jun, private_card, text="Buy · 35 ⭐")
    paid = await shop.pay(jun, shop.fake.last(jun))
    assert paid.accepted
    await shop.outbox_drained()  # the "points earned" notice may arrive around the receipt
    assert any("Payment received" in m.content for m in shop.fake.sent(jun))


async def test_empty_inline_query_lists_the_catalog_and_gibberish_finds_nothing(shop: Shop) -> None:
    mei = shop.member("Mei")
    assert len(await shop.inline(mei, "")) == 8  # every active product
    assert await shop.inline(mei, '"); DROP TABLE products; --') == []
    assert len(await shop.inline(mei, "print")) >= 2


async def test_a_deep_link_to_a_product_that_no_longer_exists_says_so(shop: Shop) -> None:
    mei = shop.member("Mei")
    (reply,) = await shop.say(mei, None, "/start p_NO-SUCH-THING")
    assert "no longer available" in reply.text


async def test_forged_or_stale_buttons_get_a_clear_answer(shop: Shop) -> None:
    group = await shop.group_with_bot()
    mei = shop.member("Mei")
    (page,) = await shop.say(mei, group, "/shop")
    sent_before = len(shop.fake.sent(group))
    for forged in ["1:buy:99999", "0:buy:1", "1:refund:1", "garbage", "1:page:x"]:
        answer = await shop.press(mei, page, data=forged, forge=True)
        assert answer is not None and answer.show_alert, forged
        assert "no longer" in answer.text, (forged, answer.text)
    assert len(shop.fake.sent(group)) == sent_before  # nothing posted to the group
    shop.fake.assert_no_errors()


async def test_an_unknown_command_gets_help(shop: Shop) -> None:
    mei = shop.member("Mei")
    (reply,) = await shop.say(mei, None, "/teleport home")
    assert "/teleport" in reply.text and "/shop" in reply.text and "/orders" in reply.text
    group = await shop.group_with_bot()
    shop.fake.bot().can_read_all_group_messages = True  # privacy mode off: the bot sees other bots' commands
    assert await shop.say(mei, group, "/teleport@some_other_bot") == []  # not ours to answer
    assert await shop.say(mei, group, "/shop@some_other_bot") == []


async def test_a_chinese_member_is_answered_in_chinese(shop: Shop) -> None:
    group = await shop.group_with_bot()
    li = shop.member("李", language_code="zh-hans")
    (page,) = await shop.say(li, group, "/shop")
    assert "商店" in page.text and "下一页 ▶" in page.button_texts
    (help_text,) = await shop.say(li, None, "/help")
    assert "浏览商品目录" in help_text.text
    (found,) = await shop.say(li, group, "/find 青瓷")  # no product is titled in Chinese
    assert "没有找到" in found.text


async def test_member_switches_language_with_the_language_command(shop: Shop) -> None:
    mei = shop.member("Mei", language_code="en")
    (menu,) = await shop.say(mei, None, "/language")
    answer = await shop.press(mei, menu, text="简体中文")
    assert answer.text == "语言已设置为简体中文。"
    (help_text,) = await shop.say(mei, None, "/help")
    assert "浏览商品目录" in help_text.text
    answer = await shop.press(mei, menu, text="English")
    assert answer.text == "Language set to English."


async def test_the_command_menu_is_registered_per_language_and_chat_scope(shop: Shop) -> None:
    private_en = shop.fake.commands("all_private_chats")
    group_en = shop.fake.commands("all_group_chats")
    private_zh = shop.fake.commands("all_private_chats", "zh")
    assert private_en and group_en and private_zh
    assert {c["command"] for c in private_en} >= {"start", "shop", "find", "orders", "language", "help"}
    assert "start" not in {c["command"] for c in group_en}
    assert {c["description"] for c in private_zh} >= {"浏览商品目录", "我的订单"}
