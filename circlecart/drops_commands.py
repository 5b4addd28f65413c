"""`circlecart brand ...` and `circlecart drop ...`: the operator's side of brands and drops.

Whoever runs the CLI holds the database, so the CLI acts as the operator.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from bots.core.i18n import N_
from circlecart import files
from circlecart.errors import CliError
from circlecart.settings import Settings
from domain.actors import Actor
from domain.brands import roles
from domain.clock import Clock
from domain.drops import lifecycle, raffle, scheduling
from domain.drops.beacon import QUICKNET, BeaconChain
from domain.drops.model import Drop, DropPlan, DropStatus
from domain.drops.plan_file import DropFileError, parse_drop_file
from domain.errors import DomainError
from domain.money import parse_major
from domain.shop.errors import ShopError
from domain.shop.products import Brand
from storage.database import Database
from storage.migrate import upgrade_async


@asynccontextmanager
async def _database(url: str) -> AsyncIterator[Database]:
    await upgrade_async(url)
    database = await Database.connect(url)
    try:
        yield database
    finally:
        await database.dispose()


async def add_brand(database_url: str, name: str) -> Brand:
    async with _database(database_url) as database, database.uow() as uow:
        brand = await roles.register_brand(uow, Actor.command_line(), name)
        await uow.commit()
    return brand


async def add_staff(database_url: str, brand: str, user_id: int, now: datetime) -> tuple[Brand, bool]:
    async with _database(database_url) as database, database.uow() as uow:
        found, added = await roles.add_staff(uow, now, Actor.command_line(), brand, user_id)
        await uow.commit()
    return found, added


async def remove_staff(database_url: str, brand: str, user_id: int) -> tuple[Brand, bool]:
    async with _database(database_url) as database, database.uow() as uow:
        found, removed = await roles.remove_staff(uow, Actor.command_line(), brand, user_id)
        await uow.commit()
    return found, removed


async def brand_roster(database_url: str) -> tuple[tuple[Brand, tuple[int, ...]], ...]:
    async with _database(database_url) as database, database.uow() as uow:
        return await roles.roster(uow, Actor.command_line())


async def schedule_file(
    database_url: str, path: Path, now: datetime, beacon: BeaconChain = QUICKNET
) -> list[tuple[Drop, scheduling.FileOutcome]]:
    """Schedule (or edit) every drop in the file, all or nothing, and say what became of each. The same file
    twice changes nothing: drops are found again by their `key:`, or, without one, by their whole plan.
    Raffles draw with `beacon`'s rounds."""
    text = await asyncio.to_thread(files.read_text, path)
    try:
        entries = parse_drop_file(text)
    except DropFileError as error:
        raise CliError(
            N_("{path} has problems, so no drop was scheduled:\n{problems}"), path=path, problems=error
        ) from None
    done: list[tuple[Drop, scheduling.FileOutcome]] = []
    async with _database(database_url) as database, database.uow() as uow:
        for number, entry in enumerate(entries, start=1):
            try:
                brand = await roles.brand_by_name_or_id(uow, entry.brand)
                product = await uow.products.get_by_sku(entry.sku)
                if product is None:
                    raise DomainError(ShopError.PRODUCT_NOT_FOUND)
                plan = DropPlan(
                    brand_id=brand.id,
                    product_id=product.id,
                    quantity=entry.quantity,
                    price=parse_major(entry.price, product.price.currency),
                    starts_at=entry.starts_at,
                    ends_at=entry.ends_at,
                    per_member_limit=entry.per_member_limit,
                    early_access_minutes=entry.early_access_minutes,
                    mode=entry.mode,
                    communities=entry.communities,
                )
                if entry.drop_id is None:
                    done.append(
                        await scheduling.schedule_from_file(uow, now, Actor.command_line(), plan, entry.key, beacon)
                    )
                else:
                    edited = await scheduling.edit_drop(uow, now, Actor.command_line(), entry.drop_id, plan, beacon)
                    done.append((edited, scheduling.FileOutcome.EDITED))
            except DomainError as error:
                raise CliError(
                    N_("{path}, drop {number} ({sku}): {reason} Nothing in the file was scheduled."),
                    path=path,
                    number=number,
                    sku=entry.sku,
                    reason=error,
                ) from None
        await uow.commit()
    return done


