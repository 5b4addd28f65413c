"""The community's share (issue 13, item 5): Celadon Studio offers two tea groups a commission, their
moderators accept, members buy in each group, and one order is refunded after its month was settled. The
settlement job runs after a month missed while the bot was down, then twice; /earnings, its CSV and the
chart's data agree to the minor unit."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.share.model import SettlementLine
from domain.share.report import chart_data
from tests.scenarios.drops_steps import make_staff, moderator_sets_brand
from tests.scenarios.harness import BOT_USERNAME, Shop, running_shop
from tests.support.clock import FakeClock

OPERATOR_ID = 999
BRAND = "Celadon Studio"
CATALOG = """
products:
  - sku: TEA-BOWL
    title: Celadon tea bowl
    description: A hand-thrown bowl.
    price: 1000
    currency: XTR
    stock: 50
    tags: [tea]
    kind: digital
    content: https://example.org/bowl
    brand: Celadon Studio
  - sku: CUP.SMALL-2
    title: Small celadon cup
    description: A cup whose SKU holds a dot, which a Telegram link cannot carry.
    price: 400
    currency: XTR
    stock: 50
    tags: [cup]
    kind: digital
    content: https://example.org/cup
    brand: Celadon Studio
"""


@pytest.fixture
async def share_shop(framework: str, tmp_path: Path) -> AsyncIterator[Shop]:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG)
    clock = FakeClock(datetime(2026, 1, 10, 12, tzinfo=UTC))
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(
        framework, url, str(catalog), clock=clock, owner_ids=(OPERATOR_ID,), platform_fee_bp=500
    ) as shop:
        yield shop


async def _group_takes_the_offer(shop: Shop, title: str, staff: Any, percent: str) -> tuple[Any, Any]:
    moderator = shop.member(f"Mod of {title}")
    group = await shop.group_with_bot(title, admin=moderator)
    group.add_member(staff)
    await moderator_sets_brand(shop, group, moderator, BRAND, allow=True)
    (offered,) = await shop.say(staff, group, f"/share_offer {BRAND} {percent}")
    assert f"commission of {percent}%" in offered.content
    (accepted,) = await shop.say(moderator, group, f"/share_accept {BRAND}")
    assert f"now earns {percent}%" in accepted.content
    return group, moderator


async def _buy_in(shop: Shop, member: Any, group: Any) -> int:
    group.add_member(member)
    (found,) = await shop.say(member, group, "/find tea bowl")
    await shop.press(member, found, text=next(t for t in found.button_texts if "tea bowl" in t))
    card = shop.fake.last(group)
    await shop.press(member, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    paid = await shop.pay(member, shop.fake.last(group))
    assert paid.accepted, paid.error_message
    (order,) = await shop.orders_of(member)
    assert order.community_id == group.id  # attributed to the group the card was opened in
    return int(order.id)


async def _settle(shop: Shop, when: datetime) -> list[SettlementLine]:
    shop.clock.set(when)
    await shop.app.jobs.run_now("share_settlement")  # type: ignore[union-attr]
    async with shop.uow() as uow:
        return list(await uow.share.lines())


async def test_two_groups_earn_their_share_and_a_refund_after_settlement_is_carried_forward(share_shop: Shop) -> None:
    shop = share_shop
    staff = shop.member("Celadon staff")
    await make_staff(shop, BRAND, staff)
    tea_lovers, tea_mod = await _group_takes_the_offer(shop, "Tea Lovers", staff, "10")
    bowls, _ = await _group_takes_the_offer(shop, "Bowl Makers", staff, "5")

    # Someone who is not the group's admin cannot accept an offer, nor see its earnings.
    outsider = shop.member("Outsider")
    tea_lovers.add_member(outsider)
    (refused,) = await shop.say(outsider, tea_lovers, f"/share_accept {BRAND}")
    assert "Only this group's moderators" in refused.content
    (refused,) = await shop.say(outsider, tea_lovers, "/earnings")
    assert "Only this group's moderators" in refused.content

    mei_order = await _buy_in(shop, shop.member("Mei"), tea_lovers)
    await _buy_in(shop, shop.member("Li"), bowls)

    # The bot was down all February: on 5 March both January and February are settled.
    settled = await _settle(shop, datetime(2026, 3, 5, 9, tzinfo=UTC))
    brand_id = settled[0].brand_id
    assert settled == [
        SettlementLine("2026-01", brand_id, bowls.id, "XTR", 1000, 0, 50, 50),
        SettlementLine("2026-01", brand_id, tea_lovers.id, "XTR", 1000, 0, 100, 50),
    ]

    # Mei's January order is refunded in March, after January was settled.
    shop.clock.set(datetime(2026, 3, 10, 9, tzinfo=UTC))
    (done,) = await shop.say(shop.fake.user(OPERATOR_ID, "Operator"), None, f"/refund {mei_order}")
    assert "refund" in done.content.lower()
    lines = await _settle(shop, datetime(2026, 4, 2, 9, tzinfo=UTC))
    assert lines[-1] == SettlementLine("2026-03", brand_id, tea_lovers.id, "XTR", 0, 1000, -100, -50)
    assert await _settle(shop, datetime(2026, 4, 3, 9, tzinfo=UTC)) == lines  # running again changes nothing

    answer = await shop.say(tea_mod, tea_lovers, "/earnings")
    summary, document, chart = answer
    assert "XTR: gross 1000, refunds 1000, commission 0, platform fee 0, net 0" in summary.content
    rows = list(csv.DictReader(io.StringIO(shop.fake.document_content(document).decode())))
    (total,) = [r for r in rows if r["month"] == "total"]
    assert {k: total[k] for k in ("gross", "refunds", "commission", "platform_fee", "net")} == {
        "gross": "1000", "refunds": "1000", "commission": "0", "platform_fee": "0", "net": "0",
    }  # fmt: skip
    assert [r["month"] for r in rows] == ["2026-01", "2026-03", "total"]
    assert chart.photo
    mine = [line for line in lines if line.community_id == tea_lovers.id]
    months = chart_data(mine)["XTR"]
    assert {m: sum(v[m] for v in months.values()) for m in ("gross", "refunds", "commission", "fee", "net")} == {
        "gross": 1000, "refunds": 1000, "commission": 0, "fee": 0, "net": 0,
    }  # fmt: skip

    # The brand's staff see both groups' lines in private.
    summary, document, _ = await shop.say(staff, None, "/settlement")
    assert "XTR: gross 2000, refunds 1000, commission 50, platform fee 50, net 900" in summary.content
    shop.fake.assert_no_errors()


async def _buy_through_link(shop: Shop, member: Any, payload: str) -> Any:
    (card,) = await shop.say(member, None, f"/start {payload}")
    await shop.press(member, card, text=next(t for t in card.button_texts if t.startswith("Buy")))
    paid = await shop.pay(member, shop.fake.last(member))
    assert paid.accepted, paid.error_message
    (order,) = await shop.orders_of(member)
    return order


async def test_a_deep_link_carries_its_community_but_a_forged_one_attributes_nothing(share_shop: Shop) -> None:
    shop = share_shop
    staff = shop.member("Celadon staff")
    await make_staff(shop, BRAND, staff)
    bowls, _ = await _group_takes_the_offer(shop, "Bowl Makers", staff, "5")
    elsewhere = await shop.group_with_bot("Coffee Corner")  # has not allowed Celadon Studio

    order = await _buy_through_link(shop, shop.member("Li"), f"pc_{-bowls.id}_TEA-BOWL")
    assert order.chat_id != bowls.id and order.community_id == bowls.id

    forged = await _buy_through_link(shop, shop.member("Forger"), f"pc_{-elsewhere.id}_TEA-BOWL")
    assert forged.community_id is None
    unknown = await _buy_through_link(shop, shop.member("Guesser"), "pc_1009999999999_TEA-BOWL")
    assert unknown.community_id is None
    shop.fake.assert_no_errors()


async def _mei_in_a_group_with_an_offer(shop: Shop) -> tuple[Any, Any]:
    """Bowl Makers has taken Celadon Studio's offer; Mei is one of its members."""
    staff = shop.member("Celadon staff")
    await make_staff(shop, BRAND, staff)
    bowls, _ = await _group_takes_the_offer(shop, "Bowl Makers", staff, "5")
    mei = shop.member("Mei")
    bowls.add_member(mei)
    return bowls, mei


