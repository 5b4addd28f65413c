"""The operator exports what the shop recorded, as CSV that spreadsheets and accounting tools read: a member
buys in a group, and the order, the payment, the points and the member come out of `circlecart export`."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from circlecart.cli import main
from tests.conftest import STARS_CATALOG
from tests.scenarios.harness import running_shop


async def test_a_members_purchase_comes_out_of_every_export_and_since_leaves_older_rows_out(
    framework: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("CIRCLECART_DATABASE_URL", url)
    async with running_shop(framework, url, str(STARS_CATALOG)) as shop:

        async def export(*args: str) -> list[dict[str, str]]:
            code = await asyncio.to_thread(main, ["--language", "en", "export", *args], shop.clock)
            out, err = capsys.readouterr()
            assert code == 0, err
            return list(csv.DictReader(io.StringIO(out)))

        group = await shop.group_with_bot("Tea Lovers")
        mei = shop.member("Mei", username="mei_tea")
        (found,) = await shop.say(mei, group, "/find celadon tea set")
        await shop.press(mei, found, text=found.button_texts[0])
        await shop.press(mei, shop.fake.last(group), text="Buy · 250 ⭐")
        paid = await shop.pay(mei, shop.fake.last(group))
        assert paid.accepted, paid.error_message

        (order,) = await export("orders")
        assert order["member_id"] == str(mei.id) and order["username"] == "mei_tea"
        assert (order["sku"], order["quantity"], order["unit_price"], order["line_total"], order["currency"]) == (
            "TEA-SET-01",
            "1",
            "250",
            "250",
            "XTR",
        )
        assert order["status"] == "paid" and order["community_id"] == str(group.id) and order["paid_at"]

        (payment,) = await export("payments", "--format", "csv")
        assert payment["order_id"] == order["order_id"] and payment["telegram_charge_id"] == paid.charge_id
        assert (payment["amount"], payment["currency"], payment["member_id"]) == ("250", "XTR", str(mei.id))

        points = await export("points")
        assert [(p["member_id"], p["delta"], p["reason"]) for p in points] == [(str(mei.id), "250", "purchase")]

        members = {row["member_id"]: row for row in await export("members")}
        assert members[str(mei.id)]["username"] == "mei_tea" and members[str(mei.id)]["started_bot"] in ("yes", "no")

        tomorrow = (shop.clock.now() + timedelta(days=1)).date().isoformat()
        assert await export("orders", "--since", tomorrow) == []  # the header alone
        assert len(await export("orders", "--since", "2020-01-01")) == 1

        target = tmp_path / "orders.csv"
        code = await asyncio.to_thread(main, ["export", "orders", "--output", str(target)], shop.clock)
        _, err = capsys.readouterr()
        assert code == 0 and err.strip() == f"1 orders rows written to {target}"  # quiet: no progress bar in a pipe
        (written,) = csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))
        assert written == order
