"""What the domain needs from storage. `storage/` implements these; the domain never sees SQL."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol

from domain.assistant.ports import AssistantUsageRepository, DigestRepository, HandoverRepository
from domain.brands.ports import BrandOptInRepository, BrandStaffRepository
from domain.communities import Community
from domain.drops.ports import DropClaimRepository, DropFanRepository, DropRepository
from domain.groupbuys.ports import GroupBuyRepository
from domain.members import Member
from domain.memberships.boxes import BoxRepository
from domain.memberships.ports import MembershipRepository, PlanRepository
from domain.moderation.ports import CommunitySettingsRepository, GiveawayRepository, MeetupRepository
from domain.notices import Notice, NoticeStatus, OutboxEntry
from domain.points.ports import PointsRepository
from domain.privacy.ports import PersonalDataRepository
from domain.referrals.ports import ReferralRepository
from domain.share.ports import ShareRepository
from domain.shop.addresses import AddressRepository
from domain.shop.orders import (
    HoldStatus,
    NewOrder,
    NewPayment,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    StockHold,
)
from domain.shop.payments.ports import PaymentInboxRepository
from domain.shop.products import Brand, NewProduct, Product
from domain.updates import ProcessedUpdateRepository
from domain.votes.ports import VoteRepository


class MemberRepository(Protocol):
    async def get(self, user_id: int) -> Member | None: ...
    async def get_many(self, user_ids: Collection[int]) -> dict[int, Member]:
        """The members of these ids that exist, by id: one query."""
        ...

    async def save(self, member: Member) -> None:
        """Insert or update by id."""

    async def forget_member(self, user_id: int) -> None:
        """Delete the member's profile (name, username, languages); they start afresh if they come back."""


class CommunityRepository(Protocol):
    async def get(self, chat_id: int) -> Community | None: ...
    async def get_many(self, chat_ids: Collection[int]) -> dict[int, Community]:
        """The communities of these chats that exist, by chat id: one query."""
        ...

    async def save(self, community: Community) -> None:
        """Insert or update by chat_id."""

    async def list_active(self) -> Sequence[Community]: ...


class BrandRepository(Protocol):
    async def get(self, brand_id: int) -> Brand | None: ...
    async def get_by_name(self, name: str) -> Brand | None: ...
    async def add(self, name: str) -> Brand: ...


class ProductRepository(Protocol):
    async def get(self, product_id: int) -> Product | None: ...
    async def get_by_sku(self, sku: str) -> Product | None: ...
    async def add(self, product: NewProduct) -> Product: ...
    async def update(self, product: Product) -> None:
        """Overwrite the product's details, all but its stock counters (used by catalog import)."""

    async def recount(self, product_id: int, count: int) -> None:
        """A catalog import states the brand's count: in one UPDATE, the shelf moves by the difference from
        the count the previous import stated (never below zero) and `count` is remembered. Units held or
        sold since that import stay taken, so no unit held or sold is handed out again."""

    async def get_many_by_sku(self, skus: Sequence[str]) -> dict[str, Product]:
        """The products among `skus` that exist, by SKU, in one SELECT (a catalog import's batch)."""

    async def add_many(self, products: Sequence[NewProduct]) -> None:
        """Insert every product in one bulk statement (a catalog import's new products)."""

    async def update_many(self, changes: Sequence[tuple[Product, int]]) -> None:
        """For each (product, count): `update` its details and `recount` it, in one bulk UPDATE for them all."""

    async def recount_many(self, counts: Sequence[tuple[int, int]]) -> None:
        """`recount` for each (product id, count), in one bulk statement."""

    async def list_active(self, offset: int, limit: int) -> Sequence[Product]:
        """Active products, newest catalog order first (by id), for paging."""

    async def count_active(self) -> int: ...
    async def list_all(self) -> Sequence[Product]:
        """Every product, active or not, ordered by SKU (for export)."""

    async def search(self, text: str, limit: int) -> Sequence[Product]:
        """Active products matching the words in title, description or tags, best match first.

        Full-text search (SQLite FTS5 / PostgreSQL tsvector); every word must match (prefix match on the
        last word is allowed so that 'tea' finds 'teapot'). Empty or punctuation-only text finds nothing.
        """

    async def claim_stock(self, product_id: int, quantity: int) -> bool:
        """Atomically hold `quantity` units if that many are for sale (shelf less held): one conditional
        UPDATE, never read-then-write. True when held; False when fewer remain (or the product is gone).
        Used by pre-checkout holds and by drops setting their units aside."""

    async def release_stock(self, product_id: int, quantity: int) -> None:
        """Held units are for sale again (a hold lapsed or was cancelled, a drop gave back its units)."""

    async def sell_held(self, product_id: int, quantity: int) -> None:
        """Held units were paid for: they leave the shelf (and are no longer held)."""

    async def restock(self, product_id: int, quantity: int) -> None:
        """Sold units are back on the shelf, for sale (a group buy that did not fill takes its units back)."""


