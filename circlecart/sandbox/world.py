"""Who and where the sandbox plays: the bot, the people one can be in the web chat, and their groups."""

from __future__ import annotations

from dataclasses import dataclass

# A made-up token: the bot inside the sandbox sends it to the local Bot API server and nowhere else.
BOT_TOKEN = "7000000001:SANDBOX-local-only-not-a-telegram-token"
BOT_ID = 7000000001
BOT_USERNAME = "circlecart_sandbox_bot"
BOT_NAME = "circlecart"
# The shop's fiat payment provider in the sandbox: made up as well; the payment sheet is the web chat's.
PROVIDER_TOKEN = "sandbox:TEST:local-only"


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    first_name: str
    username: str
    role: str  # member, moderator, staff, operator: the web chat names it in the reader's language


PEOPLE: tuple[Person, ...] = (
    Person(101, "Mei", "mei", "member"),
    Person(102, "Jun", "jun", "member"),
    Person(103, "Li", "li", "member"),
    Person(201, "Ana", "ana_mod", "moderator"),
    Person(301, "Sam", "sam_celadon", "staff"),
    Person(401, "Olga", "olga_ops", "operator"),
)
OPERATOR_ID = 401
MODERATOR_ID = 201
STAFF_ID = 301


@dataclass(frozen=True, slots=True)
class Place:
    id: int
    title: str
    kind: str  # community: everyone is in it; members_only: its plan's members get in through join requests


COMMUNITY = Place(-1001000000001, "Tea Circle", "community")
LOUNGE = Place(-1001000000002, "Tea Club Lounge", "members_only")
PLACES: tuple[Place, ...] = (COMMUNITY, LOUNGE)
