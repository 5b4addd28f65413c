"""Commands, buttons, notices and error texts of what moderators run: settings, giveaways, meetups."""

from __future__ import annotations

from bots.core.i18n import N_
from bots.core.moderation import giveaway_handlers, meetup_handlers, settings_handlers, views
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.errors import ErrorCode
from domain.moderation import notices
from domain.moderation.errors import GiveawayError, MeetupError, ModerationError

GROUP_ONLY = frozenset({GROUP_SCOPE})
PRIVATE_ONLY = frozenset({PRIVATE_SCOPE})
EVERYWHERE = frozenset({PRIVATE_SCOPE, GROUP_SCOPE})

ERRORS: dict[ErrorCode, str] = {
    ModerationError.ADMINS_ONLY: N_("Only this group's admins can do that."),
    ModerationError.GROUP_ONLY: N_("Send this in the group it is about."),
    ModerationError.UNKNOWN_FEATURE: N_("There is no feature {feature}."),
    ModerationError.FEATURE_OFF: N_("This group's admins have turned {feature} off here."),
    ModerationError.SHOP_OFF: N_("This group's admins have turned the shop off here."),
    ModerationError.BAD_LANGUAGE: N_("There is no language {language}; choose one of {supported}."),
    ModerationError.BAD_HOURS: N_("Give quiet hours as two different hours from 0 to 23, e.g. /settings quiet 22 8."),
    ModerationError.BAD_CAP: N_("The daily cap is a number of announcements from 1 to {max}, or off."),
    ModerationError.BAD_TIMEZONE: N_(
        "There is no time zone {timezone}; use a name like Europe/Berlin or Asia/Shanghai."
    ),
    ModerationError.BAD_NOTICE: N_("The risk notice needs some text, at most {max} characters."),
    GiveawayError.UNKNOWN: N_("That giveaway does not exist."),
    GiveawayError.BAD_UNITS: N_("A giveaway has 1 to {max} prizes."),
    GiveawayError.BAD_HOURS: N_("Entries stay open 1 to {max} hours."),
    GiveawayError.BAD_PRIZE: N_("Name the prize in 1 to {max} characters."),
    GiveawayError.BAD_OPTION: N_("There is no giveaway option “{option}”. Options are {options}."),
    GiveawayError.BAD_DATE: N_("Give the date as YYYY-MM-DD, like 2026-11-01."),
    GiveawayError.UNKNOWN_PLAN: N_("There is no membership plan {plan}."),
    GiveawayError.UNKNOWN_BRAND: N_("There is no brand {brand}."),
    GiveawayError.NOT_OPEN: N_("This giveaway is not open for entries."),
    GiveawayError.CLOSED: N_("Entries to this giveaway have closed."),
    GiveawayError.AWAITING_BRAND: N_("This giveaway waits for its brand's consent."),
    GiveawayError.NOT_STAFF: N_("Only staff of the brand that funds the prize can decide."),
    GiveawayError.START_BOT_FIRST: N_("Open a private chat with me first, so that I can tell you if you win."),
    GiveawayError.NOT_A_MEMBER: N_("Only members of the group can enter its giveaway."),
    GiveawayError.NEEDS_PLAN: N_("This giveaway is for members of the plan {plan}."),
    GiveawayError.TOO_FEW_POINTS: N_("This giveaway needs at least {points} points; you have {balance}."),
    GiveawayError.JOINED_TOO_LATE: N_("This giveaway is for members who joined before {date}."),
    GiveawayError.NOT_YOUR_PRIZE: N_("This prize is not yours to claim."),
    GiveawayError.CLAIM_EXPIRED: N_("Your time to claim the prize ran out; it passed to the next entrant."),
    MeetupError.UNKNOWN: N_("That meetup does not exist."),
    MeetupError.BAD_TIME: N_("Give the time as YYYY-MM-DD HH:MM, in the group's time zone."),
    MeetupError.IN_PAST: N_("The meetup must be in the future."),
    MeetupError.BAD_CAPACITY: N_("A meetup has 1 to {max} places."),
    MeetupError.BAD_TITLE: N_("Name the meetup in 1 to {max} characters."),
    MeetupError.BAD_POINTS: N_("Attendance earns 0 to {max} points."),
    MeetupError.OVER: N_("This meetup is over."),
    MeetupError.WRONG_CODE: N_("That is not the meetup's check-in code."),
    MeetupError.CODE_EXPIRED: N_("That check-in code has expired: ask the host for the current one."),
    MeetupError.NO_PLACE: N_("You have no place at this meetup, so you cannot check in."),
    MeetupError.START_BOT_FIRST: N_("Open a private chat with me first, so that I can remind you."),
}


def register(table: HandlerTable) -> None:
    table.command(
        Command(
            "settings",
            settings_handlers.settings_command,
            N_("Group settings (admins)"),
            GROUP_ONLY,
            audience=frozenset({Audience.MODERATOR}),
        )
    )
    table.action("mshop", settings_handlers.toggle_shop, int)
    table.action("mfeat", settings_handlers.toggle_feature, str, int)
    table.action("mlang", settings_handlers.choose_language, str)
    table.command(
        Command(
            "giveaway",
            giveaway_handlers.giveaway_command,
            N_("Set up a giveaway (admins)"),
            EVERYWHERE,
            audience=frozenset({Audience.MODERATOR}),
        )
    )
    table.command(
        Command(
            "meetup",
            meetup_handlers.meetup_command,
            N_("Announce a meetup (admins)"),
            GROUP_ONLY,
            audience=frozenset({Audience.MODERATOR}),
        )
    )
    table.command(
        Command(
            "meetupcode",
            meetup_handlers.code_command,
            N_("A meetup's check-in code (hosts)"),
            PRIVATE_ONLY,
            audience=frozenset({Audience.MODERATOR}),
        )
    )
    table.command(Command("checkin", meetup_handlers.checkin_command, N_("Check in at a meetup"), PRIVATE_ONLY))
    table.action("genter", giveaway_handlers.enter, int)
    table.action("gclaim", giveaway_handlers.claim, int)
    table.action("gconsent", giveaway_handlers.consent, int, int)
    table.action("mgo", meetup_handlers.going, int)
    table.action("mnot", meetup_handlers.not_going, int)
    table.notice(notices.GIVEAWAY_OPEN, views.giveaway_open)
    table.notice(notices.GIVEAWAY_CONSENT, views.giveaway_consent)
    table.notice(notices.GIVEAWAY_DECLINED, views.giveaway_declined)
    table.notice(notices.GIVEAWAY_ENTERED, views.giveaway_entered)
    table.notice(notices.GIVEAWAY_CLOSED, views.giveaway_closed)
    table.notice(notices.GIVEAWAY_WON, views.giveaway_won)
    table.notice(notices.GIVEAWAY_RESULTS, views.giveaway_results)
    table.notice(notices.GIVEAWAY_CLAIMED_HOST, views.giveaway_claimed_host)
    table.notice(notices.GIVEAWAY_CLAIMED_GROUP, views.giveaway_claimed_group)
    table.notice(notices.GIVEAWAY_LAPSED, views.giveaway_lapsed)
    table.notice(notices.GIVEAWAY_PASSED, views.giveaway_passed)
    table.notice(notices.MEETUP_ANNOUNCED, views.meetup_announced)
    table.notice(notices.MEETUP_PROMOTED, views.meetup_promoted)
    table.notice(notices.MEETUP_REMINDER, views.meetup_reminder)
    table.errors(ERRORS)
