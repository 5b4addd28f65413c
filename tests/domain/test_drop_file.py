"""Drop files: keys name drops so a file can be scheduled twice, and every problem is told with its line."""

from __future__ import annotations

import pytest

from domain.drops.plan_file import DropFileError, parse_drop_file

DROP = (
    "  - brand: Celadon Studio\n"
    "    product: TEA-SET-01\n"
    "    quantity: 2\n"
    "    price: 180\n"
    "    starts: 2026-12-01T12:00:00Z\n"
    "    ends: 2026-12-01T13:00:00Z\n"
)


def test_a_drop_carries_its_key_and_its_groups_in_one_order() -> None:
    (entry,) = parse_drop_file("drops:\n" + DROP + "    key: celadon-december\n    communities: [-3, -1, -3]\n")
    assert entry.key == "celadon-december" and entry.communities == (-3, -1)
    (plain,) = parse_drop_file("drops:\n" + DROP)
    assert plain.key is None


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("    key: two words\n", "drop 1 (line 2): key must be 1 to 64 letters, digits or . _ : / - , got 'two words'"),
        ("    key: k\n    id: 4\n", "drop 1 (line 2): give either id (to edit that drop) or key, not both"),
        ("    quantity_typo: 3\n", "drop 1 (line 2): unknown fields quantity_typo"),
    ],
)
def test_a_bad_drop_is_named_by_its_line(extra: str, problem: str) -> None:
    with pytest.raises(DropFileError) as refused:
        parse_drop_file("drops:\n" + DROP + extra)
    assert str(refused.value) == problem


def test_two_drops_of_a_brand_cannot_share_a_key_and_yaml_errors_give_their_line() -> None:
    with pytest.raises(DropFileError) as refused:
        parse_drop_file("drops:\n" + DROP + "    key: k\n" + DROP + "    key: k\n")
    assert str(refused.value) == "drop 2 (line 9): key 'k' is given to two drops of Celadon Studio"
    with pytest.raises(DropFileError) as refused:
        parse_drop_file("drops:\n  - brand: [Celadon\n")
    assert str(refused.value).startswith("line 3: this is not valid YAML: ")
