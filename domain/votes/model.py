"""A co-creation vote: design options put to communities as native polls, and the pre-order of the winner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.money import Money
from domain.numbers import whole_number

PAYLOAD_KIND = "po"  # pre-order invoices: "po:<order id>"
MIN_OPTIONS = 2
MAX_OPTIONS = 10


class VoteStatus(StrEnum):
    OPEN = "open"  # the polls take votes until closes_at
    CLOSED = "closed"  # the winner is known and on pre-order


class PreorderStatus(StrEnum):
    NONE = "none"  # the vote is still open
    OPEN = "open"  # members pay until pay_by
    REACHED = "reached"  # the minimum was paid: the orders stand and the brand has the list
    MISSED = "missed"  # short at pay_by: every payer is refunded


class Reward(StrEnum):
    EARLY_ACCESS = "early"  # supporters of the winner may pre-order before everyone else
    POINTS = "points"  # supporters of the winner earn a few points when the pre-order stands


@dataclass(frozen=True, slots=True)
class DesignOption:
    title: str
    price: Money  # indicative
    photo: str | None = None


@dataclass(frozen=True, slots=True)
class PreorderTerms:
    price: Money
    minimum: int
    pay_by: datetime
    reward: Reward
    reward_points: int = 0
    early_hours: int = 0  # with EARLY_ACCESS: hours the supporters have before everyone else
    kind: str = "physical"  # the winner's product kind (physical goods ship through normal fulfilment)


@dataclass(frozen=True, slots=True)
class NewVote:
    brand_id: int
    question: str
    options: tuple[DesignOption, ...]
    closes_at: datetime
    terms: PreorderTerms
    proposer_id: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Vote:
    id: int
    brand_id: int
    question: str
    options: tuple[DesignOption, ...]
    closes_at: datetime
    terms: PreorderTerms
    proposer_id: int
    created_at: datetime
    status: VoteStatus = VoteStatus.OPEN
    preorder: PreorderStatus = PreorderStatus.NONE
    winner: int | None = None  # option index
    product_id: int | None = None  # the winner, as the brand's product

    @property
    def winning_title(self) -> str:
        return self.options[self.winner].title if self.winner is not None else ""

    def open_to_all_at(self) -> datetime:
        """When members who did not support the winner may pre-order too."""
        early = self.terms.early_hours if self.terms.reward is Reward.EARLY_ACCESS else 0
        return self.closes_at + timedelta(hours=early)


@dataclass(frozen=True, slots=True)
class VotePoll:
    """The vote's poll in one community."""

    id: int
    vote_id: int
    chat_id: int
    poll_id: str | None = None  # Telegram's poll id, once posted
    message_id: int | None = None
    stopped: bool = False


@dataclass(frozen=True, slots=True)
class Ballot:
    """The one vote a member has in a co-creation vote: the first poll they voted in holds it."""

    vote_id: int
    user_id: int
    chat_id: int
    option: int


@dataclass(frozen=True, slots=True)
class PreorderLine:
    vote_id: int
    order_id: int
    user_id: int
    chat_id: int


def order_id_from_payload(payload: str) -> int | None:
    prefix = f"{PAYLOAD_KIND}:"
    if not payload.startswith(prefix):
        return None
    digits = payload[len(prefix) :]
    return whole_number(digits) if digits == digits.strip() else None


def tally(options: int, ballots: list[Ballot]) -> tuple[list[int], dict[int, list[int]]]:
    """Counts per option overall and per community (chat id -> counts per option)."""
    total = [0] * options
    per_chat: dict[int, list[int]] = {}
    for ballot in ballots:
        if 0 <= ballot.option < options:
            total[ballot.option] += 1
            per_chat.setdefault(ballot.chat_id, [0] * options)[ballot.option] += 1
    return total, per_chat


def winner_of(total: list[int]) -> int:
    """The option with most votes; a tie goes to the option listed first."""
    return max(range(len(total)), key=lambda i: (total[i], -i))
