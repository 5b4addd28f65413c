"""What can go wrong when moderators run their community."""

from __future__ import annotations

from domain.errors import ErrorCode


class ModerationError(ErrorCode):
    ADMINS_ONLY = "moderation.admins_only"
    GROUP_ONLY = "moderation.group_only"
    UNKNOWN_FEATURE = "moderation.unknown_feature"
    FEATURE_OFF = "moderation.feature_off"
    SHOP_OFF = "moderation.shop_off"
    BAD_LANGUAGE = "moderation.bad_language"
    BAD_HOURS = "moderation.bad_hours"
    BAD_CAP = "moderation.bad_cap"
    BAD_TIMEZONE = "moderation.bad_timezone"
    BAD_NOTICE = "moderation.bad_notice"


class GiveawayError(ErrorCode):
    UNKNOWN = "giveaway.unknown"
    BAD_UNITS = "giveaway.bad_units"
    BAD_HOURS = "giveaway.bad_hours"
    BAD_PRIZE = "giveaway.bad_prize"
    BAD_OPTION = "giveaway.bad_option"
    BAD_DATE = "giveaway.bad_date"
    UNKNOWN_PLAN = "giveaway.unknown_plan"
    UNKNOWN_BRAND = "giveaway.unknown_brand"
    NOT_OPEN = "giveaway.not_open"
    CLOSED = "giveaway.closed"
    AWAITING_BRAND = "giveaway.awaiting_brand"
    NOT_STAFF = "giveaway.not_staff"
    START_BOT_FIRST = "giveaway.start_bot_first"
    NOT_A_MEMBER = "giveaway.not_a_member"
    NEEDS_PLAN = "giveaway.needs_plan"
    TOO_FEW_POINTS = "giveaway.too_few_points"
    JOINED_TOO_LATE = "giveaway.joined_too_late"
    NOT_YOUR_PRIZE = "giveaway.not_your_prize"
    CLAIM_EXPIRED = "giveaway.claim_expired"


class MeetupError(ErrorCode):
    UNKNOWN = "meetup.unknown"
    BAD_TIME = "meetup.bad_time"
    IN_PAST = "meetup.in_past"
    BAD_CAPACITY = "meetup.bad_capacity"
    BAD_TITLE = "meetup.bad_title"
    BAD_POINTS = "meetup.bad_points"
    OVER = "meetup.over"
    WRONG_CODE = "meetup.wrong_code"
    CODE_EXPIRED = "meetup.code_expired"
    NO_PLACE = "meetup.no_place"
    START_BOT_FIRST = "meetup.start_bot_first"
