"""The operator and brand staff: brands and staff from the CLI and the bot, drops scheduled from YAML."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from circlecart.cli import main
from domain.drops.model import DropStatus
from tests.conftest import STARS_CATALOG
from tests.scenarios.drops_steps import allow_brand_directly, drop_state, outbox_drained, travel_to
from tests.scenarios.harness import running_shop

OPERATOR_ID = 4242


async def test_the_operator_sets_up_a_brand_and_its_staff_schedule_and_cancel_drops(
    framework: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", url)
    async with running_shop(framework, url, str(STARS_CATALOG), owner_ids=(OPERATOR_ID,)) as shop:

        async def cli(*args: str) -> int:
            return await asyncio.to_thread(main, list(args), shop.clock)  # the CLI on the bot's clock

        operator, staff, stranger = shop.fake.user(OPERATOR_ID, "Op"), shop.member("Bo"), shop.member("Zed")
        (answer,) = await shop.say(operator, None, "/brand add Moon Kiln")
        assert "Brand Moon Kiln registered" in answer.content
        (refusal,) = await shop.say(stranger, None, "/brand add Fake Brand")
        assert "Only the operator" in refusal.content
        (answer,) = await shop.say(operator, None, f"/brand staff Moon Kiln {staff.id}")
        assert f"{staff.id} is now staff of Moon Kiln" in answer.content
        assert await cli("brand", "add", "Moon Kiln") == 1  # names are unique
        assert await cli("brand", "staff", "add", "Celadon Studio", str(staff.id)) == 0
        assert "is now staff of Celadon Studio" in capsys.readouterr().out

        group = await shop.group_with_bot("Tea Lovers")
        group.add_member(operator)  # in the group, not its admin: which brands may announce is the group's say
        (refusal,) = await shop.say(operator, group, "/brands")
        assert "Only this group's moderators" in refusal.content
        await allow_brand_directly(shop, group.id, "Celadon Studio")
        starts = shop.clock.now() + timedelta(hours=2)
        plan = tmp_path / "drops.yaml"
        plan.write_text(
            "drops:\n"
            "  - brand: Celadon Studio\n"
            "    product: TEA-SET-01\n"
            "    quantity: 3\n"
            "    price: 180\n"
            f"    starts: {starts.isoformat()}\n"
            f"    ends: {(starts + timedelta(hours=1)).isoformat()}\n"
            "    limit: 1\n"
            f"    communities: [{group.id}]\n"
            "  - brand: Celadon Studio\n"
            "    product: TEA-SET-01\n"
            "    quantity: 1\n"
            "    price: 400\n"
            "    mode: raffle\n"
            f"    starts: {(starts + timedelta(days=1)).isoformat()}\n"
            f"    ends: {(starts + timedelta(days=2)).isoformat()}\n",
            encoding="utf-8",
        )
        assert await cli("drop", "schedule", str(plan)) == 0
        scheduled = [line for line in capsys.readouterr().out.splitlines() if line.startswith("drop ")]
        assert len(scheduled) == 2 and "180 ⭐" in scheduled[0] and "raffle" in scheduled[1]
        first_id, second_id = (int(line.split()[1].rstrip(":")) for line in scheduled)

        change = tmp_path / "change.yaml"
        change.write_text(
            "drops:\n"
            f"  - id: {first_id}\n"
            "    brand: Celadon Studio\n"
            "    product: TEA-SET-01\n"
            "    quantity: 4\n"
            "    price: 180\n"
            f"    starts: {starts.isoformat()}\n"
            f"    ends: {(starts + timedelta(hours=1)).isoformat()}\n"
            f"    communities: [{group.id}]\n",
            encoding="utf-8",
        )
        assert await cli("drop", "schedule", str(change)) == 0
        capsys.readouterr()
        assert (await drop_state(shop, first_id)).quantity == 4  # edited before it opens

        bad = tmp_path / "bad.yaml"
        bad.write_text("drops:\n  - brand: Celadon Studio\n    product: TEA-SET-01\n    quantity: many\n")
        assert await cli("drop", "schedule", str(bad)) == 1
        assert "quantity must be a whole number" in capsys.readouterr().err

        (menu,) = await shop.say(staff, None, "/brand")
        assert "Celadon Studio" in menu.content and "Moon Kiln" in menu.content
        assert f"#{first_id}" in menu.content and f"#{second_id}" in menu.content
        answer = await shop.press(stranger, menu, text=f"Cancel #{second_id}")  # not their brand
        assert "not staff" in answer.text
        answer = await shop.press(staff, menu, text=f"Cancel #{second_id}")
        assert f"Drop #{second_id} cancelled" in answer.text
        assert (await drop_state(shop, second_id)).status is DropStatus.CANCELLED
        (nothing,) = await shop.say(stranger, None, "/brand")
        assert "not staff of any brand" in nothing.content

        await travel_to(shop, starts)
        await outbox_drained(shop)
        assert "Drop: Celadon tea set" in shop.fake.last(group).content
        answer = await shop.press(staff, menu, text=f"Cancel #{first_id}")
        assert "can no longer be changed" in answer.text  # it opened already
