from __future__ import annotations

import asyncio

from domain.notices import Notice, NoticeStatus
from storage.database import Database
from tests.storage.builders import NOW, later


def notice(key: str, **fields: object) -> Notice:
    values: dict[str, object] = {"key": key, "chat_id": -100123, "kind": "order.paid"}
    values.update(fields)
    return Notice(**values)  # type: ignore[arg-type]


async def _enqueue(database: Database, *notices: Notice) -> None:
    async with database.uow() as uow:
        for item in notices:
            await uow.outbox.enqueue(item, NOW)
        await uow.commit()


async def test_enqueued_notice_reads_back_pending_and_due_now(database: Database) -> None:
    sent = notice(
        "order:1:paid",
        params={"order": 1, "title": "青瓷茶具", "note": None},
        language_of=7_000_000_001,
        edit_message_id=42,
    )
    async with database.uow() as uow:
        assert await uow.outbox.enqueue(sent, NOW) is True
        await uow.commit()
    async with database.uow() as uow:
        entry = await uow.outbox.get_by_key("order:1:paid")
        assert await uow.outbox.count_pending() == 1
    assert entry is not None
    assert entry.notice == sent
    assert (entry.status, entry.attempts, entry.next_attempt_at, entry.created_at) == (
        NoticeStatus.PENDING,
        0,
        NOW,
        NOW,
    )
    assert (entry.sent_at, entry.message_id, entry.last_error) == (None, None, None)


