from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, delete, func, insert, select, update

from domain.money import Money
from domain.votes.model import (
    Ballot,
    DesignOption,
    NewVote,
    PreorderLine,
    PreorderStatus,
    PreorderTerms,
    Reward,
    Vote,
    VotePoll,
    VoteStatus,
)
from storage.repositories._base import SqlRepository, rowcount
from storage.votes_tables import vote_ballots, vote_polls, vote_preorders, votes


def _options_json(options: Sequence[DesignOption]) -> str:
    return json.dumps(
        [{"title": o.title, "amount": o.price.amount, "currency": o.price.currency, "photo": o.photo} for o in options]
    )


def _vote(row: RowMapping) -> Vote:
    options = tuple(
        DesignOption(o["title"], Money(int(o["amount"]), o["currency"]), o.get("photo"))
        for o in json.loads(row["options"])
    )
    terms = PreorderTerms(
        price=Money(int(row["price_amount"]), row["currency"]),
        minimum=row["minimum"],
        pay_by=row["pay_by"],
        reward=Reward(row["reward"]),
        reward_points=row["reward_points"],
        early_hours=row["early_hours"],
        kind=row["kind"],
    )
    return Vote(
        id=row["id"],
        brand_id=row["brand_id"],
        question=row["question"],
        options=options,
        closes_at=row["closes_at"],
        terms=terms,
        proposer_id=row["proposer_id"],
        created_at=row["created_at"],
        status=VoteStatus(row["status"]),
        preorder=PreorderStatus(row["preorder"]),
        winner=row["winner"],
        product_id=row["product_id"],
    )


def _poll(row: RowMapping) -> VotePoll:
    return VotePoll(row["id"], row["vote_id"], row["chat_id"], row["poll_id"], row["message_id"], row["stopped"])


def _ballot(row: RowMapping) -> Ballot:
    return Ballot(row["vote_id"], row["user_id"], row["chat_id"], row["option"])


def _line(row: RowMapping) -> PreorderLine:
    return PreorderLine(row["vote_id"], row["order_id"], row["user_id"], row["chat_id"])