class OrderRepository(Protocol):
    async def add(self, order: NewOrder) -> Order:
        """Insert the order (status PENDING) with its lines; returns it with its id."""

    async def get(self, order_id: int) -> Order | None: ...
    async def find_open(self, user_id: int, product_id: int, chat_id: int) -> Order | None:
        """The member's newest PENDING or HELD single-line order for this product in this chat."""

    async def list_for_user(self, user_id: int, limit: int) -> Sequence[Order]:
        """Newest first."""

    async def transition(
        self,
        order_id: int,
        from_statuses: Sequence[OrderStatus],
        to_status: OrderStatus,
        paid_at: datetime | None = None,
    ) -> bool:
        """Conditional status change (UPDATE ... WHERE status IN from_statuses). True if this call moved it."""

    async def set_shipping(self, order_id: int, amount: int, country: str) -> bool:
        """Store the chosen shipping on an order not paid yet (PENDING, HELD or EXPIRED); True if stored."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Move every link to the member onto `pseudonym` (see domain/privacy/holdings.py)."""

    async def advance(
        self,
        order_id: int,
        from_statuses: Sequence[OrderStatus],
        to_status: OrderStatus,
        changes: Mapping[str, object],
    ) -> bool:
        """Conditional status change that also sets fulfilment fields (names of `Fulfilment`'s fields)."""

    async def list_for_brands(
        self, brand_ids: Sequence[int] | None, statuses: Sequence[OrderStatus], offset: int, limit: int
    ) -> Sequence[Order]:
        """Orders in `statuses` with a line of a product of one of the brands (None: any), oldest paid first."""

    async def count_for_brands(self, brand_ids: Sequence[int] | None, statuses: Sequence[OrderStatus]) -> int: ...


class CodeRepository(Protocol):
    """The pools of unique codes (e-tickets, licence keys) digital products deliver, one per unit sold."""

    async def existing(self, product_id: int, codes: Sequence[str]) -> set[str]:
        """Those of `codes` already in the product's pool (given out or not)."""

    async def add(self, product_id: int, codes: Sequence[str], now: datetime) -> None:
        """Put the codes in the pool, unclaimed (the pool is unique by product and code)."""

    async def claim(self, product_id: int, order_id: int, now: datetime) -> str | None:
        """Give one free code to the order: one atomic conditional UPDATE (never read-then-write), so no
        code goes to two orders, however many claim at once. None when the pool has no free code."""

    async def release(self, order_id: int) -> None:
        """The order's codes are free again (a delivery that could not be completed, in the same transaction)."""

    async def for_order(self, order_id: int) -> Sequence[str]:
        """The codes given to the order, in the order they were given."""

    async def count(self, product_id: int) -> tuple[int, int]:
        """(free, given) codes in the product's pool."""

    async def rearm(self, product_id: int) -> None:
        """The pool was filled up: its next fall below the threshold warns again."""

    async def low(self, threshold: int, limit: int) -> Sequence[tuple[int, int]]:
        """(product id, free codes) of uploaded pools at or below `threshold` that have not warned yet."""

    async def mark_warned(self, product_id: int) -> bool:
        """Conditionally note that the pool warned; True for the one caller that noted it."""


class HoldRepository(Protocol):
    async def add(self, order_id: int, product_id: int, quantity: int, expires_at: datetime) -> StockHold: ...
    async def active_for_order(self, order_id: int) -> StockHold | None: ...
    async def extend(self, hold_id: int, expires_at: datetime) -> bool:
        """Move an ACTIVE hold's expiry; False if it is no longer active."""

    async def transition(self, hold_id: int, from_status: HoldStatus, to_status: HoldStatus) -> bool:
        """Conditional status change; True if this call moved it (so exactly one caller releases stock)."""

    async def due(self, now: datetime, limit: int) -> Sequence[StockHold]:
        """ACTIVE holds with expires_at <= now, oldest first."""


