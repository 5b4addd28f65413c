"""Failures of an operator's command: printed as sentences by the CLI (circlecart/speech.py), exit status 1."""

from __future__ import annotations


class CliError(Exception):
    """What went wrong, as an English sentence (a msgid, marked with N_ where it is raised) and its params.

    The CLI prints it translated into the operator's language. A param may itself be an exception (a
    DomainError, say): it is explained in the same language, so a code never reaches the operator."""

    def __init__(self, msgid: str, /, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.msgid
        try:
            return self.msgid.format(**{k: str(v) for k, v in self.params.items()})
        except (KeyError, IndexError, ValueError):
            return self.msgid


class StartupError(Exception):
    """A fault the operator must fix before the bot can start; its text names the cause and the fix."""
