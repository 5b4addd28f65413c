"""One repository per aggregate; each maps rows to the domain's frozen dataclasses and back.

Repositories decide no business rule: they read, write and make the atomic conditional updates the domain
asks for (claims, status transitions, insert-if-new), reporting by a bool or None whether they took effect.
"""

from storage.repositories.assistant import SqlAssistantUsageRepository, SqlDigestRepository, SqlHandoverRepository
from storage.repositories.brand_roles import SqlBrandOptInRepository, SqlBrandStaffRepository
from storage.repositories.brands import SqlBrandRepository
from storage.repositories.codes import SqlCodeRepository
from storage.repositories.communities import SqlCommunityRepository
from storage.repositories.drops import SqlDropClaimRepository, SqlDropFanRepository, SqlDropRepository
from storage.repositories.group_buys import SqlGroupBuyRepository
from storage.repositories.holds import SqlHoldRepository
from storage.repositories.members import SqlMemberRepository
from storage.repositories.memberships import SqlMembershipRepository, SqlPlanRepository
from storage.repositories.moderation import (
    SqlCommunitySettingsRepository,
    SqlGiveawayRepository,
    SqlMeetupRepository,
)
from storage.repositories.orders import SqlOrderRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.payment_inbox import SqlPaymentInboxRepository
from storage.repositories.payments import SqlPaymentRepository
from storage.repositories.points import SqlPointsRepository
from storage.repositories.products import SqlProductRepository
from storage.repositories.referrals import SqlReferralRepository
from storage.repositories.updates import SqlProcessedUpdateRepository

__all__ = [
    "SqlAssistantUsageRepository",
    "SqlBrandOptInRepository",
    "SqlBrandRepository",
    "SqlBrandStaffRepository",
    "SqlCodeRepository",
    "SqlCommunityRepository",
    "SqlCommunitySettingsRepository",
    "SqlDigestRepository",
    "SqlDropClaimRepository",
    "SqlDropFanRepository",
    "SqlDropRepository",
    "SqlGiveawayRepository",
    "SqlGroupBuyRepository",
    "SqlHandoverRepository",
    "SqlHoldRepository",
    "SqlMeetupRepository",
    "SqlMemberRepository",
    "SqlMembershipRepository",
    "SqlOrderRepository",
    "SqlOutboxRepository",
    "SqlPaymentInboxRepository",
    "SqlPaymentRepository",
    "SqlPlanRepository",
    "SqlPointsRepository",
    "SqlProcessedUpdateRepository",
    "SqlProductRepository",
    "SqlReferralRepository",
]