async def list_drops(database_url: str, brand: str | None, states: list[DropStatus]) -> list[tuple[Drop, str]]:
    async with _database(database_url) as database, database.uow() as uow:
        brand_ids = [(await roles.brand_by_name_or_id(uow, brand)).id] if brand is not None else None
        found = await scheduling.list_drops(uow, Actor.command_line(), brand_ids, states)
        names = {b.id: b.name for b in await uow.brand_staff.all_brands()}
    return [(drop, names.get(drop.brand_id, str(drop.brand_id))) for drop in found]


async def cancel(database_url: str, drop_id: int, now: datetime) -> Drop:
    async with _database(database_url) as database, database.uow() as uow:
        drop = await scheduling.cancel_drop(uow, now, Actor.command_line(), drop_id)
        await uow.commit()
    return drop


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    reason: str
    drop: Drop
    order: tuple[int, ...]  # user ids in draw order (the operator's view: the CLI holds the database)
    winners: tuple[int, ...]
    record: raffle.RaffleRecord | None = None  # what the groups were sent (raffles with pseudonyms)
    pseudonyms: dict[int, str] = field(default_factory=dict)  # user id -> pseudonym


async def verify(database_url: str, drop_id: int, seed: str | None = None) -> VerifyResult:
    """Recompute a raffle from what it published (or with `seed` as its secret, to check one you were given).

    A raffle with pseudonyms is checked exactly as members check it (domain.drops.raffle.verify_record on
    the published record, which scripts/verify_raffle.py repeats stand-alone), plus the ranks stored here."""
    async with _database(database_url) as database, database.uow() as uow:
        drop = await uow.drops.get(drop_id)
        if drop is None:
            raise CliError(N_("There is no drop {drop}."), drop=drop_id)
        if not drop.is_raffle or drop.seed_hash is None:
            raise CliError(N_("Drop {drop} is not a raffle."), drop=drop_id)
        if drop.drawn_at is None:
            raise CliError(
                N_("Drop {drop} has not been drawn yet: its secret is revealed with the results."), drop=drop_id
            )
        entries = await uow.drop_fans.entries(drop_id)
        record = await lifecycle.published_record(uow, drop)
    ranked = sorted((e for e in entries if e.rank is not None), key=lambda e: e.rank or 0)
    recorded = tuple(e.user_id for e in ranked)
    if record is not None:
        if seed is not None:
            record = replace(record, secret=seed)
        checked = raffle.verify_record(record)
        user_of = {e.pseudonym: e.user_id for e in entries}
        order = tuple(user_of[name] for name in checked.order) if checked.order else recorded
        names = {e.user_id: e.pseudonym for e in entries if e.pseudonym is not None}
        return VerifyResult(checked.ok, checked.reason, drop, order, order[: drop.quantity], record, names)
    legacy = raffle.verify(
        seed if seed is not None else (drop.seed or ""), drop.seed_hash, [e.user_id for e in entries], recorded
    )
    return VerifyResult(legacy.ok, legacy.reason, drop, legacy.order, legacy.order[: drop.quantity])


# -- argparse wiring (called by circlecart.cli) -----------------------------------------------------------
def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    brand = sub.add_parser("brand", help="brands and their staff").add_subparsers(title="brand commands")
    adder = brand.add_parser("add", help="register a brand")
    adder.add_argument("name")
    adder.set_defaults(handler=_brand_add)
    staff = brand.add_parser("staff", help="brand staff").add_subparsers(title="staff commands")
    staff_add = staff.add_parser("add", help="make a Telegram user staff of a brand")
    staff_add.add_argument("brand", help="brand name or id")
    staff_add.add_argument("user_id", type=int)
    staff_add.set_defaults(handler=_staff_add)
    staff_remove = staff.add_parser("remove", help="a Telegram user is no longer staff of a brand")
    staff_remove.add_argument("brand", help="brand name or id")
    staff_remove.add_argument("user_id", type=int)
    staff_remove.set_defaults(handler=_staff_remove)
    brand.add_parser("list", help="every brand, its id and its staff").set_defaults(handler=_brand_list)

    drop = sub.add_parser("drop", help="limited drops").add_subparsers(title="drop commands")
    scheduler = drop.add_parser(
        "schedule", help="schedule (or edit) the drops described in a YAML file; the same file again changes nothing"
    )
    scheduler.add_argument("file", type=Path)
    scheduler.set_defaults(handler=_drop_schedule)
    lister = drop.add_parser("list", help="drops and their states, latest start first")
    lister.add_argument("--brand", help="only this brand's drops (name or id)")
    lister.add_argument(
        "--state",
        action="append",
        choices=[status.value for status in DropStatus],
        help="only drops in this state (repeat for several)",
    )
    lister.set_defaults(handler=_drop_list)
    canceller = drop.add_parser("cancel", help="cancel a drop before it opens; its units go back to the shop")
    canceller.add_argument("drop_id", type=int)
    canceller.set_defaults(handler=_drop_cancel)
    verifier = drop.add_parser("verify", help="recompute a raffle's draw from its revealed seed")
    verifier.add_argument("drop_id", type=int)
    verifier.add_argument("--seed", help="check this secret instead of the one the drop revealed")
    verifier.add_argument("--export", type=Path, help="also write the published record (JSON) to this file")
    verifier.set_defaults(handler=_drop_verify)


