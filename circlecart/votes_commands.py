"""`circlecart votes propose LINE | show NUMBER`: the operator's command line for co-creation votes.

`propose` takes the same line as /vote in the bot and records the vote; the running bot's
`post_vote_polls` job posts its polls in each community within a minute (and catches up after downtime).
`show` prints the live totals per design and per community.
"""

from __future__ import annotations

import argparse
import asyncio

from circlecart.settings import Settings
from domain.actors import Actor
from domain.clock import Clock
from domain.votes import flow
from domain.votes.proposal_text import propose_line
from storage.database import Database
from storage.migrate import upgrade_async


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    votes = sub.add_parser("votes", help="co-creation votes that become pre-orders")
    commands = votes.add_subparsers(title="votes commands")
    propose = commands.add_parser(
        "propose",
        help="propose a vote: 'BRAND; QUESTION; GROUP_IDS; CLOSES_IN_HOURS; KIND PRICE CURRENCY MINIMUM PAY_HOURS; "
        "points N | early H; OPTION PRICE [PHOTO_URL]; OPTION PRICE ...'",
    )
    propose.add_argument("line")
    propose.set_defaults(handler=_propose)
    show = commands.add_parser("show", help="the live totals of vote NUMBER, per design and per community")
    show.add_argument("number", type=int)
    show.set_defaults(handler=_show)


def _propose(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    vote_id, closes = asyncio.run(_record(settings.database_url, args.line, clock))
    print(f"vote #{vote_id} is recorded; the bot posts its polls and closes it at {closes}")
    return 0


def _show(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    params = asyncio.run(_standing(settings.database_url, args.number))
    print(f"vote #{params['vote']} {params['question']} ({params['status']}, closes {params['closes_at']})")
    print(params["totals"])
    print("per community:")
    print(params["communities"])
    print(f"pre-order: {params['preorder']}")
    return 0


async def _record(database_url: str, line: str, clock: Clock) -> tuple[int, str]:
    await upgrade_async(database_url)
    async with await Database.connect(database_url) as database, database.uow() as uow:
        vote = await propose_line(uow, clock.now(), Actor.command_line(), line)
        await uow.commit()
    return vote.id, vote.closes_at.strftime("%Y-%m-%d %H:%M UTC")


async def _standing(database_url: str, number: int) -> dict[str, str | int | None]:
    await upgrade_async(database_url)
    async with await Database.connect(database_url) as database, database.uow() as uow:
        return await flow.standing(uow, number)
