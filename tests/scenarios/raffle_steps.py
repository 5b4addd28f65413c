"""Story steps for raffles: a shop whose drand relay is a local fake, entering, and checking the published file."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.drops.model import Drop, DropMode
from tests.conftest import STARS_CATALOG
from tests.scenarios.drops_steps import allow_brand_directly, make_staff, outbox_drained, schedule, travel_to
from tests.scenarios.harness import Shop, running_shop
from tests.support.clock import FakeClock
from tests.support.fake_drand import FakeDrand

VERIFY_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_raffle.py"
PSEUDONYM = re.compile(r"\be_[0-9a-f]{12}\b")


@pytest.fixture
async def drand() -> AsyncIterator[FakeDrand]:
    """drand's relay, on 127.0.0.1: rounds come out as the shop's clock reaches them."""
    relay = FakeDrand(FakeClock().now)
    await relay.start()
    try:
        yield relay
    finally:
        await relay.stop()


@pytest.fixture
async def raffle_shop(framework: str, tmp_path: Path, drand: FakeDrand) -> AsyncIterator[Shop]:
    clock = FakeClock()
    drand.now = clock.now
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    async with running_shop(framework, url, str(STARS_CATALOG), clock=clock, beacon_url=drand.base_url) as shop:
        yield shop


@dataclass(frozen=True)
class OpenRaffle:
    brand_person: Any
    group: Any
    drop: Drop
    announcement: Any


async def open_raffle(shop: Shop, units: int = 2) -> OpenRaffle:
    """Celadon Studio's raffle of `units` tea sets, open now in Tea Lovers."""
    brand_person = shop.member("Bo")
    await shop.say(brand_person, None, "/start")
    await make_staff(shop, "Celadon Studio", brand_person)
    group = await shop.group_with_bot("Tea Lovers")
    await allow_brand_directly(shop, group.id, "Celadon Studio")
    drop = await schedule(shop, quantity=units, starts_in=timedelta(minutes=10), mode=DropMode.RAFFLE)
    await travel_to(shop, drop.starts_at)
    await outbox_drained(shop)
    return OpenRaffle(brand_person, group, drop, shop.fake.last(group))


async def members_who_started_the_bot(shop: Shop, count: int) -> list[Any]:
    members = [shop.member(f"Fan{i}") for i in range(count)]
    for member in members:
        await shop.say(member, None, "/start")
    return members


def pseudonym_in(text: str) -> str:
    found = PSEUDONYM.search(text)
    assert found is not None, f"no pseudonym in {text!r}"
    return found.group(0)


async def told_pseudonym(shop: Shop, member: Any) -> str:
    """The pseudonym the bot told the member in private when they entered."""
    await outbox_drained(shop)
    notes = [m for m in shop.fake.sent(member) if "entrant id" in m.content]
    assert notes, f"{member.first_name} was not told their entrant id"
    return pseudonym_in(notes[-1].content)


def published_results(shop: Shop, group: Any) -> tuple[Any, bytes]:
    """The results post in the group (a document) and the file a member downloads from it."""
    posts = [m for m in shop.fake.sent(group) if m.document is not None]
    assert len(posts) == 1, f"expected one results file in the group, found {len(posts)}"
    return posts[0], shop.fake.document_content(posts[0])


async def verify_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """scripts/verify_raffle.py as a member runs it: a separate Python, nothing of circlecart imported."""
    command = [sys.executable, "-I", str(VERIFY_SCRIPT), *map(str, args)]
    return await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=60, check=False)
