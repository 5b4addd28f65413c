"""Co-creation votes: proposing one, counting one vote per member across communities, closing it.

A member's first vote in any of the vote's polls is their ballot; a vote in another community's poll is
not counted, and retracting in the community where it counted frees it. The ballot table holds one row per
member and vote (unique), so two polls answered at once cannot both count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.actors import Actor
from domain.brands.errors import BrandError
from domain.errors import DomainError
from domain.moderation.model import Feature
from domain.moderation.settings import require_feature
from domain.money import Money
from domain.notices import Notice
from domain.ports import UnitOfWork
from domain.shop.products import NewProduct
from domain.votes.errors import VoteError
from domain.votes.model import (
    MAX_OPTIONS,
    MIN_OPTIONS,
    Ballot,
    DesignOption,
    NewVote,
    PreorderTerms,
    Reward,
    Vote,
    VotePoll,
    tally,
    winner_of,
)

MAX_TITLE = 64
MAX_QUESTION = 255  # Telegram's limit for a poll's question
MAX_OPTION_TEXT = 100  # Telegram's limit for a poll option
MAX_REWARD_POINTS = 500  # "a small points reward"
MAX_EARLY_HOURS = 72
MAX_MINIMUM = 100_000


@dataclass(frozen=True, slots=True)
class Proposal:
    brand_id: int
    question: str
    options: tuple[DesignOption, ...]
    chat_ids: tuple[int, ...]
    closes_at: datetime
    terms: PreorderTerms


async def propose(uow: UnitOfWork, now: datetime, actor: Actor, proposal: Proposal) -> Vote:
    """A brand's staff (or the operator), or a moderator of every targeted group, with the brand's consent:
    every targeted group has allowed the brand (`/brands`), as for its drops."""
    brand = await uow.brands.get(proposal.brand_id)
    if brand is None:
        raise DomainError(BrandError.UNKNOWN, brand=str(proposal.brand_id))
    staff = actor.operator or await uow.brand_staff.is_staff(brand.id, actor.user_id)
    chat_ids = tuple(dict.fromkeys(proposal.chat_ids))
    if not chat_ids:
        raise DomainError(VoteError.UNKNOWN_COMMUNITY, chat="-")
    if not staff and not all(actor.is_group_admin(chat_id) for chat_id in chat_ids):
        raise DomainError(VoteError.NOT_ALLOWED)
    for chat_id in chat_ids:
        community = await uow.communities.get(chat_id)
        if community is None or not community.active:
            raise DomainError(VoteError.UNKNOWN_COMMUNITY, chat=str(chat_id))
        if not (await uow.brand_optins.for_chat(chat_id)).get(brand.id, False):
            raise DomainError(VoteError.NO_CONSENT, brand=brand.name, chat=community.title or str(chat_id))
        await require_feature(uow, chat_id, Feature.VOTES)  # the group's admins may have turned votes off
    _check(proposal, now)
    vote = NewVote(
        brand.id,
        " ".join(proposal.question.split()),
        proposal.options,
        proposal.closes_at,
        proposal.terms,
        actor.user_id,
        now,
    )
    return await uow.votes.add(vote, chat_ids)


def _check(proposal: Proposal, now: datetime) -> None:
    if not MIN_OPTIONS <= len(proposal.options) <= MAX_OPTIONS:
        raise DomainError(VoteError.OPTION_COUNT, low=MIN_OPTIONS, high=MAX_OPTIONS)
    if not 1 <= len(proposal.question.strip()) <= MAX_QUESTION:
        raise DomainError(VoteError.BAD_OPTION, max=MAX_QUESTION)
    titles = [option.title.strip() for option in proposal.options]
    if any(not 1 <= len(title) <= MAX_TITLE for title in titles) or len(set(titles)) != len(titles):
        raise DomainError(VoteError.BAD_OPTION, max=MAX_TITLE)
    terms = proposal.terms
    if terms.price.amount <= 0 or any(o.price.amount <= 0 for o in proposal.options):
        raise DomainError(VoteError.BAD_TERMS)
    if not 1 <= terms.minimum <= MAX_MINIMUM:
        raise DomainError(VoteError.BAD_TERMS)
    if terms.reward is Reward.POINTS and not 1 <= terms.reward_points <= MAX_REWARD_POINTS:
        raise DomainError(VoteError.BAD_TERMS)
    if terms.reward is Reward.EARLY_ACCESS and not 0 <= terms.early_hours <= MAX_EARLY_HOURS:
        raise DomainError(VoteError.BAD_TERMS)
    if terms.kind not in ("physical", "digital", "service"):
        raise DomainError(VoteError.BAD_TERMS)
    # Telegram's rules: digital goods and services in Stars, physical goods through a payment provider.
    if terms.price.is_stars != (terms.kind != "physical"):
        raise DomainError(VoteError.WRONG_CURRENCY, kind=terms.kind)
    if any(option.price.currency != terms.price.currency for option in proposal.options):
        raise DomainError(VoteError.BAD_TERMS)
    if not now < proposal.closes_at < terms.pay_by:
        raise DomainError(VoteError.BAD_TIMES)


def option_text(option: DesignOption) -> str:
    """The poll's option: the design and its indicative price."""
    return f"{option.title} · {option.price.display()}"[:MAX_OPTION_TEXT]


