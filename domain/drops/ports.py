"""What drops need from storage. Every state change is a conditional update that reports whether it took."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.drops.beacon import BeaconRound, BeaconValue
from domain.drops.model import (
    ClaimStatus,
    Drop,
    DropClaim,
    DropPlan,
    DropStatus,
    EntryStatus,
    RaffleEntry,
    UnitsHold,
    UnitsTaken,
)


@dataclass(frozen=True, slots=True)
class DropTarget:
    """A group the drop was announced in, and the remaining count its announcement last showed."""

    drop_id: int
    chat_id: int
    announced_remaining: int | None = None
    last_edit_key: str | None = None


class DropRepository(Protocol):
    async def add(
        self,
        plan: DropPlan,
        title: str,
        status: DropStatus,
        created_by: int,
        now: datetime,
        seed: str | None,
        seed_hash: str | None,
        pseudonym_key: str | None = None,
        beacon: BeaconRound | None = None,
        key: str | None = None,
    ) -> Drop: ...
    async def get(self, drop_id: int) -> Drop | None: ...
    async def by_key(self, brand_id: int, key: str) -> Drop | None:
        """The brand's drop a drop file scheduled under this key (unique per brand)."""

    async def set_key(self, drop_id: int, key: str) -> bool:
        """Give a drop without a key this key; False if it has one already."""

    async def same_plan(self, plan: DropPlan) -> Sequence[Drop]:
        """Drops whose plan is exactly this one (any status), oldest first."""

    async def listing(
        self, brand_ids: Sequence[int] | None, statuses: Sequence[DropStatus], limit: int
    ) -> Sequence[Drop]:
        """Drops of these brands (None: every brand) in these statuses (empty: any), latest start first."""

    async def replan(
        self,
        drop_id: int,
        plan: DropPlan,
        title: str,
        from_statuses: Sequence[DropStatus],
        beacon: BeaconRound | None = None,
    ) -> bool:
        """Overwrite the plan of a drop still in one of `from_statuses`, counting one more revision (and, for
        a raffle, the beacon round its new end calls for)."""

    async def transition(
        self, drop_id: int, from_statuses: Sequence[DropStatus], to_status: DropStatus, at: datetime
    ) -> bool:
        """Conditional status change; records opened_at / closed_at for OPEN / CLOSED."""

    async def with_status(self, statuses: Sequence[DropStatus]) -> Sequence[Drop]:
        """Drops in these statuses, soonest start first."""

    async def for_brands(self, brand_ids: Sequence[int], limit: int) -> Sequence[Drop]:
        """The brands' drops, newest first."""

    async def mark_teaser(self, drop_id: int, minutes: int) -> bool:
        """Record that the teaser `minutes` before the start went out, unless it (or a later one) did."""

    async def claim_units(self, drop_id: int, quantity: int, statuses: Sequence[DropStatus]) -> bool:
        """claimed += quantity if the drop is in `statuses`, not reported yet (its unsold units went back to
        the shelf then) and that many remain. One conditional UPDATE."""

    async def claim_for_member(
        self, drop_id: int, user_id: int, quantity: int, limit: int, statuses: Sequence[DropStatus]
    ) -> UnitsTaken:
        """The member's allowance on the drop += quantity if it stays within `limit`, and the drop's units as
        `claim_units` takes them: both or neither. LIMIT_REACHED wins when both refuse. A payment that comes
        after its hold lapsed takes its unit this way, in the payment's transaction: one statement on PostgreSQL
        (one round trip), the fewest statements elsewhere."""

    async def hold_units(self, hold: UnitsHold) -> UnitsTaken:
        """Write the pre-checkout's hold (see `UnitsHold`): all of it, or nothing. TAKEN when it was written;
        NOT_WAITING when the claim was not in `claim_from` (another pre-checkout of the order moved it first)
        or the order not in `order_from` (it was refunded or cancelled meanwhile);
        otherwise the allowance's or the drop's refusal, as `claim_for_member` gives it. Each write it makes
        is whole on its own, so it may run in a unit of work whose statements commit one by one: on
        PostgreSQL it is one statement, which holds the drop's hot row only while it runs."""

    async def release_units(self, drop_id: int, quantity: int) -> None: ...
    async def move_reserved(self, drop_id: int, from_units: int, to_units: int) -> bool:
        """reserved = to_units if it is still from_units (compare and set): units set aside or given back."""

    async def take_reserved(self, drop_id: int, quantity: int) -> bool:
        """reserved -= quantity if that many are set aside (sold units leave the reservation)."""

    async def record_refund(self, drop_id: int, quantity: int, amount: int) -> None:
        """sold -= quantity, refunded += quantity, revenue -= amount (an operator refunded a paid order)."""

    async def live_for_product(self, product_id: int) -> Sequence[Drop]:
        """The product's SCHEDULED and OPEN drops, soonest start first."""

    async def record_sale(self, drop_id: int, quantity: int, amount: int, now: datetime) -> None:
        """sold += quantity, revenue += amount; the first sale that reaches the quantity stamps sold_out_at."""

    async def mark_drawn(
        self, drop_id: int, now: datetime, draw_seed: str | None = None, beacon: BeaconValue | None = None
    ) -> bool:
        """Record the draw once (with the seed it used and the beacon value, None for the fallback)."""

    async def count_entrant(self, drop_id: int) -> bool:
        """entrants += 1 if the drop is still OPEN. One conditional UPDATE on the drop's row, so an entry and
        the closing cannot interleave: an entry either counts before the close or is refused."""

    async def freeze_entrants(self, drop_id: int, digest: str) -> bool:
        """Record the entrant list's digest when entries close, once."""

    async def mark_reported(self, drop_id: int, now: datetime) -> bool: ...

    async def add_target(self, drop_id: int, chat_id: int) -> bool: ...
    async def targets(self, drop_id: int) -> Sequence[DropTarget]: ...
    async def set_announced(self, drop_id: int, chat_id: int, remaining: int, edit_key: str | None) -> None:
        """What the group's announcement shows now, and the key of the edit that made it (None: the post)."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Drops the member made (as brand staff) name `pseudonym` as their maker."""


