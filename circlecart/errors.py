"""Failures of an operator's command: printed as one line by the CLI, exit status 1."""

from __future__ import annotations


class CliError(Exception):
    pass


class StartupError(Exception):
    """A fault the operator must fix before the bot can start; its text names the cause and the fix."""
