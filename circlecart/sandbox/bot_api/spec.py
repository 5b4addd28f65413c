"""Validation of Bot API calls against the machine-readable spec shipped beside this module (spec/)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SPEC_ENV = "CIRCLECART_TELEGRAM_SPEC"
DEFAULT_SPEC_PATH = Path(__file__).resolve().parent / "spec" / "telegram-bot-api-10.1.json"  # MIT, see spec/LICENSE

_SCALARS = {"Integer", "String", "Boolean", "Float", "InputFile"}
_DISCRIMINATOR = re.compile(r'(?:must be|always)\s+[“"]?([a-z_0-9]+)')
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


class ApiError(Exception):
    """An error answer of the Bot API (the HTTP status equals error_code)."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (an InputFile)."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def spec_path() -> Path:
    return Path(os.environ.get(SPEC_ENV) or DEFAULT_SPEC_PATH)


def load_spec(path: str | os.PathLike[str] | None = None) -> Spec:
    """The spec at path, else at $CIRCLECART_TELEGRAM_SPEC, else the copy in spec/ beside this module."""
    return _load_spec(str(Path(path or spec_path()).resolve()))


@cache
def _load_spec(path: str) -> Spec:
    return Spec(json.loads(Path(path).read_text(encoding="utf-8")))


class _Invalid(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    return type(value).__name__


class Spec:
    """The Bot API spec: which methods exist and what every parameter and type must look like."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version: str = raw.get("version", "")
        self.methods: dict[str, dict[str, Any]] = dict(raw["methods"])
        self.types: dict[str, dict[str, Any]] = dict(raw["types"])
        self._method_by_lower = {name.lower(): name for name in self.methods}
        self._discriminators: dict[str, dict[str, list[str]]] = {}
        self._checks: dict[str, Callable[[dict[str, Any], str], None]] = {
            "InlineKeyboardButton": self._check_inline_button,
            "BotCommand": self._check_bot_command,
            "InputTextMessageContent": self._check_input_text,
            "InputInvoiceMessageContent": self._check_invoice_content,
        }
        button = self.types.get("InlineKeyboardButton", {"fields": []})
        self.inline_button_actions = [
            f["name"] for f in button["fields"] if f["name"] not in {"text", "icon_custom_emoji_id", "style"}
        ]

    # -- lookup -------------------------------------------------------------------------------

    def method_name(self, name: str) -> str | None:
        """The canonical name of a method (the Bot API matches method names case-insensitively)."""
        return self._method_by_lower.get(name.lower())

    def fields(self, method: str) -> list[dict[str, Any]]:
        return list(self.methods[method].get("fields", []))

    def returns(self, method: str) -> list[str]:
        return list(self.methods[method].get("returns", []))

    def type_fields(self, type_name: str) -> list[dict[str, Any]]:
        return list(self.types[type_name].get("fields", []))

    def required_fields(self, type_name: str) -> list[dict[str, Any]]:
        return [f for f in self.type_fields(type_name) if f["required"]]

    # -- request parameters -------------------------------------------------------------------

    def validate_call(self, method: str, params: Mapping[str, Any], from_form: bool) -> dict[str, Any]:
        """Check and coerce the parameters of a call; return the parameters the method knows.

        Raises ApiError(400) the way the Bot API does. Unknown parameters are dropped, as the
        real server ignores them.
        """
        result: dict[str, Any] = {}
        for field in self.fields(method):
            name = field["name"]
            value = params.get(name)
            if value is None or (value == "" and from_form):
                if field["required"]:
                    raise bad_request(f'parameter "{name}" is required')
                continue
            coerced = self._coerce_top(name, value, field["types"], from_form)
            try:
                self._check_union(coerced, field["types"], name)
            except _Invalid as exc:
                if exc.path == name:
                    raise bad_request(f'parameter "{name}" {exc.message}') from None
                raise bad_request(f'can\'t parse parameter "{name}": field "{exc.path}" {exc.message}') from None
            result[name] = coerced
        return result

    def _coerce_top(self, name: str, value: Any, types: list[str], from_form: bool) -> Any:
        # The real server receives every top-level parameter as a string (form fields), so it
        # converts them; nested objects, however, are JSON and are checked strictly.
        if isinstance(value, UploadedFile):
            if "InputFile" in types:
                return value
            raise bad_request(f'parameter "{name}" must not be a file')
        if not isinstance(value, str):
            return value
        if types == ["String"] or ("InputFile" in types and "String" in types):
            return value
        for type_expr in types:
            if type_expr == "Integer" and _INT_RE.fullmatch(value.strip()):
                return int(value)
            if type_expr == "Float" and _FLOAT_RE.fullmatch(value.strip()):
                return float(value)
            if type_expr == "Boolean" and value.strip().lower() in {"true", "false", "1", "0"}:
                return value.strip().lower() in {"true", "1"}
            if type_expr.startswith("Array of ") or type_expr in self.types:
                try:
                    decoded = json.loads(value)
                except ValueError:
                    continue
                if isinstance(decoded, dict | list):
                    return decoded
        if "String" in types:
            return value
        expected = " or ".join(types)
        raise bad_request(f'parameter "{name}" must be {expected}, got "{value[:40]}"')

    # -- recursive type checks ----------------------------------------------------------------

    def check_value(self, value: Any, type_expr: str, path: str = "value") -> str | None:
        """Return an error message if value does not fit the type, else None."""
        try:
            self._check(value, type_expr, path)
        except _Invalid as exc:
            return f"{exc.path}: {exc.message}"
        return None

    def _check_union(self, value: Any, types: Iterable[str], path: str) -> None:
        types = list(types)
        errors: list[_Invalid] = []
        for type_expr in types:
            try:
                self._check(value, type_expr, path)
                return
            except _Invalid as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        # Prefer the error that got deepest: it is the one about the type the caller meant.
        deepest = max(errors, key=lambda e: len(e.path))
        if deepest.path != path:
            raise deepest
        raise _Invalid(path, f"must be {' or '.join(types)}, got {_describe(value)}")

    def _check(self, value: Any, type_expr: str, path: str) -> None:
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                raise _Invalid(path, f"must be an Array, got {_describe(value)}")
            inner = type_expr[len("Array of ") :]
            for i, item in enumerate(value):
                self._check(item, inner, _join(path, i))
            return
        if type_expr == "Integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise _Invalid(path, f"must be Integer, got {_describe(value)}")
            return
        if type_expr == "Float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _Invalid(path, f"must be Float, got {_describe(value)}")
            return
        if type_expr == "Boolean":
            if not isinstance(value, bool):
                raise _Invalid(path, f"must be Boolean, got {_describe(value)}")
            return
        if type_expr == "String":
            if not isinstance(value, str):
                raise _Invalid(path, f"must be String, got {_describe(value)}")
            return
        if type_expr == "InputFile":
            if not isinstance(value, UploadedFile | str):
                raise _Invalid(path, f"must be InputFile, got {_describe(value)}")
            return
        spec_type = self.types.get(type_expr)
        if spec_type is None:
            raise _Invalid(path, f"has unknown type {type_expr}")
        if "subtypes" in spec_type:
            self._check_subtypes(value, type_expr, spec_type["subtypes"], path)
            return
        if not isinstance(value, dict):
            raise _Invalid(path, f"must be {type_expr} object, got {_describe(value)}")
        for field in spec_type.get("fields", []):
            name = field["name"]
            item = value.get(name)
            field_path = _join(path, name)
            if item is None:
                if field["required"]:
                    raise _Invalid(field_path, "is required")
                continue
            self._check_union(item, field["types"], field_path)
        check = self._checks.get(type_expr)
        if check is not None:
            check(value, path)
        if type_expr.startswith("InlineQueryResult") and "id" in value:
            if not 1 <= len(value["id"].encode()) <= 64:
                raise _Invalid(_join(path, "id"), "must be 1-64 bytes")

    def _discriminator_map(self, union: str, subtypes: list[str]) -> dict[str, list[str]]:
        cached = self._discriminators.get(union)
        if cached is not None:
            return cached
        mapping: dict[str, list[str]] = {}
        for sub in subtypes:
            fields = self.types.get(sub, {}).get("fields", [])
            if not fields or fields[0]["name"] not in {"type", "source", "status"}:
                continue
            match = _DISCRIMINATOR.search(fields[0]["description"])
            if match:
                mapping.setdefault(f"{fields[0]['name']}={match.group(1)}", []).append(sub)
        self._discriminators[union] = mapping
        return mapping

    def _check_subtypes(self, value: Any, union: str, subtypes: list[str], path: str) -> None:
        candidates = list(subtypes)
        if isinstance(value, dict):
            mapping = self._discriminator_map(union, subtypes)
            if mapping:
                key_name = next(iter(mapping)).split("=", 1)[0]
                key = f"{key_name}={value.get(key_name)}"
                if key not in mapping:
                    raise _Invalid(_join(path, key_name), f"is not a valid {union} {key_name}")
                candidates = mapping[key]
        errors: list[_Invalid] = []
        for sub in candidates:
            try:
                self._check(value, sub, path)
                return
            except _Invalid as exc:
                errors.append(exc)
        if len(candidates) == 1:
            raise errors[0]
        # Without a discriminator, the candidate that got deepest is the one the caller meant.
        deepest = max(errors, key=lambda e: len(e.path))
        if deepest.path != path:
            raise deepest
        raise _Invalid(path, f"can't be parsed as {union}")

    # -- documented limits that the JSON does not encode ---------------------------------------

    def _check_inline_button(self, button: dict[str, Any], path: str) -> None:
        actions = [name for name in self.inline_button_actions if button.get(name) is not None]
        if not actions:
            raise _Invalid(path, "is a text button, and text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise _Invalid(path, f"must use exactly one of {', '.join(actions)}")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(data.encode()) <= 64:
            raise _Invalid(_join(path, "callback_data"), "BUTTON_DATA_INVALID: must be 1-64 bytes")

    def _check_bot_command(self, command: dict[str, Any], path: str) -> None:
        if not _COMMAND_RE.fullmatch(command["command"]):
            raise _Invalid(_join(path, "command"), "BOT_COMMAND_INVALID: must be 1-32 characters of a-z, 0-9, _")
        if not 1 <= len(command["description"]) <= 256:
            raise _Invalid(_join(path, "description"), "must be 1-256 characters")

    def _check_input_text(self, content: dict[str, Any], path: str) -> None:
        if not 1 <= utf16_len(content["message_text"]) <= 4096:
            raise _Invalid(_join(path, "message_text"), "must be 1-4096 characters")

    def _check_invoice_content(self, content: dict[str, Any], path: str) -> None:
        try:
            check_invoice_fields(content)
        except ApiError as exc:
            raise _Invalid(path, exc.description) from None


def check_invoice_fields(params: Mapping[str, Any]) -> None:
    """Limits shared by sendInvoice, createInvoiceLink and InputInvoiceMessageContent."""
    if not 1 <= len(params["title"]) <= 32:
        raise bad_request("invoice title must be 1-32 characters")
    if not 1 <= len(params["description"]) <= 255:
        raise bad_request("invoice description must be 1-255 characters")
    if not 1 <= len(params["payload"].encode()) <= 128:
        raise bad_request("invoice payload must be 1-128 bytes")
    prices = params["prices"]
    if not prices:
        raise bad_request("prices must be non-empty")
    if params["currency"] == "XTR":
        if len(prices) != 1:
            raise bad_request("STARS_INVOICE_INVALID: invoices in Telegram Stars must have exactly one price")
        if params.get("provider_token"):
            raise bad_request("STARS_INVOICE_INVALID: provider_token must be empty for payments in Telegram Stars")
        if params.get("max_tip_amount") or params.get("suggested_tip_amounts"):
            raise bad_request("STARS_INVOICE_INVALID: tips are not supported for Telegram Stars")
    total = sum(p["amount"] for p in prices)
    if total <= 0:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    period = params.get("subscription_period")
    if period is not None:
        if params["currency"] != "XTR":
            raise bad_request("SUBSCRIPTION_PERIOD_INVALID: subscriptions are only available in Telegram Stars")
        if period != 2592000:
            raise bad_request("SUBSCRIPTION_PERIOD_INVALID")
