"""`circlecart votes propose|show`: the operator proposes a vote from a shell and reads its totals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from domain.communities import Community
from storage.database import Database
from storage.migrate import upgrade_async
from tests.cli.test_member_commands import circlecart

GROUP = -1001234567890


async def _a_brand_allowed_in_a_group(url: str) -> None:
    await upgrade_async(url)
    async with await Database.connect(url) as database, database.uow() as uow:
        brand = await uow.brands.add("Celadon Studio")
        await uow.communities.save(Community(GROUP, "Tea Circle", True, datetime(2026, 1, 1, tzinfo=UTC)))
        await uow.brand_optins.set(GROUP, brand.id, True, 1, datetime(2026, 1, 1, tzinfo=UTC))
        await uow.commit()


async def test_the_operator_proposes_a_vote_and_reads_its_totals(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await _a_brand_allowed_in_a_group(url)
    line = f"Celadon Studio; Which cup next?; {GROUP}; 48; digital 50 XTR 10 72; early 12; Crane 45; Lotus 50"
    proposed = circlecart("votes", "propose", line, database_url=url)
    assert proposed.returncode == 0, proposed.stderr
    assert "vote #1 is recorded" in proposed.stdout
    shown = circlecart("votes", "show", "1", database_url=url)
    assert shown.returncode == 0, shown.stderr
    assert "Crane: 0\nLotus: 0" in shown.stdout and "Tea Circle: 0 / 0" in shown.stdout

    refused = circlecart("votes", "propose", "Celadon Studio; only a question", database_url=url)
    assert refused.returncode == 1 and "Send /vote BRAND; QUESTION" in refused.stderr