def _brand_add(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    brand = asyncio.run(add_brand(settings.database_url, args.name))
    print(f"brand {brand.id}: {brand.name}")
    return 0


def _staff_add(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    brand, added = asyncio.run(add_staff(settings.database_url, args.brand, args.user_id, clock.now()))
    print(f"{args.user_id} {'is now' if added else 'was already'} staff of {brand.name}")
    return 0


def _staff_remove(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    brand, removed = asyncio.run(remove_staff(settings.database_url, args.brand, args.user_id))
    print(f"{args.user_id} {'is no longer' if removed else 'was not'} staff of {brand.name}")
    return 0


def _brand_list(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    roster = asyncio.run(brand_roster(settings.database_url))
    for brand, staff in roster:
        print(f"brand {brand.id}: {brand.name} · staff: {', '.join(map(str, staff)) or '(none)'}")
    if not roster:
        print("no brands yet (circlecart brand add NAME)")
    return 0


def describe_drop(drop: Drop) -> str:
    return (
        f"drop {drop.id}: {drop.quantity} x {drop.title} at {drop.price.display()}, "
        f"{drop.starts_at:%Y-%m-%d %H:%M}Z to {drop.ends_at:%Y-%m-%d %H:%M}Z, "
        f"{drop.mode.value}, {drop.status.value}"
    )


def _drop_schedule(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    done = asyncio.run(schedule_file(settings.database_url, args.file, clock.now(), settings.beacon()))
    for drop, outcome in done:
        key = f" [key {drop.key}]" if drop.key else ""
        print(f"{describe_drop(drop)}{key}: {outcome.value}")
    if all(outcome is scheduling.FileOutcome.UNCHANGED for _, outcome in done):
        print(f"nothing changed: every drop in {args.file} was already scheduled as it says")
    return 0


def _drop_list(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    states = [DropStatus(state) for state in args.state or ()]
    found = asyncio.run(list_drops(settings.database_url, args.brand, states))
    for drop, brand in found:
        sold = f"{drop.sold}/{drop.quantity} sold"
        key = f" · key {drop.key}" if drop.key else ""
        print(
            f"#{drop.id}\t{drop.status.value}\t{brand}\t{drop.title}\t{drop.price.display()}\t{sold}\t"
            f"{drop.starts_at:%Y-%m-%d %H:%M}Z → {drop.ends_at:%Y-%m-%d %H:%M}Z\t{drop.mode.value}{key}"
        )
    if not found:
        print("no drops")
    return 0


def _drop_cancel(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    drop = asyncio.run(cancel(settings.database_url, args.drop_id, clock.now()))
    print(f"drop {drop.id} ({drop.title}) is cancelled; its units are back in the shop and whoever was told is told")
    return 0


def _drop_verify(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    result = asyncio.run(verify(settings.database_url, args.drop_id, args.seed))
    drop, record = result.drop, result.record
    print(f"drop {drop.id} ({drop.title}): sha256 of the secret published {drop.seed_hash}")
    if record is not None:
        names = result.pseudonyms
        beacon = "none: the stated fallback drew" if record.fallback else record.randomness
        print(f"drand round {record.round} of {record.chain_hash}: {beacon}")
        print(f"entrants: {len(record.entrants)}, digest {record.entrants_digest}; seed {record.seed}")
        order = " ".join(f"{names.get(u, '?')}={u}" for u in result.order)
        winners = " ".join(f"{names.get(u, '?')}={u}" for u in result.winners)
        if args.export is not None:
            files.write_text(args.export, record.to_json())
            print(f"published record written to {args.export}; check it with scripts/verify_raffle.py")
    else:
        order = " ".join(str(u) for u in result.order)
        winners = " ".join(str(u) for u in result.winners)
    print(f"entrants in draw order: {order or '(none)'}")
    print(f"winners: {winners or '(none)'}")
    if not result.ok:
        print(f"verification FAILED: {result.reason}")
        return 1
    print("verification OK: the secret matches the published hash and the recorded draw")
    return 0
