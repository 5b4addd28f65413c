"""The callback-data codec: typed, versioned, and suspicious of everything it decodes.

Anyone can forge callback data (it is at most 64 bytes of the client's choosing), so decode() checks the
version, the action and every argument's type before a handler sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "1"
SEPARATOR = ":"
MAX_BYTES = 64
_INT = re.compile(r"^-?[0-9]{1,18}$")  # ASCII: `\d` also matches other scripts' digits
_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


class InvalidCallback(ValueError):
    """Forged, malformed or from an older version of the bot."""


@dataclass(frozen=True, slots=True)
class ActionSchema:
    name: str
    args: tuple[type, ...] = ()  # int or str (str args must be simple tokens)


@dataclass(frozen=True, slots=True)
class Callback:
    action: str
    args: tuple[int | str, ...]

    def int_arg(self, index: int) -> int:
        value = self.args[index]
        assert isinstance(value, int)
        return value

    def str_arg(self, index: int) -> str:
        value = self.args[index]
        assert isinstance(value, str)
        return value


class CallbackCodec:
    def __init__(self) -> None:
        self._schemas: dict[str, ActionSchema] = {}

    def register(self, schema: ActionSchema) -> None:
        if not _TOKEN.match(schema.name) or SEPARATOR in schema.name:
            raise ValueError(f"bad action name {schema.name!r}")
        if schema.name in self._schemas:
            raise ValueError(f"action {schema.name!r} registered twice")
        self._schemas[schema.name] = schema

    def encode(self, action: str, *args: int | str) -> str:
        schema = self._schemas[action]
        if len(args) != len(schema.args):
            raise ValueError(f"{action} takes {len(schema.args)} args")
        parts = [VERSION, action]
        for kind, value in zip(schema.args, args, strict=True):
            if kind is int and isinstance(value, int) and not isinstance(value, bool):
                parts.append(str(value))
            elif kind is str and isinstance(value, str) and _TOKEN.match(value):
                parts.append(value)
            else:
                raise ValueError(f"bad argument {value!r} for {action}")
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    def decode(self, data: str) -> Callback:
        if not data or len(data.encode()) > MAX_BYTES:
            raise InvalidCallback("size")
        version, _, rest = data.partition(SEPARATOR)
        if version != VERSION:
            raise InvalidCallback(f"version {version!r}")
        action, *raw = rest.split(SEPARATOR)
        schema = self._schemas.get(action)
        if schema is None:
            raise InvalidCallback(f"action {action!r}")
        if len(raw) != len(schema.args):
            raise InvalidCallback(f"{action} arity")
        args: list[int | str] = []
        for kind, text in zip(schema.args, raw, strict=True):
            if kind is int:
                if not _INT.match(text):
                    raise InvalidCallback(f"{action} int arg {text!r}")
                args.append(int(text))
            else:
                if not _TOKEN.match(text):
                    raise InvalidCallback(f"{action} str arg {text!r}")
                args.append(text)
        return Callback(action, tuple(args))