async def test_enqueueing_the_same_key_twice_stores_once(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.outbox.enqueue(notice("k"), NOW) is True
        assert await uow.outbox.enqueue(notice("k", kind="other"), NOW) is False
        await uow.commit()
    async with database.uow() as uow:
        entry = await uow.outbox.get_by_key("k")
        assert await uow.outbox.count_pending() == 1
    assert entry is not None and entry.notice.kind == "order.paid"


async def test_unknown_key_is_none(database: Database) -> None:
    async with database.uow() as uow:
        assert await uow.outbox.get_by_key("nope") is None


async def test_claim_due_takes_due_entries_oldest_first_and_leases_them(database: Database) -> None:
    await _enqueue(
        database,
        notice("later", not_before=later(60)),
        notice("first", not_before=later(-30)),
        notice("second"),
    )
    async with database.uow() as uow:
        claimed = await uow.outbox.claim_due(NOW, limit=10, lease_until=later(120))
        await uow.commit()
    assert [e.notice.key for e in claimed] == ["first", "second"]
    assert all(e.next_attempt_at == later(120) for e in claimed)
    async with database.uow() as uow:
        # Leased entries are skipped until the lease lapses; only the one that became due meanwhile comes.
        again = await uow.outbox.claim_due(later(90), limit=10, lease_until=later(200))
    assert [e.notice.key for e in again] == ["later"]


async def test_a_crashed_senders_lease_lapses(database: Database) -> None:
    await _enqueue(database, notice("a"))
    async with database.uow() as uow:
        assert len(await uow.outbox.claim_due(NOW, limit=10, lease_until=later(60))) == 1
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.outbox.claim_due(later(59), limit=10, lease_until=later(120)) == []
        again = await uow.outbox.claim_due(later(60), limit=10, lease_until=later(120))
    assert [e.notice.key for e in again] == ["a"]


async def test_claim_due_respects_the_limit(database: Database) -> None:
    await _enqueue(database, *(notice(f"n{i}") for i in range(5)))
    async with database.uow() as uow:
        assert [e.notice.key for e in await uow.outbox.claim_due(NOW, 2, later(60))] == ["n0", "n1"]
        assert await uow.outbox.claim_due(NOW, 0, later(60)) == []


async def test_sent_entries_are_no_longer_pending(database: Database) -> None:
    await _enqueue(database, notice("a"))
    async with database.uow() as uow:
        (entry,) = await uow.outbox.claim_due(NOW, 10, later(60))
        await uow.outbox.mark_sent(entry.id, later(1), message_id=555)
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.outbox.get_by_key("a")
        assert await uow.outbox.count_pending() == 0
        assert await uow.outbox.claim_due(later(3600), 10, later(3700)) == []
    assert stored is not None
    assert (stored.status, stored.sent_at, stored.message_id) == (NoticeStatus.SENT, later(1), 555)


async def test_retry_later_counts_an_attempt_and_makes_it_due_again(database: Database) -> None:
    await _enqueue(database, notice("a"))
    async with database.uow() as uow:
        (entry,) = await uow.outbox.claim_due(NOW, 10, later(60))
        await uow.outbox.retry_later(entry.id, later(5), "429 retry_after=5")
        await uow.commit()
    async with database.uow() as uow:
        (again,) = await uow.outbox.claim_due(later(5), 10, later(60))
        await uow.outbox.retry_later(again.id, later(10), "flood wait", count=False)
        await uow.commit()
    async with database.uow() as uow:
        stored = await uow.outbox.get_by_key("a")
    assert stored is not None
    assert (stored.status, stored.attempts, stored.next_attempt_at, stored.last_error) == (
        NoticeStatus.PENDING,
        1,
        later(10),
        "flood wait",
    )


async def test_give_up_records_why(database: Database) -> None:
    await _enqueue(database, notice("a"), notice("b"))
    async with database.uow() as uow:
        first, second = await uow.outbox.claim_due(NOW, 10, later(60))
        await uow.outbox.give_up(first.id, NoticeStatus.UNDELIVERABLE, "bot was blocked by the user")
        await uow.outbox.give_up(second.id, NoticeStatus.FAILED, "400 message is too long")
        await uow.commit()
    async with database.uow() as uow:
        a = await uow.outbox.get_by_key("a")
        b = await uow.outbox.get_by_key("b")
        assert await uow.outbox.count_pending() == 0
    assert a is not None and (a.status, a.last_error) == (NoticeStatus.UNDELIVERABLE, "bot was blocked by the user")
    assert b is not None and b.status is NoticeStatus.FAILED


async def test_concurrent_senders_never_claim_the_same_entry(database: Database) -> None:
    await _enqueue(database, *(notice(f"n{i}") for i in range(60)))

    async def sender() -> list[int]:
        taken: list[int] = []
        while True:
            async with database.uow() as uow:
                batch = await uow.outbox.claim_due(NOW, 3, later(600))
                await uow.commit()
            if not batch:
                return taken
            taken.extend(entry.id for entry in batch)
            await asyncio.sleep(0)

    results = await asyncio.gather(*(sender() for _ in range(8)))
    everything = [entry_id for taken in results for entry_id in taken]
    assert len(everything) == 60
    assert len(set(everything)) == 60


async def test_concurrent_enqueues_of_one_key_store_one_entry(database: Database) -> None:
    async def enqueue() -> bool:
        async with database.uow() as uow:
            stored = await uow.outbox.enqueue(notice("same"), NOW)
            await uow.commit()
        return stored

    results = await asyncio.gather(*(enqueue() for _ in range(30)))
    assert results.count(True) == 1


async def test_a_pending_entry_can_be_superseded_once_and_a_sent_one_not(database: Database) -> None:
    await _enqueue(database, notice("drop:1:teaser:60:r0:-100"), notice("drop:1:teaser:60:r0:-200"))
    async with database.uow() as uow:
        sent = await uow.outbox.get_by_key("drop:1:teaser:60:r0:-200")
        assert sent is not None
        await uow.outbox.mark_sent(sent.id, later(1), message_id=9)
        pending = await uow.outbox.get_by_key("drop:1:teaser:60:r0:-100")
        assert pending is not None
        assert await uow.outbox.supersede(pending.id) is True
        assert await uow.outbox.supersede(pending.id) is False  # already withdrawn
        assert await uow.outbox.supersede(sent.id) is False  # it went out: too late to withdraw
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.outbox.count_pending() == 0
        assert await uow.outbox.claim_due(later(3600), 10, later(3700)) == []
        withdrawn = await uow.outbox.get_by_key("drop:1:teaser:60:r0:-100")
    assert withdrawn is not None and withdrawn.status is NoticeStatus.SUPERSEDED


async def test_entries_are_found_by_key_prefix_with_wildcards_taken_literally(database: Database) -> None:
    await _enqueue(
        database, notice("drop:1:teaser:60"), notice("drop:1:teaser-edit:r1:5"), notice("drop:12:teaser:60"),
        notice("drop:1%:teaser:1"), notice("drop:1:teaser:1440"),
    )  # fmt: skip
    async with database.uow() as uow:
        found = await uow.outbox.with_key_prefix("drop:1:teaser:")
        literal = await uow.outbox.with_key_prefix("drop:1%")
    assert [e.notice.key for e in found] == ["drop:1:teaser:60", "drop:1:teaser:1440"]
    assert [e.notice.key for e in literal] == ["drop:1%:teaser:1"]