def _link_in(message: Any) -> str:
    return next(word for word in message.content.split() if "?start=" in word)


async def test_a_member_shares_a_product_link_of_the_group_and_a_sale_through_it_counts_for_the_group(
    share_shop: Shop,
) -> None:
    shop = share_shop
    bowls, mei = await _mei_in_a_group_with_an_offer(shop)

    (usage,) = await shop.say(mei, bowls, "/link")
    assert "/link SKU" in usage.content
    (shared,) = await shop.say(mei, bowls, "/link TEA-BOWL")
    assert "Celadon tea bowl" in shared.content
    link = _link_in(shared)
    assert link == f"https://t.me/{BOT_USERNAME}?start=pc_{-bowls.id}_TEA-BOWL"

    li = shop.member("Li")  # a friend outside the group opens the link in private and buys
    order = await _buy_through_link(shop, li, link.split("?start=")[1])
    assert order.chat_id == li.id and order.community_id == bowls.id

    (in_private,) = await shop.say(mei, None, "/link TEA-BOWL")  # the link is a group's: asked where it works
    assert "/link works in a group" in in_private.content and "start=" not in in_private.content
    (private_only,) = await shop.say(mei, bowls, "/settlement")
    assert f"/settlement works in a private chat with me: @{BOT_USERNAME}" in private_only.content
    (operators_only,) = await shop.say(mei, bowls, "/refund 1")  # an operator's command is not advertised
    assert "I don't know the command /refund" in operators_only.content
    (unknown,) = await shop.say(mei, bowls, "/link NO-SUCH-SKU")
    assert "no longer available" in unknown.content
    coffee = await shop.group_with_bot("Coffee Corner")  # has not allowed Celadon Studio: no link to give
    coffee.add_member(mei)
    (refused,) = await shop.say(mei, coffee, "/link TEA-BOWL")
    assert f"{BRAND} is not allowed in this group" in refused.content and "start=" not in refused.content
    shop.fake.assert_no_errors()


