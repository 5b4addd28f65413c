"""What the vote use cases need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.votes.model import Ballot, NewVote, PreorderLine, PreorderStatus, Vote, VotePoll


class VoteRepository(Protocol):
    async def add(self, vote: NewVote, chat_ids: Sequence[int]) -> Vote:
        """Insert the vote (OPEN) and one unposted poll per community."""

    async def get(self, vote_id: int) -> Vote | None: ...
    async def polls(self, vote_id: int) -> Sequence[VotePoll]: ...
    async def poll_by_telegram_id(self, poll_id: str) -> VotePoll | None: ...
    async def unposted_polls(self, limit: int) -> Sequence[VotePoll]:
        """Polls of OPEN votes not posted yet, oldest first."""

    async def set_posted(self, poll_row_id: int, poll_id: str, message_id: int) -> bool:
        """Record Telegram's ids once (only while unposted)."""

    async def set_stopped(self, poll_row_id: int) -> None: ...
    async def unstopped_polls_of_closed(self, limit: int) -> Sequence[VotePoll]:
        """Posted polls of CLOSED votes that were not stopped yet."""

    async def ballot(self, vote_id: int, user_id: int) -> Ballot | None: ...
    async def add_ballot(self, ballot: Ballot, now: datetime) -> bool:
        """Insert unless the member has a ballot in this vote already (one per member across communities)."""

    async def change_ballot(self, vote_id: int, user_id: int, chat_id: int, option: int) -> bool:
        """Change the option of the member's ballot, only if it was cast in `chat_id`."""

    async def remove_ballot(self, vote_id: int, user_id: int, chat_id: int) -> bool:
        """Delete the member's ballot, only if it was cast in `chat_id` (a retraction elsewhere frees nothing)."""

    async def ballots(self, vote_id: int) -> Sequence[Ballot]: ...
    async def due_to_close(self, now: datetime, limit: int) -> Sequence[Vote]: ...
    async def close(self, vote_id: int, winner: int, product_id: int) -> bool:
        """OPEN -> CLOSED with the pre-order OPEN; True for the one call that did it."""

    async def due_to_settle(self, now: datetime, limit: int) -> Sequence[Vote]:
        """Votes whose pre-order is OPEN and whose pay-by deadline passed."""

    async def settle(self, vote_id: int, to: PreorderStatus) -> bool:
        """Pre-order OPEN -> REACHED or MISSED; True for the one call that did it."""

    async def add_line(self, line: PreorderLine) -> None: ...
    async def line_of(self, vote_id: int, user_id: int) -> PreorderLine | None:
        """The member's newest pre-order line in this vote."""

    async def line_for_order(self, order_id: int) -> PreorderLine | None: ...
    async def lines(self, vote_id: int) -> Sequence[PreorderLine]: ...
    async def open_preorders_of(self, user_id: int) -> int:
        """Pre-order lines of the member in pre-orders still OPEN (refunded if the minimum is missed)."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Their ballots, pre-order lines and proposals move to `pseudonym`."""