class PaymentRepository(Protocol):
    async def add_if_new(self, payment: NewPayment) -> Payment | None:
        """Insert keyed by telegram_charge_id (unique). None if that charge was already recorded.

        Must be safe under concurrent duplicates (INSERT ... ON CONFLICT DO NOTHING).
        """

    async def get_by_charge(self, telegram_charge_id: str) -> Payment | None: ...
    async def for_order(self, order_id: int) -> Sequence[Payment]: ...
    async def set_status(
        self,
        payment_id: int,
        from_status: PaymentStatus,
        to_status: PaymentStatus,
        at: datetime | None = None,
        reason: str | None = None,
        by: int | None = None,
    ) -> bool:
        """Conditional status change; `at` is stored as refunded_at when moving to REFUNDED, `reason` as
        the refund's reason, `by` as the operator who refunded by hand."""

    async def with_status(self, status: PaymentStatus, limit: int) -> Sequence[Payment]: ...
    async def get(self, payment_id: int) -> Payment | None: ...
    async def refund_refused(self, payment_id: int) -> int:
        """Count one refusal of a refund by Telegram; returns the refusals so far."""

    async def escalate(self, payment_id: int, at: datetime) -> bool:
        """Hand a due refund to the operators; True only the first time."""

    async def refunds_owed(self, limit: int) -> Sequence[Payment]:
        """REFUND_DUE payments, oldest first."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Move every link to the member onto `pseudonym` (see domain/privacy/holdings.py)."""

    async def refunds_due_to(self, user_id: int) -> int:
        """How many of the member's payments are REFUND_DUE (money on its way back to them)."""


class OutboxRepository(Protocol):
    async def enqueue(self, notice: Notice, now: datetime) -> bool:
        """Store the notice unless its key exists (INSERT ... ON CONFLICT DO NOTHING). True if stored."""

    async def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> Sequence[OutboxEntry]:
        """PENDING entries with next_attempt_at <= now, oldest first, leased until `lease_until` so that
        another sender skips them (FOR UPDATE SKIP LOCKED on PostgreSQL). A crashed sender's lease lapses."""

    async def mark_sent(self, entry_id: int, at: datetime, message_id: int | None) -> None: ...
    async def take_for_sending(self, key: str, lease_until: datetime) -> OutboxEntry | None:
        """Lease the PENDING entry with this key while it still waits out the delay it was queued with (no
        sender has touched it), until `lease_until`; None otherwise. The caller commits, sends, marks it sent."""

    async def mark_sent_if_untouched(self, key: str, at: datetime, message_id: int | None) -> bool:
        """Mark the entry with this key sent if it is PENDING and no sender has touched it (it still waits
        out the delay it was queued with); False if a sender took it meanwhile."""

    async def retry_later(self, entry_id: int, at: datetime, error: str, count: bool = True) -> None:
        """Make the entry due again at `at`, releasing its lease; `count` adds one to its attempts."""

    async def give_up(self, entry_id: int, status: NoticeStatus, error: str) -> None: ...
    async def get_by_key(self, key: str) -> OutboxEntry | None: ...
    async def supersede(self, entry_id: int) -> bool:
        """Withdraw an entry that is still pending; False if it went out (or ended) meanwhile."""

    async def with_key_prefix(self, prefix: str) -> Sequence[OutboxEntry]:
        """Every entry whose key starts with `prefix` (e.g. all teasers of one drop), oldest first."""

    async def count_pending(self) -> int: ...
    async def count_announcements_sent(self, chat_id: int, since: datetime, until: datetime) -> int:
        """New messages (not edits, not payment answers keyed `pay:`) sent to the chat with sent_at in
        [since, until): what a group's daily cap of announcements counts."""

    async def anonymise_member(self, user_id: int, pseudonym: int) -> None:
        """Notices to the member keep their key (so nothing is sent twice) under `pseudonym`, without their
        content; those still pending are withdrawn. Notices to others that quote the member's name lose it."""


class UnitOfWork(Protocol):
    """One transaction. `async with uow:` begins; leaving without commit() rolls back."""

    members: MemberRepository
    communities: CommunityRepository
    brands: BrandRepository
    products: ProductRepository
    orders: OrderRepository
    holds: HoldRepository
    codes: CodeRepository
    payments: PaymentRepository
    payment_inbox: PaymentInboxRepository
    outbox: OutboxRepository
    brand_staff: BrandStaffRepository
    brand_optins: BrandOptInRepository
    drops: DropRepository
    drop_claims: DropClaimRepository
    drop_fans: DropFanRepository
    plans: PlanRepository
    memberships: MembershipRepository
    points: PointsRepository
    referrals: ReferralRepository
    group_buys: GroupBuyRepository
    votes: VoteRepository
    processed_updates: ProcessedUpdateRepository
    personal_data: PersonalDataRepository
    community_settings: CommunitySettingsRepository
    giveaways: GiveawayRepository
    meetups: MeetupRepository
    assistant_usage: AssistantUsageRepository
    handovers: HandoverRepository
    digests: DigestRepository
    addresses: AddressRepository
    share: ShareRepository
    boxes: BoxRepository

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
