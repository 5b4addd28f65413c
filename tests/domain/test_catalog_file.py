"""The catalog file: `circlecart catalog import/export` in YAML and CSV."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.money import Money
from domain.shop.catalog_file import (
    CatalogEntry,
    CatalogFileError,
    detect_format,
    dump_catalog,
    parse_catalog,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def without_lines(entries: list[CatalogEntry]) -> list[CatalogEntry]:
    return [dataclasses.replace(entry, line=0) for entry in entries]


def problems_of(text: str, fmt: str = "yaml") -> list[tuple[int, str]]:
    with pytest.raises(CatalogFileError) as caught:
        parse_catalog(text, fmt)  # type: ignore[arg-type]
    return caught.value.problems


def yaml_product(**fields: str) -> str:
    """A one-product YAML catalog; the product starts on line 2, its fields in the order given."""
    base = {"sku": "TEA-SET-01", "title": "Celadon tea set", "price": "250", "currency": "XTR", "stock": "20"}
    base.update(fields)
    lines = ["products:"]
    for i, (key, value) in enumerate((k, v) for k, v in base.items() if v is not None):
        lines.append(f"{'  - ' if i == 0 else '    '}{key}: {value}")
    if base.get("currency") == "XTR" and "kind" not in base:
        lines.append("    kind: service")  # last, so the lines of the fields given stay put; Stars sell services
    return "\n".join(lines) + "\n"


CSV_HEADER = "sku,title,description,price,currency,stock,tags,photo,active,brand\n"


# ------------------------------------------------------------------------------------ the example catalog


def test_example_yaml_catalog_parses_cleanly_into_a_mix_of_physical_goods_and_stars_goods() -> None:
    entries = parse_catalog((EXAMPLES / "catalog.yaml").read_text(encoding="utf-8"), "yaml")
    assert 10 <= len(entries) <= 14
    assert {entry.kind for entry in entries} == {"physical", "digital", "service"}
    assert all(entry.price.currency == "EUR" for entry in entries if entry.kind == "physical")
    assert all(entry.price.currency == "XTR" for entry in entries if entry.kind != "physical")
    assert all(entry.content for entry in entries if entry.kind == "digital")
    assert any(entry.stock == 0 for entry in entries)
    assert [entry.active for entry in entries].count(False) == 1
    assert all(entry.photo and entry.photo.startswith("https://example.org/") for entry in entries)
    tea = next(entry for entry in entries if entry.sku == "TEA-SET-01")
    assert tea.price == Money(6800, "EUR")
    assert tea.tags == ("tea", "ceramics")
    assert tea.brand == "Celadon Studio"


def test_csv_and_yaml_of_the_example_catalog_agree() -> None:
    from_yaml = parse_catalog((EXAMPLES / "catalog.yaml").read_text(encoding="utf-8"), "yaml")
    from_csv = parse_catalog((EXAMPLES / "catalog.csv").read_text(encoding="utf-8"), "csv")
    assert without_lines(from_yaml) == without_lines(from_csv)
    assert [entry.line for entry in from_csv] == list(range(2, 2 + len(from_csv)))


def test_exporting_the_example_catalog_reimports_the_same_products() -> None:
    entries = parse_catalog((EXAMPLES / "catalog.yaml").read_text(encoding="utf-8"), "yaml")
    for fmt in ("yaml", "csv"):
        assert without_lines(parse_catalog(dump_catalog(entries, fmt), fmt)) == without_lines(entries)


# ------------------------------------------------------------------------------------------------- prices


def test_yaml_price_2_50_is_exact_not_float() -> None:
    [entry] = parse_catalog(yaml_product(price="2.50", currency="USD"), "yaml")
    assert entry.price == Money(250, "USD")


def test_yaml_price_19_99_does_not_lose_a_cent_to_float_rounding() -> None:
    # int(19.99 * 100) == 1998: a float on the way would cost the shop a cent.
    [entry] = parse_catalog(yaml_product(price="19.99", currency="USD"), "yaml")
    assert entry.price.amount == 1999


def test_quoted_yaml_price_is_accepted_too() -> None:
    [entry] = parse_catalog(yaml_product(price="'12.30'", currency="EUR"), "yaml")
    assert entry.price == Money(1230, "EUR")


def test_price_with_too_many_decimals_is_rejected_with_its_line() -> None:
    text = yaml_product(currency="USD", price="2.505")
    problems = problems_of(text)
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 4  # products:, sku, title, price
    assert "2.505" in message and "USD" in message


def test_stars_price_with_decimals_is_rejected_because_stars_are_whole() -> None:
    [(line, message)] = problems_of(yaml_product(price="2.5"))
    assert line == 4
    assert "XTR" in message and "whole stars" in message


def test_free_product_is_rejected_because_telegram_invoices_cannot_be_free() -> None:
    [(_, message)] = problems_of(yaml_product(price="0"))
    assert "more than 0" in message


def test_negative_price_is_rejected() -> None:
    [(_, message)] = problems_of(yaml_product(price="-5"))
    assert "negative" in message


@pytest.mark.parametrize("price", ["abc", "1e3", "1_000", "0x10", ".inf", "2,50", "[1, 2]"])
def test_price_that_is_not_a_plain_number_is_rejected(price: str) -> None:
    [(line, message)] = problems_of(yaml_product(price=price))
    assert line == 4
    assert "price" in message


@pytest.mark.parametrize(("price", "ok"), [("1", True), ("10000", True), ("10001", False), ("99999", False)])
def test_stars_price_must_be_between_1_and_10000(price: str, ok: bool) -> None:
    text = yaml_product(price=price)
    if ok:
        assert parse_catalog(text, "yaml")[0].price == Money(int(price), "XTR")
    else:
        [(_, message)] = problems_of(text)
        assert "1-10000" in message


def test_unknown_currency_is_reported_and_lowercase_currency_is_accepted() -> None:
    [(line, message)] = problems_of(yaml_product(currency="DOGE"))
    assert line == 5 and "DOGE" in message
    [entry] = parse_catalog(yaml_product(currency="usd", price="3"), "yaml")
    assert entry.price == Money(300, "USD")


# ----------------------------------------------------------------------------------------- other fields


def test_missing_required_fields_are_each_reported_at_the_product_line() -> None:
    text = "products:\n  - sku: TEA-SET-01\n    description: no title, no price\n"
    problems = problems_of(text)
    assert sorted(message for _, message in problems) == sorted(
        f"missing required field {name!r}" for name in ("title", "price", "currency", "stock")
    )
    assert {line for line, _ in problems} == {2}


def test_unknown_field_is_reported_as_a_likely_typo() -> None:
    [(line, message)] = problems_of(yaml_product(stok="3"))
    assert line == 7
    assert "'stok'" in message and "did you mean 'stock'" in message


def test_duplicate_sku_names_both_lines() -> None:
    text = (
        yaml_product(currency="EUR")
        + "  - sku: TEA-SET-01\n    title: Again\n    price: 1\n    currency: EUR\n    stock: 1\n"
    )
    [(line, message)] = problems_of(text)
    assert line == 7
    assert "TEA-SET-01" in message and "line 2" in message and "line 7" in message


def test_duplicate_sku_in_csv_names_both_rows() -> None:
    text = CSV_HEADER + "A-1,One,,5,EUR,1,,,,\nB-2,Two,,5,EUR,1,,,,\nA-1,Three,,5,EUR,1,,,,\n"
    [(line, message)] = problems_of(text, "csv")
    assert line == 4 and "line 2" in message


@pytest.mark.parametrize("sku", ["tea set", "TEA/01", "x" * 41, "''", "茶具"])
def test_sku_must_be_short_plain_ascii(sku: str) -> None:
    [(line, message)] = problems_of(yaml_product(sku=sku))
    assert line == 2 and "sku" in message


def test_yaml_keeps_sku_and_title_text_as_written() -> None:
    # YAML 1.1 would read 0123 as octal 83 and `yes` as True.
    [entry] = parse_catalog(yaml_product(sku="0123", title="yes"), "yaml")
    assert entry.sku == "0123"
    assert entry.title == "yes"


def test_title_longer_than_32_characters_is_rejected() -> None:
    assert parse_catalog(yaml_product(title="t" * 32), "yaml")[0].title == "t" * 32
    [(line, message)] = problems_of(yaml_product(title="t" * 33))
    assert line == 3 and "32" in message


def test_chinese_title_is_counted_in_characters() -> None:
    title = "青瓷茶具" * 8  # 32 characters, 96 bytes of UTF-8
    assert parse_catalog(yaml_product(title=title), "yaml")[0].title == title


def test_description_may_be_empty_but_not_longer_than_255_characters() -> None:
    assert parse_catalog(yaml_product(description="''"), "yaml")[0].description == ""
    assert parse_catalog(yaml_product(), "yaml")[0].description == ""
    assert parse_catalog(yaml_product(description="d" * 255), "yaml")[0].description == "d" * 255
    [(_, message)] = problems_of(yaml_product(description="d" * 256))
    assert "255" in message


@pytest.mark.parametrize(("stock", "fragment"), [("-1", "negative"), ("2.5", "whole number"), ("many", "whole number")])
def test_stock_must_be_a_whole_number_of_zero_or_more(stock: str, fragment: str) -> None:
    [(line, message)] = problems_of(yaml_product(stock=stock))
    assert line == 6 and fragment in message


def test_stock_zero_is_fine() -> None:
    assert parse_catalog(yaml_product(stock="0"), "yaml")[0].stock == 0


def test_tags_are_stripped_lowercased_and_deduplicated() -> None:
    [entry] = parse_catalog(yaml_product(tags="[' Tea ', CERAMICS, tea, 茶]"), "yaml")
    assert entry.tags == ("tea", "ceramics", "茶")


@pytest.mark.parametrize(("tags", "fragment"), [("[tea, '']", "empty"), (f"[{'x' * 33}]", "32"), ("tea", "list")])
def test_bad_tags_are_reported(tags: str, fragment: str) -> None:
    [(_, message)] = problems_of(yaml_product(tags=tags))
    assert fragment in message


@pytest.mark.parametrize(
    "photo",
    ["https://example.org/tea.jpg", "http://example.org/a?b=1", "AgACAgIAAxkBAAIBY2Zk_-3xQ"],
)
def test_photo_can_be_a_url_or_a_telegram_file_id(photo: str) -> None:
    assert parse_catalog(yaml_product(photo=photo), "yaml")[0].photo == photo


@pytest.mark.parametrize("photo", ["tea.jpg", "/srv/photos/tea.jpg", "ftp://example.org/tea.jpg", "'my tea pic'"])
def test_photo_that_is_neither_url_nor_file_id_is_rejected(photo: str) -> None:
    [(_, message)] = problems_of(yaml_product(photo=photo))
    assert "photo" in message


@pytest.mark.parametrize(
    ("text", "active"),
    [("true", True), ("YES", True), ("1", True), ("", True), ("false", False), ("no", False), ("0", False)],
)
def test_csv_active_accepts_true_false_yes_no_1_0(text: str, active: bool) -> None:
    [entry] = parse_catalog(CSV_HEADER + f"A-1,Pin,,5,EUR,1,,,{text},\n", "csv")
    assert entry.active is active


def test_active_that_is_not_a_yes_or_no_is_rejected() -> None:
    [(_, message)] = problems_of(yaml_product(active="maybe"))
    assert "active" in message


# -------------------------------------------------------------------------------- reporting every problem


def test_bad_row_reports_every_problem_and_imports_nothing() -> None:
    text = (
        CSV_HEADER
        + "GOOD-1,Fine product,,10,EUR,3,tea,,true,\n"
        + "bad sku,"
        + "T" * 40
        + ",,2.505,USD,-1,,not a photo,perhaps,\n"
    )
    with pytest.raises(CatalogFileError) as caught:
        parse_catalog(text, "csv")
    problems = caught.value.problems
    assert {line for line, _ in problems} == {3}
    messages = " | ".join(message for _, message in problems)
    for fragment in ("sku", "title", "2.505", "stock", "photo", "active"):
        assert fragment in messages
    assert len(problems) == 6


def test_problems_in_several_products_are_all_reported_in_line_order() -> None:
    text = (
        "products:\n"
        "  - sku: A-1\n    title: One\n    price: 0\n    currency: EUR\n    stock: 1\n"
        "  - sku: B-2\n    title: Two\n    price: 5\n    currency: EUR\n    stock: -3\n"
    )
    assert [line for line, _ in problems_of(text)] == [4, 11]


def test_catalog_file_error_is_a_domain_error_listing_every_problem() -> None:
    text = CSV_HEADER + "A-1,,,0,EUR,1,,,,\n"
    with pytest.raises(DomainError) as caught:
        parse_catalog(text, "csv")
    error = caught.value
    assert isinstance(error, CatalogFileError)
    assert error.code == "catalog.invalid"
    assert str(error).splitlines() == [f"line {line}: {message}" for line, message in error.problems]
    assert len(error.problems) == 2


@pytest.mark.parametrize("text", ["", "[]", "products: 3", "shop: mine\n", "just text"])
def test_yaml_without_a_products_list_is_a_problem_at_line_1(text: str) -> None:
    problems = problems_of(text)
    assert problems and problems[0][0] == 1


def test_yaml_syntax_error_reports_its_line() -> None:
    text = yaml_product() + "    tags: [tea, ceramics\n"
    [(line, message)] = problems_of(text)
    assert line >= 7 and "YAML" in message


def test_yaml_field_given_twice_is_reported() -> None:
    [(line, message)] = problems_of(yaml_product(currency="EUR") + "    stock: 5\n")
    assert line == 7 and "twice" in message


# -------------------------------------------------------------------------------------------------- CSV


def test_csv_line_numbers_count_multiline_descriptions() -> None:
    text = CSV_HEADER + 'A-1,One,"two\nlines",5,EUR,1,,,,\nB-2,Two,,0,EUR,1,,,,\n'
    [entry_problem] = problems_of(text, "csv")
    assert entry_problem[0] == 4


def test_csv_header_missing_a_required_column_is_reported_once() -> None:
    [(line, message)] = problems_of("sku,title,price,currency\nA-1,One,5,EUR\nB-2,Two,5,EUR\n", "csv")
    assert line == 1 and "stock" in message


def test_csv_unknown_column_is_reported_at_the_header() -> None:
    problems = problems_of("sku,title,price,currency,stock,colour\nA-1,One,5,EUR,1,red\n", "csv")
    assert problems == [(1, "unknown column 'colour' (known fields: " + problems[0][1].split(": ", 1)[1])]


def test_csv_may_leave_out_optional_columns_and_start_with_a_bom() -> None:
    [entry] = parse_catalog("\ufeffsku,title,price,currency,stock\nA-1,One,5,EUR,1\n\n", "csv")
    assert entry == CatalogEntry("A-1", "One", "", Money(500, "EUR"), 1, (), None, True, None, line=2)


def test_csv_tags_are_separated_by_semicolons() -> None:
    [entry] = parse_catalog(CSV_HEADER + 'A-1,Pin,,5,EUR,1,"Enamel Pin; gift, boxed;PIN",,,\n', "csv")
    assert entry.tags == ("enamel pin", "gift, boxed", "pin")


def test_csv_trailing_semicolon_is_an_empty_tag() -> None:
    [(_, message)] = problems_of(CSV_HEADER + "A-1,Pin,,5,EUR,1,pin;,,,\n", "csv")
    assert "empty" in message


def test_csv_row_with_too_many_values_is_reported() -> None:
    [(line, message)] = problems_of(CSV_HEADER + "A-1,Pin,,5,EUR,1,,,,,extra\n", "csv")
    assert line == 2 and "11 values" in message


# ----------------------------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("catalog.yaml", "yaml"), ("shop/Catalog.YML", "yaml"), ("export.csv", "csv"), ("a.b.CSV", "csv")],
)
def test_format_is_detected_from_the_extension(name: str, fmt: str) -> None:
    assert detect_format(name) == fmt


@pytest.mark.parametrize("name", ["catalog.json", "catalog", "catalog.xlsx"])
def test_unknown_extension_is_a_clear_error(name: str) -> None:
    with pytest.raises(CatalogFileError) as caught:
        detect_format(name)
    assert name in str(caught.value) and ".csv" in str(caught.value)


def test_yaml_export_keeps_the_documented_key_order_and_exact_prices() -> None:
    entry = CatalogEntry(
        "TEA-SET-01",
        "Celadon tea set",
        "Hand-thrown.",
        Money(250, "USD"),
        20,
        ("tea", "ceramics"),
        "https://example.org/tea.jpg",
        True,
        "Celadon Studio",
        line=0,
    )
    text = dump_catalog([entry], "yaml")
    keys = [line.strip(" -").split(":")[0] for line in text.splitlines()[1:]]
    assert keys == "sku title description price currency stock tags photo active brand kind".split()
    assert "    price: 2.50\n" in text
    assert "    tags: [tea, ceramics]\n" in text
    csv_text = dump_catalog([entry], "csv")
    assert csv_text.splitlines()[1].split(",")[3] == "2.50"


def test_empty_catalog_round_trips() -> None:
    for fmt in ("yaml", "csv"):
        assert parse_catalog(dump_catalog([], fmt), fmt) == []


# ------------------------------------------------------------------------------------- round-trip property

_TEXT_CHARS = st.one_of(
    st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp")),
    st.sampled_from("青瓷茶具木版画丝巾书法毛笔明信片 ,;:#'\"-[]{}&*!|>%@`"),
)


def _text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return (
        st.text(_TEXT_CHARS, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda s: min_size <= len(s) <= max_size)
    )


_description = st.lists(_text(0, 60), max_size=4).map(lambda parts: "\n".join(parts).strip())
_tag = (
    _text(1, 32)
    .map(lambda s: s.lower().strip())
    .filter(lambda s: 1 <= len(s) <= 32 and ";" not in s and s == s.lower().strip())
)
_photo = st.one_of(
    st.none(),
    st.from_regex(r"https://example\.org/[a-z0-9/._-]{1,40}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_-]{10,80}", fullmatch=True),
)


@st.composite
def _prices(draw: st.DrawFn) -> Money:
    currency = draw(st.sampled_from(["XTR", "USD", "EUR", "JPY", "KWD"]))
    if currency == "XTR":
        return Money(draw(st.integers(1, 10_000)), currency)
    return Money(draw(st.integers(1, 10**9)), currency)


_entry = st.builds(
    CatalogEntry,
    sku=st.from_regex(r"[A-Za-z0-9._-]{1,40}", fullmatch=True),
    title=_text(1, 32),
    description=_description,
    price=_prices(),
    stock=st.integers(0, 1_000_000),
    tags=st.lists(_tag, max_size=4, unique=True).map(tuple),
    photo=_photo,
    active=st.booleans(),
    brand=st.one_of(st.none(), _text(1, 64)),
    line=st.just(0),
)


@st.composite
def _entries(draw: st.DrawFn) -> CatalogEntry:
    """A valid entry: Stars only for digital goods (with content) and services; physical goods in fiat."""
    entry = draw(_entry)
    kind = draw(st.sampled_from(["digital", "service"] if entry.price.is_stars else ["physical", "digital", "service"]))
    content = draw(_photo.filter(lambda value: value is not None)) if kind == "digital" else None
    return dataclasses.replace(entry, kind=kind, content=content)


_catalogs = st.lists(_entries(), max_size=5, unique_by=lambda entry: entry.sku)


@settings(max_examples=300, deadline=None)
@given(entries=_catalogs, fmt=st.sampled_from(["yaml", "csv"]))
def test_dump_then_parse_gives_the_same_entries(entries: list[CatalogEntry], fmt: str) -> None:
    text = dump_catalog(entries, fmt)  # type: ignore[arg-type]
    assert without_lines(parse_catalog(text, fmt)) == entries  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(entries=_catalogs)
def test_yaml_and_csv_exports_of_any_catalog_agree(entries: list[CatalogEntry]) -> None:
    from_yaml = parse_catalog(dump_catalog(entries, "yaml"), "yaml")
    from_csv = parse_catalog(dump_catalog(entries, "csv"), "csv")
    assert without_lines(from_yaml) == without_lines(from_csv)
