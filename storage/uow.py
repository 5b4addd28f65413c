"""`SqlUnitOfWork`: one database transaction holding every repository (implements domain.ports.UnitOfWork)."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.assistant.ports import AssistantUsageRepository, DigestRepository, HandoverRepository
from domain.brands.ports import BrandOptInRepository, BrandStaffRepository
from domain.drops.ports import DropClaimRepository, DropFanRepository, DropRepository
from domain.groupbuys.ports import GroupBuyRepository
from domain.memberships.boxes import BoxRepository
from domain.memberships.ports import MembershipRepository, PlanRepository
from domain.moderation.ports import CommunitySettingsRepository, GiveawayRepository, MeetupRepository
from domain.points.ports import PointsRepository
from domain.ports import (
    BrandRepository,
    CodeRepository,
    CommunityRepository,
    HoldRepository,
    MemberRepository,
    OrderRepository,
    OutboxRepository,
    PaymentRepository,
    ProductRepository,
    UnitOfWork,
)
from domain.privacy.ports import PersonalDataRepository
from domain.referrals.ports import ReferralRepository
from domain.share.ports import ShareRepository
from domain.shop.addresses import AddressRepository
from domain.shop.payments.ports import PaymentInboxRepository
from domain.updates import ProcessedUpdateRepository
from domain.votes.ports import VoteRepository
from storage.repositories import (
    SqlAssistantUsageRepository,
    SqlBrandOptInRepository,
    SqlBrandRepository,
    SqlBrandStaffRepository,
    SqlCodeRepository,
    SqlCommunityRepository,
    SqlCommunitySettingsRepository,
    SqlDigestRepository,
    SqlDropClaimRepository,
    SqlDropFanRepository,
    SqlDropRepository,
    SqlGiveawayRepository,
    SqlGroupBuyRepository,
    SqlHandoverRepository,
    SqlHoldRepository,
    SqlMeetupRepository,
    SqlMemberRepository,
    SqlMembershipRepository,
    SqlOrderRepository,
    SqlOutboxRepository,
    SqlPaymentInboxRepository,
    SqlPaymentRepository,
    SqlPlanRepository,
    SqlPointsRepository,
    SqlProcessedUpdateRepository,
    SqlProductRepository,
    SqlReferralRepository,
    SqlVoteRepository,
)
from storage.repositories._base import SqlRepository
from storage.repositories.addresses import SqlAddressRepository
from storage.repositories.boxes import SqlBoxRepository
from storage.repositories.personal_data import SqlPersonalDataRepository
from storage.repositories.share import SqlShareRepository
from storage.writer_gate import WriterGate

# Each repository is built the first time a unit of work asks for it: a unit of work touches two or three of
# them, and building all thirty-two on every entry was a measurable share of a button press.
_REPOSITORIES: dict[str, type[SqlRepository]] = {
    "members": SqlMemberRepository,
    "communities": SqlCommunityRepository,
    "brands": SqlBrandRepository,
    "products": SqlProductRepository,
    "orders": SqlOrderRepository,
    "holds": SqlHoldRepository,
    "codes": SqlCodeRepository,
    "payments": SqlPaymentRepository,
    "payment_inbox": SqlPaymentInboxRepository,
    "outbox": SqlOutboxRepository,
    "brand_staff": SqlBrandStaffRepository,
    "brand_optins": SqlBrandOptInRepository,
    "drops": SqlDropRepository,
    "drop_claims": SqlDropClaimRepository,
    "drop_fans": SqlDropFanRepository,
    "plans": SqlPlanRepository,
    "memberships": SqlMembershipRepository,
    "points": SqlPointsRepository,
    "referrals": SqlReferralRepository,
    "group_buys": SqlGroupBuyRepository,
    "votes": SqlVoteRepository,
    "processed_updates": SqlProcessedUpdateRepository,
    "personal_data": SqlPersonalDataRepository,
    "community_settings": SqlCommunitySettingsRepository,
    "giveaways": SqlGiveawayRepository,
    "meetups": SqlMeetupRepository,
    "assistant_usage": SqlAssistantUsageRepository,
    "handovers": SqlHandoverRepository,
    "digests": SqlDigestRepository,
    "addresses": SqlAddressRepository,
    "boxes": SqlBoxRepository,
    "share": SqlShareRepository,
}


class SqlUnitOfWork:
    """``async with uow:`` takes a connection from the pool; the transaction begins with the first statement.

    ``commit()`` commits (a later statement inside the same block starts a new transaction); leaving the
    block without committing, or with an exception, rolls back. A unit of work may be entered again after it
    was left, with a fresh connection; it may not be entered twice at once.

    It holds a Core connection, not an ORM session: every repository speaks Core statements, and a session's
    bookkeeping (identity map, state machine, flush) was half the cost of a short unit of work.
    """

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
    boxes: BoxRepository
    share: ShareRepository

    def __init__(self, engine: AsyncEngine, dialect: str, gate: WriterGate | None = None) -> None:
        self._engine = engine
        self._dialect = dialect
        self._gate = gate
        self._connection: AsyncConnection | None = None

    def __getattr__(self, name: str) -> Any:
        # Only reached for an attribute not yet set: a repository asked for the first time in this block.
        repository = _REPOSITORIES.get(name)
        if repository is None:
            raise AttributeError(name)
        built = repository(self.session, self._dialect)
        setattr(self, name, built)
        return built

    @property
    def session(self) -> AsyncConnection:
        """The open connection (for storage code and tests; the domain never needs it)."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:`")
        return self._connection

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        if self._gate is not None:
            await self._gate.acquire()
        try:
            self._connection = await self._engine.connect()
        except BaseException:
            if self._gate is not None:
                self._gate.release()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        for name in _REPOSITORIES:  # the next entry builds its own, on its own connection
            self.__dict__.pop(name, None)
        try:
            if connection is not None:
                await connection.close()  # rolls back whatever was not committed and returns the connection
        finally:
            if self._gate is not None and connection is not None:
                self._gate.release()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


if TYPE_CHECKING:  # mypy proves the implementation satisfies the port

    def _conforms(uow: SqlUnitOfWork) -> UnitOfWork:
        return uow
