"""The operator runs drops from a shell: the same drop file twice changes nothing, drops are listed with their
states and cancelled before they open (groups that saw a teaser are told), and staff can be removed."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from circlecart.cli import main
from domain.drops.model import DropStatus
from tests.conftest import STARS_CATALOG
from tests.scenarios.drops_steps import allow_brand_directly, drop_state, outbox_drained, travel_to
from tests.scenarios.harness import Shop, running_shop

OPERATOR_ID = 4242


def drop_file(starts: datetime, first_quantity: int = 3, keyed: bool = True) -> str:
    def entry(key: str, quantity: int, price: int, at: datetime) -> str:
        return (
            "  - brand: Celadon Studio\n"
            "    product: TEA-SET-01\n"
            f"    quantity: {quantity}\n"
            f"    price: {price}\n"
            f"    starts: {at.isoformat()}\n"
            f"    ends: {(at + timedelta(hours=1)).isoformat()}\n" + (f"    key: {key}\n" if keyed else "")
        )

    return (
        "drops:\n"
        + entry("tea-first", first_quantity, 180, starts)
        + entry("tea-second", 2, 200, starts + timedelta(days=2))
    )


async def stock_of_tea_set(shop: Shop) -> int:
    async with shop.uow() as uow:
        product = await uow.products.get_by_sku("TEA-SET-01")
    assert product is not None
    return product.stock


async def test_the_same_drop_file_twice_changes_nothing_and_the_operator_lists_and_cancels_drops(
    framework: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", url)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    async with running_shop(framework, url, str(STARS_CATALOG), owner_ids=(OPERATOR_ID,)) as shop:

        async def cli(*args: str) -> tuple[int, str, str]:
            code = await asyncio.to_thread(main, list(args), shop.clock)  # the CLI on the bot's clock
            out, err = capsys.readouterr()
            return code, out, err

        group = await shop.group_with_bot("Tea Lovers")
        await allow_brand_directly(shop, group.id, "Celadon Studio")
        stock = await stock_of_tea_set(shop)
        starts = shop.clock.now() + timedelta(hours=30)
        plan = tmp_path / "drops.yaml"
        plan.write_text(drop_file(starts), encoding="utf-8")

        code, out, _ = await cli("drop", "schedule", str(plan))
        assert code == 0
        lines = [line for line in out.splitlines() if line.startswith("drop ")]
        assert len(lines) == 2 and all(line.endswith(": created") for line in lines)
        assert "[key tea-first]" in lines[0] and "[key tea-second]" in lines[1]
        first_id, second_id = (int(line.split()[1].rstrip(":")) for line in lines)
        assert await stock_of_tea_set(shop) == stock - 5  # both drops set their units aside

        code, out, _ = await cli("drop", "schedule", str(plan))  # the same file again
        assert code == 0
        assert [line.rsplit(": ", 1)[1] for line in out.splitlines() if line.startswith("drop ")] == ["unchanged"] * 2
        assert f"nothing changed: every drop in {plan} was already scheduled as it says" in out
        assert await stock_of_tea_set(shop) == stock - 5  # nothing set aside twice

        plan.write_text(drop_file(starts, first_quantity=4), encoding="utf-8")  # the brand wants one more unit
        code, out, _ = await cli("drop", "schedule", str(plan))
        assert code == 0
        outcomes = [line.rsplit(": ", 1)[1] for line in out.splitlines() if line.startswith("drop ")]
        assert outcomes == ["edited", "unchanged"] and f"drop {first_id}:" in out
        assert (await drop_state(shop, first_id)).quantity == 4 and await stock_of_tea_set(shop) == stock - 6

        plain = tmp_path / "plain.yaml"  # no keys: a drop with exactly the same plan is the same drop
        plain.write_text(drop_file(starts + timedelta(days=5), keyed=False), encoding="utf-8")
        code, out, _ = await cli("drop", "schedule", str(plain))
        assert code == 0 and out.count(": created") == 2
        code, out, _ = await cli("drop", "schedule", str(plain))
        assert code == 0 and out.count(": unchanged") == 2 and "nothing changed" in out

        code, out, _ = await cli("drop", "list")
        listed = out.splitlines()
        assert code == 0 and len(listed) == 4 and all("\tscheduled\tCeladon Studio\t" in line for line in listed)
        assert any(line.startswith(f"#{first_id}\t") and "key tea-first" in line for line in listed)

        await travel_to(shop, starts - timedelta(hours=24))  # the first drop's 24-hour teaser goes out
        await outbox_drained(shop)
        assert "Celadon tea set" in shop.fake.last(group).content

        code, out, _ = await cli("drop", "cancel", str(first_id))
        assert code == 0 and f"drop {first_id} (Celadon tea set) is cancelled" in out
        assert (await drop_state(shop, first_id)).status is DropStatus.CANCELLED
        assert await stock_of_tea_set(shop) == stock - 2 - 3 - 2  # its four units are back in the shop
        await outbox_drained(shop)
        assert "The drop of Celadon tea set has been cancelled." in shop.fake.last(group).content  # the group is told

        code, out, _ = await cli("drop", "list", "--state", "cancelled")
        assert code == 0 and out.splitlines() == [line for line in out.splitlines() if f"#{first_id}\t" in line]
        assert "\tcancelled\t" in out
        code, out, _ = await cli("drop", "schedule", str(plan))  # the file again: the cancelled drop stays so
        assert code == 0 and f"drop {first_id}: " in out and ", cancelled [key tea-first]: unchanged" in out
        assert (await drop_state(shop, first_id)).status is DropStatus.CANCELLED

        await travel_to(shop, starts + timedelta(days=2, minutes=1))  # the second drop opens
        code, out, err = await cli("drop", "cancel", str(second_id))
        assert code == 1 and err.strip() == "circlecart: The drop of Celadon tea set can no longer be changed."
        code, out, _ = await cli("drop", "list", "--state", "open")
        assert [line.split("\t")[:2] for line in out.splitlines()] == [[f"#{second_id}", "open"]]

        code, out, err = await cli("drop", "cancel", "999")
        assert code == 1 and err.strip() == "circlecart: That drop does not exist."


async def test_the_operator_lists_brands_and_removes_staff_who_then_cannot_act_for_the_brand(
    framework: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", url)
    async with running_shop(framework, url, str(STARS_CATALOG), owner_ids=(OPERATOR_ID,)) as shop:

        async def cli(*args: str) -> tuple[int, str, str]:
            code = await asyncio.to_thread(main, ["--language", "en", *args], shop.clock)
            out, err = capsys.readouterr()
            return code, out, err

        staff = shop.member("Bo")
        assert (await cli("brand", "staff", "add", "Celadon Studio", str(staff.id)))[0] == 0
        code, out, _ = await cli("brand", "list")
        assert code == 0 and f"Celadon Studio · staff: {staff.id}" in out
        (menu,) = await shop.say(staff, None, "/brand")
        assert "Celadon Studio" in menu.content

        code, out, _ = await cli("brand", "staff", "remove", "Celadon Studio", str(staff.id))
        assert code == 0 and out.strip() == f"{staff.id} is no longer staff of Celadon Studio"
        (refusal,) = await shop.say(staff, None, "/brand")
        assert "not staff of any brand" in refusal.content
        code, out, _ = await cli("brand", "staff", "remove", "Celadon Studio", str(staff.id))
        assert code == 0 and out.strip() == f"{staff.id} was not staff of Celadon Studio"
        code, out, _ = await cli("brand", "list")
        assert "Celadon Studio · staff: (none)" in out

        code, _, err = await cli("brand", "staff", "remove", "Nobody Ceramics", str(staff.id))
        assert code == 1 and err.strip() == "circlecart: There is no brand Nobody Ceramics."
