"""A fake Telegram Bot API server for scenario tests (real HTTP, real bot frameworks)."""

from .core import Call, ErrorRecord, FloodEvent, SendRecord
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
    "PreCheckoutAnswer",
    "Refund",
    "SendRecord",
    "Spec",
    "StoredMessage",
    "load_spec",
]