async def test_a_product_whose_sku_holds_a_dot_is_linked_by_its_id(share_shop: Shop) -> None:
    shop = share_shop
    bowls, mei = await _mei_in_a_group_with_an_offer(shop)
    (shared,) = await shop.say(mei, bowls, "/link CUP.SMALL-2")
    payload = _link_in(shared).split("?start=")[1]
    assert payload.startswith(f"pci_{-bowls.id}_") and all(c.isalnum() or c in "_-" for c in payload)
    li = shop.member("Li")
    order = await _buy_through_link(shop, li, payload)
    assert order.lines[0].sku == "CUP.SMALL-2" and order.community_id == bowls.id
    shop.fake.assert_no_errors()


async def test_an_inline_card_of_a_product_whose_sku_holds_a_dot_opens_it_by_its_id(share_shop: Shop) -> None:
    shop = share_shop
    mei, jun = shop.member("Mei"), shop.member("Jun")
    (result,) = await shop.inline(mei, "small cup")
    group = await shop.group_with_bot("Cup Collectors")
    chosen = await shop.fake.choose_inline_result(mei, group, shop.last_inline_query, result["id"])
    await shop.settle(chosen)
    buy = next(t for t in chosen.message.button_texts if t.startswith("Buy"))
    answer = await shop.press(jun, chosen.message.inline_message_id, text=buy)
    payload = answer.url.split("?start=")[1]
    assert payload.startswith("pi_") and all(c.isalnum() or c in "_-" for c in payload)
    (card,) = await shop.say(jun, None, f"/start {payload}")
    assert "Small celadon cup" in card.content
    shop.fake.assert_no_errors()