class DropClaimRepository(Protocol):
    async def add(self, claim: DropClaim) -> None: ...
    async def get(self, order_id: int) -> DropClaim | None: ...
    async def open_for(self, drop_id: int, user_id: int) -> DropClaim | None:
        """The member's newest PENDING or HELD claim on the drop."""

    async def give_back_allowance(self, drop_id: int, user_id: int, quantity: int) -> None: ...
    async def allowance_used(self, drop_id: int, user_id: int) -> int: ...
    async def transition(
        self,
        order_id: int,
        from_statuses: Sequence[ClaimStatus],
        to_status: ClaimStatus,
        expires_at: datetime | None = None,
        paid_at: datetime | None = None,
        lapsed_by: datetime | None = None,
    ) -> bool:
        """Move the claim if it is in `from_statuses` (and, with `lapsed_by`, its hold lapsed by then)."""

    async def extend(self, order_id: int, expires_at: datetime) -> bool:
        """Move a HELD claim's expiry; False if it is not held any more."""

    async def due(self, now: datetime, limit: int) -> Sequence[DropClaim]:
        """HELD claims whose hold lapsed, oldest first."""

    async def paid(self, drop_id: int) -> Sequence[DropClaim]:
        """Paid claims, in the order they were paid."""

    async def held_count(self, drop_id: int) -> int:
        """Claims holding units right now (a payment may still complete)."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Their drop claims and per-member counters move to `pseudonym` (the limit and the report still add up)."""


class DropFanRepository(Protocol):
    """Members who asked to be reminded, and raffle entrants."""

    async def add_reminder(self, drop_id: int, user_id: int, now: datetime) -> bool: ...
    async def reminders(self, drop_id: int) -> Sequence[int]: ...

    async def enter(self, drop_id: int, user_id: int, now: datetime, pseudonym: str | None = None) -> bool:
        """Record an entry; False if the member had entered already."""

    async def entry(self, drop_id: int, user_id: int) -> RaffleEntry | None: ...
    async def by_pseudonym(self, drop_id: int, pseudonym: str) -> RaffleEntry | None: ...
    async def entries(self, drop_id: int) -> Sequence[RaffleEntry]:
        """Every entry, by rank once drawn (unranked ones by user id)."""

    async def set_rank(self, drop_id: int, user_id: int, rank: int) -> None: ...
    async def move_entry(
        self,
        drop_id: int,
        user_id: int,
        from_statuses: Sequence[EntryStatus],
        to_status: EntryStatus,
        offer_expires_at: datetime | None = None,
    ) -> bool: ...
    async def lapsed_offers(self, now: datetime, limit: int) -> Sequence[RaffleEntry]: ...
    async def next_in_line(self, drop_id: int, count: int) -> Sequence[RaffleEntry]:
        """ENTERED (not yet offered) entries with the lowest ranks."""

    async def count(self, drop_id: int, statuses: Sequence[EntryStatus]) -> int: ...

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Their reminders are erased; raffle entries move to `pseudonym` (the published pseudonym stays, so a
        published draw can still be checked)."""
