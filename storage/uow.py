"""`SqlUnitOfWork`: one database transaction holding every repository (implements domain.ports.UnitOfWork)."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
from storage.repositories.addresses import SqlAddressRepository
from storage.repositories.boxes import SqlBoxRepository
from storage.repositories.personal_data import SqlPersonalDataRepository
from storage.repositories.share import SqlShareRepository
from storage.writer_gate import WriterGate


class SqlUnitOfWork:
    """``async with uow:`` opens a session; the transaction begins with the first statement.

    ``commit()`` commits (a later statement inside the same block starts a new transaction); leaving the
    block without committing, or with an exception, rolls back. A unit of work may be entered again after it
    was left, with a fresh session; it may not be entered twice at once.
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

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], dialect: str, gate: WriterGate | None = None
    ) -> None:
        self._sessions = sessions
        self._dialect = dialect
        self._gate = gate
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The open session (for storage code and tests; the domain never needs it)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:`")
        return self._session

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        if self._gate is not None:
            await self._gate.acquire()
        session = self._sessions()
        self._session = session
        self.members = SqlMemberRepository(session, self._dialect)
        self.communities = SqlCommunityRepository(session, self._dialect)
        self.brands = SqlBrandRepository(session, self._dialect)
        self.products = SqlProductRepository(session, self._dialect)
        self.orders = SqlOrderRepository(session, self._dialect)
        self.holds = SqlHoldRepository(session, self._dialect)
        self.codes = SqlCodeRepository(session, self._dialect)
        self.payments = SqlPaymentRepository(session, self._dialect)
        self.payment_inbox = SqlPaymentInboxRepository(session, self._dialect)
        self.outbox = SqlOutboxRepository(session, self._dialect)
        self.brand_staff = SqlBrandStaffRepository(session, self._dialect)
        self.brand_optins = SqlBrandOptInRepository(session, self._dialect)
        self.drops = SqlDropRepository(session, self._dialect)
        self.drop_claims = SqlDropClaimRepository(session, self._dialect)
        self.drop_fans = SqlDropFanRepository(session, self._dialect)
        self.plans = SqlPlanRepository(session, self._dialect)
        self.memberships = SqlMembershipRepository(session, self._dialect)
        self.points = SqlPointsRepository(session, self._dialect)
        self.referrals = SqlReferralRepository(session, self._dialect)
        self.group_buys = SqlGroupBuyRepository(session, self._dialect)
        self.votes = SqlVoteRepository(session, self._dialect)
        self.processed_updates = SqlProcessedUpdateRepository(session, self._dialect)
        self.personal_data = SqlPersonalDataRepository(session, self._dialect)
        self.community_settings = SqlCommunitySettingsRepository(session, self._dialect)
        self.giveaways = SqlGiveawayRepository(session, self._dialect)
        self.meetups = SqlMeetupRepository(session, self._dialect)
        self.assistant_usage = SqlAssistantUsageRepository(session, self._dialect)
        self.handovers = SqlHandoverRepository(session, self._dialect)
        self.digests = SqlDigestRepository(session, self._dialect)
        self.addresses = SqlAddressRepository(session, self._dialect)
        self.boxes = SqlBoxRepository(session, self._dialect)
        self.share = SqlShareRepository(session, self._dialect)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        try:
            if session is not None:
                await session.close()  # rolls back whatever was not committed and returns the connection
        finally:
            if self._gate is not None and session is not None:
                self._gate.release()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


if TYPE_CHECKING:  # mypy proves the implementation satisfies the port

    def _conforms(uow: SqlUnitOfWork) -> UnitOfWork:
        return uow
