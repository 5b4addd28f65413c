from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.database import Database
from storage.repositories.products import fts5_query, search_words, tsquery_text
from tests.storage.builders import add_product


async def _titles(database: Database, text: str, limit: int = 10) -> list[str]:
    async with database.uow() as uow:
        return [p.title for p in await uow.products.search(text, limit)]


async def test_search_finds_a_word_in_the_title(database: Database) -> None:
    await add_product(database, title="Celadon teapot", description="", tags=())
    await add_product(database, title="Bamboo whisk", description="", tags=())
    assert await _titles(database, "whisk") == ["Bamboo whisk"]


async def test_search_finds_teapot_from_prefix_tea(database: Database) -> None:
    await add_product(database, title="Celadon teapot", description="For two.", tags=())
    await add_product(database, title="Bamboo whisk", description="", tags=())
    assert await _titles(database, "tea") == ["Celadon teapot"]


async def test_search_matches_description_and_tags(database: Database) -> None:
    await add_product(database, title="Cup A", description="glazed in Longquan", tags=())
    await add_product(database, title="Cup B", description="", tags=("handmade", "gift"))
    assert await _titles(database, "longquan") == ["Cup A"]
    assert await _titles(database, "gift") == ["Cup B"]


async def test_search_needs_every_word(database: Database) -> None:
    await add_product(database, title="Green tea", description="", tags=())
    await add_product(database, title="Green cup", description="", tags=())
    assert await _titles(database, "green tea") == ["Green tea"]
    assert sorted(await _titles(database, "green")) == ["Green cup", "Green tea"]


async def test_search_is_case_insensitive(database: Database) -> None:
    await add_product(database, title="Oolong Tin", description="", tags=())
    assert await _titles(database, "OOLONG tin") == ["Oolong Tin"]


async def test_search_ranks_title_matches_first(database: Database) -> None:
    await add_product(database, title="Travel case", description="fits a teapot and two cups", tags=())
    await add_product(database, title="Teapot", description="", tags=())
    assert await _titles(database, "teapot") == ["Teapot", "Travel case"]


async def test_search_ignores_inactive_products(database: Database) -> None:
    await add_product(database, title="Old teapot", active=False)
    await add_product(database, title="茶壶 old", active=False)
    assert await _titles(database, "teapot") == []
    assert await _titles(database, "茶") == []


async def test_search_respects_the_limit(database: Database) -> None:
    for index in range(5):
        await add_product(database, title=f"Teapot {index}")
    assert len(await _titles(database, "teapot", limit=2)) == 2
    assert await _titles(database, "teapot", limit=0) == []


@pytest.mark.parametrize("text", ["", "   ", "!!!", '"*"', "&|!():*", "-", "_", "''"])
async def test_search_for_nothing_finds_nothing(database: Database, text: str) -> None:
    await add_product(database, title="Teapot")
    assert await _titles(database, text) == []


@pytest.mark.parametrize(
    "text",
    [
        'tea"',
        '"tea',
        "tea*",
        "tea OR cup",
        "tea AND NOT",
        "NEAR(tea cup)",
        "title:tea",
        "tea & !cup",
        "tea | cup",
        "tea:* <-> cup",
        "tea'); DROP TABLE products; --",
        "^tea",
        "tea -cup",
        "(tea",
        "tea\\",
        "{title}: tea",
        "tea + cup",
    ],
)
async def test_search_survives_fts_operators_in_input(database: Database, text: str) -> None:
    await add_product(database, title="Teapot or cup", description="and not near", tags=("drop", "table"))
    result = await _titles(database, text)
    assert result in ([], ["Teapot or cup"])
    async with database.uow() as uow:
        assert await uow.products.count_active() == 1


async def test_search_treats_operator_words_as_plain_words(database: Database) -> None:
    await add_product(database, title="Tea OR coffee", description="", tags=())
    await add_product(database, title="Tea only", description="", tags=())
    assert await _titles(database, "tea or") == ["Tea OR coffee"]


async def test_search_finds_cjk_by_substring_when_fts_finds_nothing(database: Database) -> None:
    await add_product(database, title="青瓷茶具", description="", tags=())
    await add_product(database, title="白瓷碗", description="", tags=())
    assert await _titles(database, "茶") == ["青瓷茶具"]
    assert await _titles(database, "青瓷") == ["青瓷茶具"]


async def test_search_finds_cjk_tags_by_substring(database: Database) -> None:
    await add_product(database, title="Gift box", description="", tags=("节日礼物",))
    assert await _titles(database, "礼物") == ["Gift box"]


async def test_search_finds_accented_and_cyrillic_words(database: Database) -> None:
    await add_product(database, title="Чайник из глины", description="", tags=())
    await add_product(database, title="Crème brûlée set", description="", tags=())
    assert await _titles(database, "чайник") == ["Чайник из глины"]
    assert await _titles(database, "crème") == ["Crème brûlée set"]


async def test_search_sees_updated_and_no_longer_sees_old_text(database: Database) -> None:
    product = await add_product(database, title="Teapot", description="", tags=())
    async with database.uow() as uow:
        await uow.products.update(replace(product, title="Whisk"))
        await uow.commit()
    assert await _titles(database, "teapot") == []
    assert await _titles(database, "whisk") == ["Whisk"]


async def test_search_is_unaffected_by_stock_changes(database: Database) -> None:
    product = await add_product(database, title="Teapot", stock=3)
    async with database.uow() as uow:
        assert await uow.products.claim_stock(product.id, 3)
        await uow.commit()
    async with database.uow() as uow:
        found = await uow.products.search("teapot", 5)
    assert [p.stock for p in found] == [0]


def test_query_building_strips_operators() -> None:
    assert search_words(' "Tea*" OR: cup-(pot) _x_ ') == ["tea", "or", "cup", "pot", "x"]
    assert fts5_query(["tea", "or"]) == '"tea" "or"*'
    assert tsquery_text(["tea", "or"]) == "tea & or:*"
    assert search_words("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]  # combining marks stay inside words
    assert search_words("x" * 100 + " " + "y " * 50)[0] == "x" * 64
    assert len(search_words("y " * 50)) == 12


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=40) | st.sampled_from(["\u0301", "a\u0301", "\u200b", "ⓐ", "x:*", "¹²", "ǅ", "ß"]))
async def test_search_never_fails_whatever_is_typed(database: Database, text: str) -> None:
    async with database.uow() as uow:
        found = await uow.products.search(text, 5)
    assert isinstance(found, list)
