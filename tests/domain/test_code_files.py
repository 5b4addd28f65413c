"""A pool of codes as a brand writes it: one code per line, all or nothing, every problem by its line."""

from __future__ import annotations

import pytest

from domain.shop.digital import CODE_MAX, CodesFileError, parse_codes
from domain.shop.products import content_kind


def test_codes_are_read_one_per_line_stripped_with_blank_lines_skipped() -> None:
    assert parse_codes("\ufeffTK-1\r\n  TK-2  \n\n\tTK-3\n") == ["TK-1", "TK-2", "TK-3"]


def test_every_bad_line_is_reported_and_nothing_is_taken() -> None:
    text = "TK-1\nTK-2\nTK-1\n" + "X" * (CODE_MAX + 1) + "\nTK\x07BEL\n"
    with pytest.raises(CodesFileError) as refused:
        parse_codes(text)
    assert refused.value.problems == [
        (3, "code 'TK-1' is also on line 1"),
        (4, f"the code is {CODE_MAX + 1} characters long; the limit is {CODE_MAX}"),
        (5, "the code contains a control character"),
    ]
    assert "line 3: code 'TK-1' is also on line 1" in str(refused.value)


def test_a_file_without_codes_is_refused() -> None:
    with pytest.raises(CodesFileError) as refused:
        parse_codes("\n  \n")
    assert refused.value.problems == [(0, "the file holds no code: write one code per line")]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("pool", "pool"),
        ("https://example.org/guide.pdf", "link"),
        ("BQACAgIAAxkBAAIBQ2Zfile_id-123", "file"),
        (None, None),
    ],
)
def test_a_digital_products_content_says_how_it_is_delivered(content: str | None, kind: str | None) -> None:
    assert content_kind(content) == kind
