"""A fake Telegram Bot API server (real HTTP, real bot frameworks): the sandbox's Telegram and the test suite's.

It knows nothing of circlecart: bots talk to it over the Bot API, checked against the official spec in spec/;
people act through the scenario methods (`send_message`, `press_button`, `pay`, ...)."""

from .core import Call, ErrorRecord, FloodEvent, SendRecord
from .polls import PollRecord, PollVoteRefused
from .scenario import Delivered, PaymentResult
from .server import FakeTelegram
from .spec import ApiError, Spec, load_spec
from .world import (
    CallbackAnswer,
    Charge,
    FakeBot,
    FakeChat,
    FakeUser,
    InvoiceRecord,
    PreCheckoutAnswer,
    Refund,
    StoredMessage,
)

__all__ = [
    "ApiError",
    "Call",
    "CallbackAnswer",
    "Charge",
    "Delivered",
    "ErrorRecord",
    "FakeBot",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "FloodEvent",
    "InvoiceRecord",
    "PaymentResult",
    "PollRecord",
    "PollVoteRefused",
    "PreCheckoutAnswer",
    "Refund",
    "SendRecord",
    "Spec",
    "StoredMessage",
    "load_spec",
]
