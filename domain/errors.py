"""The one exception the domain raises: a stable code the bot layer turns into a message."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. `code` is stable (e.g. 'product.sold_out'); `params` fill the message."""

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.code} ({details})"
