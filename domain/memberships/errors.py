"""What can go wrong with a membership: joining and leaving, and an owner making or changing a plan."""

from __future__ import annotations

from domain.errors import ErrorCode


class MembershipError(ErrorCode):
    # A member joining, renewing or cancelling.
    PLAN_UNKNOWN = "membership.plan_unknown"
    PLAN_CLOSED = "membership.plan_closed"
    ALREADY_MEMBER = "membership.already_member"
    ALREADY_SUBSCRIBED = "membership.already_subscribed"
    ALREADY_CANCELLED = "membership.already_cancelled"
    NOT_ACTIVE = "membership.not_active"
    NOT_REMOVABLE = "membership.not_removable"
    NO_TRIAL = "membership.no_trial"
    TRIAL_USED = "membership.trial_used"
    TERMS_CHANGED = "membership.terms_changed"
    UNKNOWN = "membership.unknown"
    BUSY = "membership.busy"
    # An owner (the operator, a brand, a community's admins) making or changing a plan.
    NOT_OWNER = "membership.not_owner"
    PLATFORM_OPERATOR_ONLY = "membership.platform_operator_only"
    BRAND_PLAN_IN_PRIVATE = "membership.brand_plan_in_private"
    OWNER_FIXED = "membership.owner_fixed"
    TERMS_UNCHANGED = "membership.terms_unchanged"
    CURRENCY_FIXED = "membership.currency_fixed"
    BAD_COMMAND = "membership.bad_command"
    UNKNOWN_OPTION = "membership.unknown_option"
    COMMUNITY_PRODUCT_PERKS = "membership.community_product_perks"
    PLAN_NAME_INVALID = "membership.plan_name_invalid"
    PRICE_INVALID = "membership.price_invalid"
    STARS_PERIOD = "membership.stars_period"
    PERIOD_INVALID = "membership.period_invalid"
    TRIAL_INVALID = "membership.trial_invalid"
    GRACE_INVALID = "membership.grace_invalid"
    DISCOUNT_INVALID = "membership.discount_invalid"
    MULTIPLIER_INVALID = "membership.multiplier_invalid"
    EARLY_ACCESS_INVALID = "membership.early_access_invalid"
    MEMBER_PRICE_TWICE = "membership.member_price_twice"
    MEMBER_PRICE_NOT_POSITIVE = "membership.member_price_not_positive"
    MEMBER_PRICE_CURRENCY = "membership.member_price_currency"
    MEMBER_PRICE_ABOVE_LIST = "membership.member_price_above_list"
    MEMBER_PRICE_TOO_LOW = "membership.member_price_too_low"
    MEMBER_PRICE_OTHER_BRAND = "membership.member_price_other_brand"
