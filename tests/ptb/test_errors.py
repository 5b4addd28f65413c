"""PTB's exceptions mapped onto the messenger port's errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bots.ptb.messenger import map_error, retry_after_seconds
from domain.messenger import (
    MessageGone,
    QueryExpired,
    RateLimited,
    RecipientUnavailable,
    Rejected,
    TransientFailure,
    Unauthorized,
)

# PTB's own RetryAfter constructor reads retry_after the deprecated way; nothing to do about it here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), RecipientUnavailable),
        (BadRequest("Bad Request: chat not found"), RecipientUnavailable),
        (BadRequest("Bad Request: user not found"), RecipientUnavailable),
        (BadRequest("Bad Request: message is not modified"), Rejected),
        (BadRequest("Bad Request: query is too old and response timeout expired"), QueryExpired),
        (BadRequest("Bad Request: message to edit not found"), MessageGone),
        (BadRequest("Bad Request: message can't be edited"), MessageGone),
        (BadRequest("Bad Request: there is no text in the message to edit"), MessageGone),
        (TimedOut(), TransientFailure),
        (NetworkError("Internal Server Error (500)"), TransientFailure),
        (NetworkError("Bad Gateway"), TransientFailure),
        (ChatMigrated(-100123), Rejected),
        (Conflict("terminated by other getUpdates request"), Rejected),
        (InvalidToken(), Unauthorized),
        (EndPointNotFound("Not Found"), Rejected),
        (TelegramError("something else"), Rejected),
    ],
)
def test_mapping(error: TelegramError, expected: type[Exception]) -> None:
    mapped = map_error(error)
    assert type(mapped) is expected


def test_bad_request_and_timed_out_are_network_errors_in_ptb() -> None:
    # The reason map_error checks BadRequest before NetworkError: a 400 must not look retryable.
    assert issubclass(BadRequest, NetworkError) and issubclass(TimedOut, NetworkError)


def test_message_survives() -> None:
    mapped = map_error(BadRequest("Bad Request: chat not found"))
    assert "chat not found" in str(mapped).lower()


@pytest.mark.parametrize("value", [7, timedelta(seconds=7)])
def test_retry_after_as_int_or_timedelta(value: int | timedelta) -> None:
    mapped = map_error(RetryAfter(value))
    assert isinstance(mapped, RateLimited)
    assert mapped.retry_after == 7.0
    assert isinstance(mapped.retry_after, float)


def test_retry_after_when_ptb_hands_out_timedeltas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    error = RetryAfter(timedelta(seconds=2.5))
    assert isinstance(error.retry_after, timedelta)
    assert retry_after_seconds(error) == 2.5
