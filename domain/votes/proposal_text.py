"""A vote proposal written on one line, as staff send it to the bot (/vote) or the operator to the CLI:

    BRAND; QUESTION; GROUP_IDS; CLOSES_IN_HOURS; KIND PRICE CURRENCY MINIMUM PAY_HOURS; REWARD; OPTION; OPTION...

GROUP_IDS are chat ids separated by commas; PAY_HOURS counts from the closing time; KIND is digital,
service (paid in Stars, XTR) or physical (paid through the payment provider); REWARD is `points N` or
`early H` (supporters of the winner may pre-order H hours before everyone else); each OPTION is
`TITLE PRICE [PHOTO_URL]` in the pre-order's currency.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from domain.actors import Actor
from domain.brands import roles
from domain.errors import DomainError
from domain.money import parse_major
from domain.numbers import whole_number
from domain.ports import UnitOfWork
from domain.votes import flow
from domain.votes.errors import VoteError
from domain.votes.flow import Proposal
from domain.votes.model import DesignOption, PreorderTerms, Reward, Vote

MAX_HOURS = 24 * 60


def _hours(text: str) -> int:
    hours = whole_number(text, max_digits=5)
    if hours is None or not 1 <= hours <= MAX_HOURS:
        raise DomainError(VoteError.USAGE)
    return hours


def parse_proposal(text: str, now: datetime) -> tuple[str, Proposal]:
    """(brand name or id, proposal); DomainError(VoteError.USAGE or a money error) on a malformed line."""
    parts = [p.strip() for p in text.split(";")]
    if len(parts) < 8 or not all(parts):
        raise DomainError(VoteError.USAGE)
    brand, question, groups, closes, terms_text, reward_text, *options_text = parts
    chat_ids = []
    for group in groups.split(","):
        chat_id = whole_number(group, signed=True, max_digits=16)
        if chat_id is None or chat_id >= 0:
            raise DomainError(VoteError.USAGE)
        chat_ids.append(chat_id)
    closes_at = now + timedelta(hours=_hours(closes))
    terms_words = terms_text.split()
    if len(terms_words) != 5:
        raise DomainError(VoteError.USAGE)
    kind, price_text, currency, minimum_text, pay_hours = terms_words
    currency = currency.upper()
    price = parse_major(price_text, currency)
    minimum = whole_number(minimum_text, max_digits=6)
    if minimum is None:
        raise DomainError(VoteError.USAGE)
    reward_words = reward_text.split()
    if len(reward_words) != 2 or reward_words[0].lower() not in ("points", "early"):
        raise DomainError(VoteError.USAGE)
    amount = whole_number(reward_words[1], max_digits=4)
    if amount is None:
        raise DomainError(VoteError.USAGE)
    reward = Reward.POINTS if reward_words[0].lower() == "points" else Reward.EARLY_ACCESS
    terms = PreorderTerms(
        price=price,
        minimum=minimum,
        pay_by=closes_at + timedelta(hours=_hours(pay_hours)),
        reward=reward,
        reward_points=amount if reward is Reward.POINTS else 0,
        early_hours=amount if reward is Reward.EARLY_ACCESS else 0,
        kind=kind.lower(),
    )
    options = []
    for option in options_text:
        words = option.split()
        photo = words.pop() if len(words) > 2 and words[-1].startswith("https://") else None
        if len(words) < 2:
            raise DomainError(VoteError.USAGE)
        options.append(DesignOption(" ".join(words[:-1]), parse_major(words[-1], currency), photo))
    return brand, Proposal(0, question, tuple(options), tuple(chat_ids), closes_at, terms)


async def propose_line(uow: UnitOfWork, now: datetime, actor: Actor, text: str) -> Vote:
    """Parse the line, find the brand by name or id, and propose the vote (permissions checked there)."""
    brand_text, proposal = parse_proposal(text, now)
    brand = await roles.brand_by_name_or_id(uow, brand_text)
    return await flow.propose(uow, now, actor, replace(proposal, brand_id=brand.id))