class Counted(StrEnum):
    COUNTED = "counted"  # this answer is the member's ballot now
    RETRACTED = "retracted"  # the member took back the vote that counted
    ELSEWHERE = "elsewhere"  # the member's vote counts in another community; this one is not counted
    IGNORED = "ignored"  # not one of ours, closed, or nothing changed


async def record_answer(
    uow: UnitOfWork, now: datetime, poll_id: str, user_id: int, option_ids: Sequence[int]
) -> Counted:
    """A poll_answer: the first vote across the vote's communities counts, once per member."""
    poll = await uow.votes.poll_by_telegram_id(poll_id)
    if poll is None:
        return Counted.IGNORED
    vote = await uow.votes.get(poll.vote_id)
    if vote is None or vote.status.value != "open" or now >= vote.closes_at:
        return Counted.IGNORED
    if not option_ids:
        removed = await uow.votes.remove_ballot(vote.id, user_id, poll.chat_id)
        return Counted.RETRACTED if removed else Counted.IGNORED
    option = option_ids[0]
    if not 0 <= option < len(vote.options):
        return Counted.IGNORED
    if await uow.votes.add_ballot(Ballot(vote.id, user_id, poll.chat_id, option), now):
        return Counted.COUNTED
    if await uow.votes.change_ballot(vote.id, user_id, poll.chat_id, option):
        return Counted.COUNTED
    return Counted.ELSEWHERE


@dataclass(frozen=True, slots=True)
class Closed:
    vote: Vote
    polls: tuple[VotePoll, ...]  # to stop in Telegram


async def close_due(uow: UnitOfWork, now: datetime, batch: int = 20) -> list[Closed]:
    """Votes past their closing time: the winner becomes the brand's product on pre-order, and every
    community gets the results (counts per option and per community) with a way to pre-order."""
    closed: list[Closed] = []
    for vote in await uow.votes.due_to_close(now, batch):
        ballots = list(await uow.votes.ballots(vote.id))
        total, per_chat = tally(len(vote.options), ballots)
        winner = winner_of(total)
        option = vote.options[winner]
        product = await uow.products.add(
            NewProduct(
                sku=f"vote-{vote.id}",
                title=option.title,
                description=vote.question,
                price=vote.terms.price,
                stock=0,  # made to order: the pre-order counts units, the shelf does not
                photo=option.photo,
                active=False,  # sold only through its pre-order
                brand_id=vote.brand_id,
                kind=vote.terms.kind,  # type: ignore[arg-type]  # checked when proposed
            )
        )
        if not await uow.votes.close(vote.id, winner, product.id):
            continue
        current = await uow.votes.get(vote.id)
        assert current is not None
        polls = tuple(await uow.votes.polls(vote.id))
        titles = await community_titles(uow, polls)
        for poll in polls:
            await uow.outbox.enqueue(
                Notice(
                    key=f"vote:{vote.id}:results:{poll.chat_id}",
                    chat_id=poll.chat_id,
                    kind="vote.results",
                    params=results_params(current, polls, total, per_chat, titles),
                ),
                now,
            )
        closed.append(Closed(current, tuple(p for p in polls if p.message_id is not None and not p.stopped)))
    return closed


async def community_titles(uow: UnitOfWork, polls: Sequence[VotePoll]) -> dict[int, str]:
    titles = {}
    for poll in polls:
        community = await uow.communities.get(poll.chat_id)
        titles[poll.chat_id] = community.title if community is not None and community.title else str(poll.chat_id)
    return titles


def results_params(
    vote: Vote,
    polls: Sequence[VotePoll],
    total: list[int],
    per_chat: dict[int, list[int]],
    titles: dict[int, str],
) -> dict[str, str | int | None]:
    lines = [f"{option.title}: {count}" for option, count in zip(vote.options, total, strict=True)]
    communities = []
    for poll in polls:
        counts = per_chat.get(poll.chat_id, [0] * len(vote.options))
        communities.append(f"{titles.get(poll.chat_id, poll.chat_id)}: " + " / ".join(str(c) for c in counts))
    return {
        "vote": vote.id,
        "question": vote.question,
        "winner": vote.winning_title,
        "totals": "\n".join(lines),
        "communities": "\n".join(communities),
        "price": vote.terms.price.display(),
        "minimum": vote.terms.minimum,
        "pay_by": vote.terms.pay_by.strftime("%Y-%m-%d %H:%M UTC"),
    }


async def standing(uow: UnitOfWork, vote_id: int) -> dict[str, str | int | None]:
    """The live totals of a vote, per option and per community (what /votes and the CLI show)."""
    vote = await uow.votes.get(vote_id)
    if vote is None:
        raise DomainError(VoteError.UNKNOWN)
    total, per_chat = tally(len(vote.options), list(await uow.votes.ballots(vote.id)))
    polls = tuple(await uow.votes.polls(vote.id))
    params = results_params(vote, polls, total, per_chat, await community_titles(uow, polls))
    params["status"] = vote.status.value
    params["preorder"] = vote.preorder.value
    params["closes_at"] = vote.closes_at.strftime("%Y-%m-%d %H:%M UTC")
    return params


def terms(
    price: Money,
    minimum: int,
    pay_by: datetime,
    reward: Reward,
    reward_points: int = 0,
    early_hours: int = 0,
    kind: str = "physical",
) -> PreorderTerms:
    return PreorderTerms(price, minimum, pay_by, reward, reward_points, early_hours, kind)
