"""Fixtures for the whole suite: databases (SQLite and PostgreSQL), the fake Telegram server, a running shop."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import bots.aiogram  # noqa: F401  (first: aiogram imported as `circlecart run` imports it, models built on use)
from tests.bot_api.fixtures import *  # noqa: F403 - the fake Bot API server fixtures
from tests.support.databases import *  # noqa: F403 - database_url, database, sqlite/postgres fixtures

STARS_CATALOG = Path(__file__).resolve().parent / "support" / "stars_catalog.yaml"  # Stars prices: services
FRAMEWORKS = ["aiogram", "ptb"]

# No test reaches the internet: a raffle drawn without a test's own fake drand server asks a local port that
# refuses at once (and then draws with the stated fallback), never api.drand.sh.
os.environ.setdefault("CIRCLECART_BEACON_URL", "http://127.0.0.1:9")


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def shop(framework: str, tmp_path: Path) -> AsyncIterator[object]:
    """circlecart with the example catalog on a fresh SQLite file, on each framework."""
    from tests.scenarios.harness import running_shop

    async with running_shop(framework, f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}", str(STARS_CATALOG)) as s:
        yield s
