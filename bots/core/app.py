"""circlecart's handler table: the one place that says which update goes to which handler."""

from __future__ import annotations

from bots.core.assistant import handlers as assistant
from bots.core.community import handlers as community
from bots.core.drops import handlers as drops
from bots.core.groupbuys import handlers as groupbuys
from bots.core.i18n import N_
from bots.core.memberships import boxes
from bots.core.memberships import handlers as memberships
from bots.core.moderation import handlers as moderation
from bots.core.points import handlers as points
from bots.core.privacy import handlers as privacy
from bots.core.referrals import handlers as referrals
from bots.core.share import handlers as share
from bots.core.shop import digital, fulfilment, inline, orders, payments, shipping
from bots.core.shop import handlers as shop
from bots.core.start import handlers as start
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Audience, Command, HandlerTable
from bots.core.votes import handlers as votes
from domain.shop.orders import PAYLOAD_PREFIX

PRIVATE_ONLY = frozenset({PRIVATE_SCOPE})
PAYLOAD_KIND = PAYLOAD_PREFIX.rstrip(":")
EVERYWHERE = frozenset({PRIVATE_SCOPE, GROUP_SCOPE})


def build_table() -> HandlerTable:
    table = HandlerTable()
    member = Audience.MEMBER
    table.command(Command("start", start.start, N_("Start the shop"), PRIVATE_ONLY))
    table.command(
        Command(
            "shop", shop.shop, N_("Browse the catalog"), EVERYWHERE, help=((member, N_("/shop · browse the catalog")),)
        )
    )
    search = N_("/shop WORDS or /find WORDS · search")
    table.command(Command("find", shop.find, N_("Search products"), EVERYWHERE, help=((member, search),)))
    table.command(
        Command("orders", orders.orders, N_("Your orders"), EVERYWHERE, help=((member, N_("/orders · your orders")),))
    )
    language = N_("/language · choose your language")
    table.command(
        Command("language", start.language, N_("Choose your language"), EVERYWHERE, help=((member, language),))
    )
    help_line = N_("/help · this message")
    table.command(Command("help", start.help_command, N_("How to shop here"), EVERYWHERE, help=((member, help_line),)))
    table.unknown_command = start.unknown_command

    table.action("page", shop.turn_page, int)
    table.action("product", shop.open_product, int)
    table.action("buy", shop.buy, int)
    table.action("buyc", shop.buy_in_community, int, int)
    table.action("lang", start.choose_language, str)

    table.inline_query = inline.inline_query
    table.chosen_inline = inline.chosen_inline
    table.payment_kind(PAYLOAD_KIND, payments.pre_checkout, payments.successful_payment)
    table.shipping_query = shipping.shipping_query
    table.bot_membership = community.bot_membership

    payments.register(table)
    digital.register(table)
    points.register(table)
    referrals.register(table)
    groupbuys.register(table)
    memberships.register(table)
    drops.register(table)
    privacy.register(table)
    moderation.register(table)
    votes.register(table)
    assistant.register(table)  # after drops: the private chat's text goes to an open dialog first
    # After the assistant: the console's dialog answers first, then the drops dialogs and the assistant.
    fulfilment.register(table)
    boxes.register(table)  # the member's box address dialog answers before the console's
    share.register(table)
    return table
