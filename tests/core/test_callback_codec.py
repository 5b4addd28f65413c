"""Buttons carry callback data anyone can forge; the codec must refuse everything it did not make."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bots.core.app import build_table
from bots.core.callbacks import MAX_BYTES, InvalidCallback


@pytest.fixture
def codec():  # type: ignore[no-untyped-def]
    return build_table().codec


def test_every_button_round_trips(codec) -> None:  # type: ignore[no-untyped-def]
    for action, args in [("page", (3,)), ("product", (42,)), ("buy", (9_999_999,)), ("lang", ("zh",))]:
        decoded = codec.decode(codec.encode(action, *args))
        assert (decoded.action, decoded.args) == (action, args)


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "buy:1",  # no version
        "0:buy:1",  # an older version of the bot
        "1:buy",  # missing argument
        "1:buy:1:2",  # extra argument
        "1:buy:one",  # wrong type
        "1:buy:1e3",
        "1:refund:1",  # no such action
        "1:lang:../../etc",
        "1:buy:" + "9" * 40,
        "1:" + "x" * 70,
    ],
)
def test_forged_or_stale_data_is_refused(codec, forged: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidCallback):
        codec.decode(forged)


@given(st.text(max_size=80))
def test_arbitrary_data_never_crashes_the_decoder(data: str) -> None:
    codec = build_table().codec
    try:
        decoded = codec.decode(data)
    except InvalidCallback:
        return
    assert decoded.action in build_table().actions


def test_encoded_data_fits_telegrams_64_bytes(codec) -> None:  # type: ignore[no-untyped-def]
    assert len(codec.encode("buy", 10**17).encode()) <= MAX_BYTES
    with pytest.raises(ValueError):
        codec.encode("lang", "x" * 70)
