"""`circlecart member export|forget USER_ID`: the operator answers a member's request from a shell."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from bots.core.drops.dialog import dialog_key
from bots.core.state import RedisStateStore, State
from domain.members import Member
from storage.database import Database
from storage.migrate import upgrade_async
from tests.core.test_state import REDIS_URL, _redis_or_skip
from tests.storage.builders import NOW, add_product, line_for, new_order

ROOT = Path(__file__).resolve().parents[2]
MEI = 7_200_000_001


def circlecart(*args: str, database_url: str, stdin: str = "", **settings: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
    return subprocess.run(
        [sys.executable, "-m", "circlecart.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**clean, "CIRCLECART_DATABASE_URL": database_url, **settings},
        cwd=ROOT,
        timeout=120,
        check=False,
    )


async def _mei_bought_a_teapot(url: str) -> None:
    await upgrade_async(url)
    async with await Database.connect(url) as database:
        product = await add_product(database)
        async with database.uow() as uow:
            await uow.members.save(Member(MEI, "Meiying", "meiying_tea", created_at=NOW))
            await uow.orders.add(new_order(line_for(product), user_id=MEI, chat_id=MEI))
            await uow.commit()


async def _open_drop_dialog(user_id: int) -> str:
    store = await _redis_or_skip()
    try:
        await store.set(dialog_key(user_id), {"step": "quantity"})
    finally:
        await store.close()
    return dialog_key(user_id)


async def _state_of(key: str) -> State | None:
    store = RedisStateStore(REDIS_URL)
    try:
        return await store.get(key)
    finally:
        await store.close()


def test_the_operator_exports_a_member_and_forgets_them_after_saying_yes(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    asyncio.run(_mei_bought_a_teapot(url))

    shown = circlecart("member", "export", str(MEI), database_url=url)
    assert shown.returncode == 0, shown.stderr
    records = json.loads(shown.stdout)["records"]
    assert records["members"][0]["username"] == "meiying_tea" and len(records["orders"]) == 1

    table = tmp_path / "mei.csv"
    written = circlecart("member", "export", str(MEI), "--output", str(table), database_url=url)
    assert written.returncode == 0 and "members,1,first_name,Meiying" in table.read_text(encoding="utf-8")
    nowhere = circlecart("member", "export", str(MEI), "--output", str(tmp_path / "no" / "x.json"), database_url=url)
    assert nowhere.returncode == 1
    assert nowhere.stderr.strip().splitlines() == [
        f"circlecart: cannot write {tmp_path / 'no' / 'x.json'}: the folder {tmp_path / 'no'} does not exist"
    ]

    refused = circlecart("member", "forget", str(MEI), database_url=url, stdin="no\n")
    assert refused.returncode == 1
    assert f"circlecart: nothing was deleted: member {MEI} is kept" in refused.stderr
    assert "Meiying" in circlecart("member", "export", str(MEI), database_url=url).stdout

    dialogs = asyncio.run(_open_drop_dialog(MEI))  # shared with the bot's workers through Redis
    done = circlecart("member", "forget", str(MEI), "--yes", database_url=url, CIRCLECART_REDIS_URL=REDIS_URL)
    assert done.returncode == 0, done.stderr
    assert asyncio.run(_state_of(dialogs)) is None, "her dialog state in Redis is forgotten too"
    assert f"member {MEI} is forgotten" in done.stdout and "anon-" in done.stdout
    gone = circlecart("member", "export", str(MEI), database_url=url)
    assert gone.returncode == 1
    assert gone.stderr.strip().splitlines() == [f"circlecart: nothing is stored about member {MEI}"]
