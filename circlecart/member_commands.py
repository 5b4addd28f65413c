"""`circlecart member export|forget USER_ID`: a member's data rights, for the operator at a shell.

The same export and the same forgetting as /privacy in the bot (domain/privacy), as the operator.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from circlecart.errors import CliError
from circlecart.settings import Settings
from domain.actors import Actor
from domain.clock import Clock
from domain.errors import DomainError
from domain.privacy import files, members
from domain.privacy.errors import PrivacyError
from domain.privacy.pseudonyms import pseudonym_label
from storage.database import Database
from storage.migrate import upgrade_async


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    member = sub.add_parser("member", help="a member's data: export it, or forget them (privacy)")
    commands = member.add_subparsers(title="member commands")
    export = commands.add_parser("export", help="everything stored about a member, as JSON (or CSV: --output x.csv)")
    export.add_argument("user_id", type=int, metavar="USER_ID")
    export.add_argument("--output", type=Path, metavar="FILE", help="write to FILE (.csv: CSV); default: stdout")
    export.set_defaults(handler=_export)
    forget = commands.add_parser(
        "forget", help="erase a member's data; orders and payments stay for the accounts under a pseudonym"
    )
    forget.add_argument("user_id", type=int, metavar="USER_ID")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.set_defaults(handler=_forget)


def _export(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    data = asyncio.run(_read(settings.database_url, args.user_id, clock))
    if data.count == 0:
        raise CliError(f"nothing is stored about member {args.user_id}")
    output: Path | None = args.output
    content = files.as_csv(data) if output is not None and output.suffix.lower() == ".csv" else files.as_json(data)
    if output is None:
        sys.stdout.write(content.decode("utf-8"))
        return 0
    if not output.parent.is_dir():
        raise CliError(f"cannot write {output}: the folder {output.parent} does not exist")
    output.write_bytes(content)
    print(f"exported {data.count} records about member {args.user_id} to {output}", file=sys.stderr)
    return 0


def _forget(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    data = asyncio.run(_read(settings.database_url, args.user_id, clock))
    if data.count == 0:
        raise CliError(f"nothing is stored about member {args.user_id}")
    if not args.yes:
        question = (
            f"Forget member {args.user_id}? {data.count} records: their name, username, invite link, reminders and "
            "dialogs are erased; orders and payments stay under a pseudonym. This cannot be undone. Type yes: "
        )
        print(question, end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer not in ("yes", "y"):
            raise CliError(f"nothing was deleted: member {args.user_id} is kept")
    try:
        forgotten = asyncio.run(_forget_member(settings, args.user_id))
    except DomainError as error:
        if error.code is not PrivacyError.MONEY_IN_FLIGHT:
            raise
        raise CliError(
            f"member {args.user_id} has money still moving (a refund owed, or a seat in a group buy that has not "
            "filled); a refund needs their Telegram id, so forget them once it has settled"
        ) from error
    print(
        f"member {args.user_id} is forgotten: {forgotten.records} records; what the accounts keep now belongs "
        f"to {pseudonym_label(forgotten.pseudonym)}"
    )
    for charge in forgotten.subscriptions:
        print(f"their Telegram Stars subscription (charge {charge}) still renews: cancel it in the bot's payments")
    return 0


async def _read(database_url: str, user_id: int, clock: Clock) -> members.MemberData:
    await upgrade_async(database_url)
    async with await Database.connect(database_url) as database, database.uow() as uow:
        return await members.export_data(uow, clock.now(), Actor.command_line(), user_id)


async def _forget_member(settings: Settings, user_id: int) -> members.Forgotten:
    async with await Database.connect(settings.database_url) as database, database.uow() as uow:
        forgotten = await members.forget(uow, Actor.command_line(), user_id)
        await uow.commit()
    await _forget_dialogs(settings, user_id)
    return forgotten


async def _forget_dialogs(settings: Settings, user_id: int) -> None:
    """Dialog state in Redis is shared with the bot; in memory it lives (and ends) with the bot's process."""
    if not settings.redis_url.strip():
        return
    from bots.core.app import build_table
    from bots.core.state import make_state_store

    store = make_state_store(settings.redis_url)
    try:
        for key in build_table().state_keys_of(user_id):
            await store.delete(key)
    finally:
        await store.close()
