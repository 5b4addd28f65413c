"""Co-creation votes on SQLite and PostgreSQL: one ballot per member across communities, closing and
settling once, and proposals only by the brand's staff or the moderators of every group, with its consent."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.actors import Actor
from domain.communities import Community
from domain.errors import DomainError
from domain.moderation import settings as community_settings
from domain.moderation.errors import ModerationError
from domain.money import Money
from domain.points.policy import RewardsPolicy
from domain.votes import flow, preorders
from domain.votes.errors import VoteError
from domain.votes.flow import Counted, Proposal
from domain.votes.model import DesignOption, PreorderStatus, PreorderTerms, Reward, VoteStatus
from storage.database import Database
from tests.storage.builders import NOW

TEA, INK = -1001, -1002
STAFF, MODERATOR, ANN, BO = 7001, 7002, 7003, 7004


def _proposal(brand_id: int, chat_ids: tuple[int, ...] = (TEA, INK), options: int = 2) -> Proposal:
    designs = tuple(DesignOption(f"Design {i}", Money(45, "XTR")) for i in range(options))
    terms = PreorderTerms(Money(50, "XTR"), 2, NOW + timedelta(hours=120), Reward.POINTS, 20, kind="digital")
    return Proposal(brand_id, "Which cup next?", designs, chat_ids, NOW + timedelta(hours=48), terms)


async def _brand_in_two_groups(database: Database, allowed: tuple[int, ...] = (TEA, INK)) -> int:
    async with database.uow() as uow:
        brand = await uow.brands.add("Celadon Studio")
        await uow.brand_staff.add(brand.id, STAFF, NOW)
        for chat_id, title in ((TEA, "Tea Circle"), (INK, "Ink Circle")):
            await uow.communities.save(Community(chat_id, title, True, NOW))
        for chat_id in allowed:
            await uow.brand_optins.set(chat_id, brand.id, True, MODERATOR, NOW)
        await uow.commit()
    return brand.id


async def _posted(database: Database, vote_id: int) -> None:
    async with database.uow() as uow:
        for poll in await uow.votes.polls(vote_id):
            assert await uow.votes.set_posted(poll.id, f"poll-{poll.chat_id}", 10)
            assert not await uow.votes.set_posted(poll.id, "again", 11)  # posted once
        await uow.commit()


async def test_one_vote_per_member_across_communities(database: Database) -> None:
    brand_id = await _brand_in_two_groups(database)
    async with database.uow() as uow:
        vote = await flow.propose(uow, NOW, Actor(STAFF), _proposal(brand_id))
        await uow.commit()
    await _posted(database, vote.id)

    async def answer(poll: int, user: int, options: list[int]) -> Counted:
        async with database.uow() as uow:
            counted = await flow.record_answer(uow, NOW, f"poll-{poll}", user, options)
            await uow.commit()
        return counted

    assert await answer(TEA, ANN, [1]) is Counted.COUNTED
    assert await answer(INK, ANN, [0]) is Counted.ELSEWHERE  # her vote already counts in the Tea Circle
    assert await answer(INK, ANN, []) is Counted.IGNORED  # retracting where it did not count frees nothing
    assert await answer(TEA, ANN, [0]) is Counted.COUNTED  # she may change it where it counts
    assert await answer(TEA, ANN, []) is Counted.RETRACTED
    assert await answer(INK, ANN, [1]) is Counted.COUNTED  # freed: now it counts in the Ink Circle
    assert await answer(TEA, BO, [5]) is Counted.IGNORED  # no such design
    assert await answer(TEA, BO, [1]) is Counted.COUNTED
    assert await answer(-999, BO, [0]) is Counted.IGNORED  # not one of our polls
    async with database.uow() as uow:
        standing = await flow.standing(uow, vote.id)
    assert standing["totals"] == "Design 0: 0\nDesign 1: 2"
    assert standing["communities"] == "Tea Circle: 0 / 1\nInk Circle: 0 / 1"


async def test_simultaneous_votes_in_two_groups_count_once(database: Database) -> None:
    brand_id = await _brand_in_two_groups(database)
    async with database.uow() as uow:
        vote = await flow.propose(uow, NOW, Actor(STAFF), _proposal(brand_id))
        await uow.commit()
    await _posted(database, vote.id)

    async def answer(poll: int, option: int) -> Counted:
        async with database.uow() as uow:
            counted = await flow.record_answer(uow, NOW, f"poll-{poll}", ANN, [option])
            await uow.commit()
        return counted

    results = await asyncio.gather(answer(TEA, 0), answer(INK, 1), return_exceptions=True)
    async with database.uow() as uow:
        ballots = await uow.votes.ballots(vote.id)
    assert len(ballots) == 1
    assert Counted.COUNTED in results


async def test_a_vote_closes_once_and_its_preorder_settles_once(database: Database) -> None:
    brand_id = await _brand_in_two_groups(database)
    async with database.uow() as uow:
        vote = await flow.propose(uow, NOW, Actor(STAFF), _proposal(brand_id))
        await uow.commit()
    async with database.uow() as uow:
        assert await flow.close_due(uow, NOW + timedelta(hours=47)) == []
        (closed,) = await flow.close_due(uow, NOW + timedelta(hours=48))
        assert await flow.close_due(uow, NOW + timedelta(hours=49)) == []
        await uow.commit()
    assert closed.vote.status is VoteStatus.CLOSED and closed.vote.preorder is PreorderStatus.OPEN
    assert closed.vote.winner == 0  # a tie goes to the design listed first
    async with database.uow() as uow:
        started = await preorders.start(uow, NOW + timedelta(hours=50), vote.id, ANN, TEA)
        again = await preorders.start(uow, NOW + timedelta(hours=50), vote.id, ANN, TEA)
        await uow.commit()
    assert again.order.id == started.order.id  # the same unpaid order
    async with database.uow() as uow:
        assert await uow.votes.open_preorders_of(ANN) == 1
        (settled,) = await preorders.settle_due(uow, NOW + timedelta(hours=120), RewardsPolicy())
        assert await preorders.settle_due(uow, NOW + timedelta(hours=121), RewardsPolicy()) == []
        await uow.commit()
    assert not settled.reached and settled.paid == 0
    async with database.uow() as uow:
        assert (await uow.votes.get(vote.id)).preorder is PreorderStatus.MISSED  # type: ignore[union-attr]
        with pytest.raises(DomainError) as refused:
            await preorders.start(uow, NOW + timedelta(hours=121), vote.id, BO, TEA)
    assert refused.value.code is VoteError.PREORDER_CLOSED


async def test_who_may_propose_a_vote(database: Database) -> None:
    brand_id = await _brand_in_two_groups(database, allowed=(TEA,))
    async with database.uow() as uow:
        with pytest.raises(DomainError) as no_consent:
            await flow.propose(uow, NOW, Actor(STAFF), _proposal(brand_id))
        assert no_consent.value.code is VoteError.NO_CONSENT  # the Ink Circle has not allowed the brand
        with pytest.raises(DomainError) as stranger:
            await flow.propose(uow, NOW, Actor(ANN), _proposal(brand_id, (TEA,)))
        assert stranger.value.code is VoteError.NOT_ALLOWED
        with pytest.raises(DomainError) as other_group:
            await flow.propose(uow, NOW, Actor(MODERATOR, admin_of=frozenset({INK})), _proposal(brand_id, (TEA,)))
        assert other_group.value.code is VoteError.NOT_ALLOWED
        with pytest.raises(DomainError) as too_few:
            await flow.propose(uow, NOW, Actor(STAFF), _proposal(brand_id, (TEA,), options=1))
        assert too_few.value.code is VoteError.OPTION_COUNT
        moderated = await flow.propose(
            uow, NOW, Actor(MODERATOR, admin_of=frozenset({TEA})), _proposal(brand_id, (TEA,), options=10)
        )
        assert len(moderated.options) == 10


async def test_a_group_whose_admins_turned_votes_off_gets_no_vote(database: Database) -> None:
    brand_id = await _brand_in_two_groups(database)
    admin_of_ink = Actor(MODERATOR, admin_of=frozenset({INK}))
    async with database.uow() as uow:
        await community_settings.toggle_feature(uow, NOW, INK, admin_of_ink, "votes", False)
        await uow.commit()
    async with database.uow() as uow:
        with pytest.raises(DomainError) as turned_off:
            await flow.propose(uow, NOW, Actor(STAFF), _proposal(brand_id))
        assert turned_off.value.code is ModerationError.FEATURE_OFF
        assert len((await flow.propose(uow, NOW, Actor(STAFF), _proposal(brand_id, (TEA,)))).options) == 2
