"""Failures of an operator's command: printed as one line by the CLI, exit status 1."""

from __future__ import annotations


class CliError(Exception):
    pass