class SqlVoteRepository(SqlRepository):
    async def add(self, vote: NewVote, chat_ids: Sequence[int]) -> Vote:
        terms = vote.terms
        statement = (
            insert(votes)
            .values(
                brand_id=vote.brand_id,
                question=vote.question,
                options=_options_json(vote.options),
                closes_at=vote.closes_at,
                price_amount=terms.price.amount,
                currency=terms.price.currency,
                minimum=terms.minimum,
                pay_by=terms.pay_by,
                reward=terms.reward.value,
                reward_points=terms.reward_points,
                early_hours=terms.early_hours,
                kind=terms.kind,
                proposer_id=vote.proposer_id,
                created_at=vote.created_at,
                status=VoteStatus.OPEN.value,
                preorder=PreorderStatus.NONE.value,
            )
            .returning(votes.c.id)
        )
        vote_id = (await self._session.execute(statement)).scalar_one()
        for chat_id in chat_ids:
            await self._session.execute(insert(vote_polls).values(vote_id=vote_id, chat_id=chat_id, stopped=False))
        added = await self.get(vote_id)
        assert added is not None
        return added

    async def get(self, vote_id: int) -> Vote | None:
        row = (await self._session.execute(select(votes).where(votes.c.id == vote_id))).mappings().first()
        return _vote(row) if row is not None else None

    async def polls(self, vote_id: int) -> Sequence[VotePoll]:
        rows = await self._session.execute(
            select(vote_polls).where(vote_polls.c.vote_id == vote_id).order_by(vote_polls.c.id)
        )
        return [_poll(r) for r in rows.mappings()]

    async def poll_by_telegram_id(self, poll_id: str) -> VotePoll | None:
        row = (
            (await self._session.execute(select(vote_polls).where(vote_polls.c.poll_id == poll_id))).mappings().first()
        )
        return _poll(row) if row is not None else None

    async def unposted_polls(self, limit: int) -> Sequence[VotePoll]:
        statement = (
            select(vote_polls)
            .join(votes, votes.c.id == vote_polls.c.vote_id)
            .where(vote_polls.c.poll_id.is_(None), votes.c.status == VoteStatus.OPEN.value)
            .order_by(vote_polls.c.id)
            .limit(limit)
        )
        return [_poll(r) for r in (await self._session.execute(statement)).mappings()]

    async def set_posted(self, poll_row_id: int, poll_id: str, message_id: int) -> bool:
        result = await self._session.execute(
            update(vote_polls)
            .where(vote_polls.c.id == poll_row_id, vote_polls.c.poll_id.is_(None))
            .values(poll_id=poll_id, message_id=message_id)
        )
        return rowcount(result) == 1

    async def set_stopped(self, poll_row_id: int) -> None:
        await self._session.execute(update(vote_polls).where(vote_polls.c.id == poll_row_id).values(stopped=True))

    async def unstopped_polls_of_closed(self, limit: int) -> Sequence[VotePoll]:
        statement = (
            select(vote_polls)
            .join(votes, votes.c.id == vote_polls.c.vote_id)
            .where(
                vote_polls.c.message_id.is_not(None),
                vote_polls.c.stopped.is_(False),
                votes.c.status == VoteStatus.CLOSED.value,
            )
            .order_by(vote_polls.c.id)
            .limit(limit)
        )
        return [_poll(r) for r in (await self._session.execute(statement)).mappings()]

    async def ballot(self, vote_id: int, user_id: int) -> Ballot | None:
        row = (
            (
                await self._session.execute(
                    select(vote_ballots).where(vote_ballots.c.vote_id == vote_id, vote_ballots.c.user_id == user_id)
                )
            )
            .mappings()
            .first()
        )
        return _ballot(row) if row is not None else None

    async def add_ballot(self, ballot: Ballot, now: datetime) -> bool:
        statement = (
            self._insert(vote_ballots)
            .values(
                vote_id=ballot.vote_id,
                user_id=ballot.user_id,
                chat_id=ballot.chat_id,
                option=ballot.option,
                voted_at=now,
            )
            .on_conflict_do_nothing(index_elements=["vote_id", "user_id"])
        )
        return rowcount(await self._session.execute(statement)) == 1

    async def change_ballot(self, vote_id: int, user_id: int, chat_id: int, option: int) -> bool:
        result = await self._session.execute(
            update(vote_ballots)
            .where(
                vote_ballots.c.vote_id == vote_id, vote_ballots.c.user_id == user_id, vote_ballots.c.chat_id == chat_id
            )
            .values(option=option)
        )
        return rowcount(result) == 1

    async def remove_ballot(self, vote_id: int, user_id: int, chat_id: int) -> bool:
        result = await self._session.execute(
            delete(vote_ballots).where(
                vote_ballots.c.vote_id == vote_id, vote_ballots.c.user_id == user_id, vote_ballots.c.chat_id == chat_id
            )
        )
        return rowcount(result) == 1

    async def ballots(self, vote_id: int) -> Sequence[Ballot]:
        rows = await self._session.execute(
            select(vote_ballots).where(vote_ballots.c.vote_id == vote_id).order_by(vote_ballots.c.voted_at)
        )
        return [_ballot(r) for r in rows.mappings()]

    async def due_to_close(self, now: datetime, limit: int) -> Sequence[Vote]:
        statement = (
            select(votes)
            .where(votes.c.status == VoteStatus.OPEN.value, votes.c.closes_at <= now)
            .order_by(votes.c.closes_at, votes.c.id)
            .limit(limit)
        )
        return [_vote(r) for r in (await self._session.execute(statement)).mappings()]

    async def close(self, vote_id: int, winner: int, product_id: int) -> bool:
        result = await self._session.execute(
            update(votes)
            .where(votes.c.id == vote_id, votes.c.status == VoteStatus.OPEN.value)
            .values(
                status=VoteStatus.CLOSED.value, preorder=PreorderStatus.OPEN.value, winner=winner, product_id=product_id
            )
        )
        return rowcount(result) == 1

    async def due_to_settle(self, now: datetime, limit: int) -> Sequence[Vote]:
        statement = (
            select(votes)
            .where(votes.c.preorder == PreorderStatus.OPEN.value, votes.c.pay_by <= now)
            .order_by(votes.c.pay_by, votes.c.id)
            .limit(limit)
        )
        return [_vote(r) for r in (await self._session.execute(statement)).mappings()]

    async def settle(self, vote_id: int, to: PreorderStatus) -> bool:
        result = await self._session.execute(
            update(votes)
            .where(votes.c.id == vote_id, votes.c.preorder == PreorderStatus.OPEN.value)
            .values(preorder=to.value)
        )
        return rowcount(result) == 1

    async def add_line(self, line: PreorderLine) -> None:
        await self._session.execute(
            insert(vote_preorders).values(
                order_id=line.order_id, vote_id=line.vote_id, user_id=line.user_id, chat_id=line.chat_id
            )
        )

    async def line_of(self, vote_id: int, user_id: int) -> PreorderLine | None:
        statement = (
            select(vote_preorders)
            .where(vote_preorders.c.vote_id == vote_id, vote_preorders.c.user_id == user_id)
            .order_by(vote_preorders.c.order_id.desc())
            .limit(1)
        )
        row = (await self._session.execute(statement)).mappings().first()
        return _line(row) if row is not None else None

    async def line_for_order(self, order_id: int) -> PreorderLine | None:
        row = (
            (await self._session.execute(select(vote_preorders).where(vote_preorders.c.order_id == order_id)))
            .mappings()
            .first()
        )
        return _line(row) if row is not None else None

    async def open_preorders_of(self, user_id: int) -> int:
        statement = (
            select(func.count())
            .select_from(vote_preorders)
            .join(votes, votes.c.id == vote_preorders.c.vote_id)
            .where(vote_preorders.c.user_id == user_id, votes.c.preorder == PreorderStatus.OPEN.value)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        await self._rekey(user_id, pseudonym, vote_ballots.c.user_id, vote_preorders.c.user_id, votes.c.proposer_id)
        await self._session.execute(
            update(vote_preorders).where(vote_preorders.c.chat_id == user_id).values(chat_id=pseudonym)
        )

    async def lines(self, vote_id: int) -> Sequence[PreorderLine]:
        rows = await self._session.execute(
            select(vote_preorders).where(vote_preorders.c.vote_id == vote_id).order_by(vote_preorders.c.order_id)
        )
        return [_line(r) for r in rows.mappings()]
