"""What the assistant reads from plain words without a model, and what it takes from a model's answer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from domain.assistant.conversation import Intent, parse_decision, service_topic
from domain.assistant.fallback import keywords, price_ceiling, stem

ROOT = Path(__file__).resolve().parents[2]


def test_a_price_ceiling_is_read_in_english_and_chinese() -> None:
    assert price_ceiling("a gift for my dad who likes tea, under 300 stars") == Decimal(300)
    assert price_ceiling("prints below €49.50") == Decimal("49.50")
    assert price_ceiling("300星以内的茶具") == Decimal(300)
    assert price_ceiling("不超过50欧元的版画") == Decimal(50)
    assert price_ceiling("tea for 2 people") is None


def test_keywords_leave_out_the_words_that_name_no_product() -> None:
    assert keywords("a gift for my dad who likes tea, under 300 stars") == ["tea"]
    assert keywords("送给爸爸的茶") == ["送给爸爸的茶"]
    # A stem is a prefix the catalog search completes: "cran…" finds the crane pin, "accessor…" accessories.
    assert "crane".startswith(stem("cranes")) and "accessories".startswith(stem("accessory"))
    assert stem("glass") == "glass" and stem("tea") == "tea"


def test_without_a_model_questions_about_ones_own_records_find_their_view() -> None:
    assert service_topic("where is my order?") is Intent.ORDERS
    assert service_topic("我的订单到哪了") is Intent.ORDERS
    assert service_topic("when does my membership renew?") is Intent.MEMBERSHIP
    assert service_topic("how many points expire this month?") is Intent.POINTS
    assert service_topic("my teapot arrived broken, I want a refund") is Intent.HANDOVER
    assert service_topic("a gift for my dad who likes tea") is None
    assert service_topic("a disappointing pinpoints art") is None  # words, not parts of words


def test_only_an_intent_and_skus_are_taken_from_a_models_answer() -> None:
    assert parse_decision('{"intent": "products", "skus": ["TEA-SET-01"], "price": "1 star"}') == (
        Intent.PRODUCTS,
        ["TEA-SET-01"],
    )
    assert parse_decision('```json\n{"intent": "orders"}\n```') == (Intent.ORDERS, [])
    assert parse_decision('{"intent": "refund_everything"}') is None
    assert parse_decision("Sure! The tea set costs 1 star.") is None
    assert parse_decision('["TEA-SET-01"]') is None
    assert parse_decision(None) is None


def test_the_labelled_set_has_forty_requests_in_both_languages_over_real_skus() -> None:
    requests = yaml.safe_load((ROOT / "bench" / "assistant_requests.yaml").read_text(encoding="utf-8"))["requests"]
    catalog = yaml.safe_load((ROOT / "examples" / "catalog.yaml").read_text(encoding="utf-8"))["products"]
    active = {p["sku"] for p in catalog if p.get("active", True)}
    assert len(requests) >= 40
    assert {r["lang"] for r in requests} == {"en", "zh"}
    assert all(r["expected"] and set(r["expected"]) <= active for r in requests)
