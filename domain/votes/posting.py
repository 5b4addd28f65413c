"""Putting a vote's polls up in its communities and taking them down when it closes.

A poll is a native Telegram poll, so it cannot go through the outbox (which sends views). Each is posted and
its ids recorded at once, by the caller right after proposing and by the job that catches up; only a crash
between Telegram's answer and that record would post a group's poll twice (the second one then counts).
"""

from __future__ import annotations

import logging

from domain.messenger import Messenger, MessengerError, Rejected
from domain.outgoing import MessageRef
from domain.ports import UnitOfWorkFactory
from domain.votes.flow import option_text

log = logging.getLogger(__name__)


async def post_pending(uow_factory: UnitOfWorkFactory, messenger: Messenger, limit: int = 20) -> int:
    """Post every poll not posted yet (of votes still open). Returns how many went up."""
    async with uow_factory() as uow:
        pending = list(await uow.votes.unposted_polls(limit))
        votes = {p.vote_id: await uow.votes.get(p.vote_id) for p in pending}
    posted = 0
    for poll in pending:
        vote = votes[poll.vote_id]
        if vote is None:
            continue
        try:
            sent = await messenger.send_poll(poll.chat_id, vote.question, [option_text(o) for o in vote.options])
        except MessengerError as error:
            log.warning("vote %s: could not post its poll in %s: %s", vote.id, poll.chat_id, error)
            continue
        async with uow_factory() as uow:
            if sent.message.message_id is not None:
                await uow.votes.set_posted(poll.id, sent.poll_id, sent.message.message_id)
            await uow.commit()
        posted += 1
    return posted


async def stop_closed(uow_factory: UnitOfWorkFactory, messenger: Messenger, limit: int = 50) -> int:
    """Stop the polls of closed votes in Telegram (a poll stopped already counts as stopped)."""
    async with uow_factory() as uow:
        polls = list(await uow.votes.unstopped_polls_of_closed(limit))
    stopped = 0
    for poll in polls:
        try:
            await messenger.stop_poll(MessageRef(chat_id=poll.chat_id, message_id=poll.message_id))
        except Rejected as error:
            log.info("vote %s: poll in %s not stopped (%s); counting it stopped", poll.vote_id, poll.chat_id, error)
        except MessengerError as error:
            log.warning("vote %s: could not stop its poll in %s: %s", poll.vote_id, poll.chat_id, error)
            continue
        async with uow_factory() as uow:
            await uow.votes.set_stopped(poll.id)
            await uow.commit()
        stopped += 1
    return stopped
