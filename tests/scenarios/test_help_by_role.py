"""/help tells each person what they can do here: members, brand staff, a group's admins and the operator,
in a group and in private; the command menu agrees; every command is listed for someone."""

from __future__ import annotations

import re
from pathlib import Path

from bots.core.app import build_table
from bots.core.table import Audience
from tests.scenarios.drops_steps import make_staff
from tests.scenarios.harness import Shop
from tests.scenarios.rewards_steps import operator, rewards_shop

MEMBER_COMMANDS = {
    "/shop",
    "/find",
    "/orders",
    "/points",
    "/invite",
    "/membership",
    "/groupbuy",
    "/language",
    "/help",
    "/privacy",
}
OPERATOR_ONLY = {"/refund", "/refunds", "/refunded", "/groupprice"}


def commands_in(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w@])/[a-z]+\b", text))


def private_pointer(help_text: str, section: str) -> str:
    """The "In a private chat with me: ..." line of one section of /help (the commands only a private chat takes)."""
    lines = help_text.split(section, 1)[1].split("\n\n", 1)[0].splitlines()
    return next((line for line in lines if line.startswith("In a private chat with me:")), "")


async def help_for(shop: Shop, person: object, chat: object) -> str:
    (reply,) = await shop.say(person, chat, "/help")
    print(reply.text, end="\n\n")  # shown with -s: what each person reads
    return str(reply.text)


async def test_help_lists_what_each_person_can_do_here_by_role(framework: str, tmp_path: Path) -> None:
    async with rewards_shop(framework, tmp_path) as shop:
        mei, sam, ana = shop.member("Mei"), shop.member("Sam"), shop.member("Ana")
        await make_staff(shop, "Celadon Studio", sam)
        group = await shop.group_with_bot("Tea Circle", admin=ana)
        for person in (mei, sam, ana):
            await shop.say(person, None, "/start")

        # A member, in private and in the group: the member commands, nobody else's.
        private = await help_for(shop, mei, None)
        assert MEMBER_COMMANDS <= commands_in(private), private
        assert "/brand" not in commands_in(private) and not OPERATOR_ONLY & commands_in(private)
        assert "For brand staff" not in private and "For the operator" not in private
        in_group = await help_for(shop, mei, group)
        assert {"/shop", "/orders", "/brands"} <= commands_in(in_group), in_group
        assert "/start ·" not in in_group and "/start" in private_pointer(in_group, "For everyone")  # private only
        assert "/plan" not in commands_in(in_group) and "/members" not in commands_in(in_group)
        assert "For this group's admins" not in in_group

        # Brand staff: their brand menu too, in private; in the group, a pointer to it.
        staff = await help_for(shop, sam, None)
        assert "For brand staff" in staff and "/brand · your brand's drops" in staff
        assert MEMBER_COMMANDS <= commands_in(staff) and not OPERATOR_ONLY & commands_in(staff)
        staff_in_group = await help_for(shop, sam, group)
        assert "/brand" in private_pointer(staff_in_group, "For brand staff").split(), staff_in_group

        # The group's admin, in the group: the moderators' commands for this group.
        admin = await help_for(shop, ana, group)
        assert "For this group's admins" in admin, admin
        assert {"/plan", "/members", "/brands"} <= commands_in(admin)
        assert "allow or block brands' drops" in admin and not OPERATOR_ONLY & commands_in(admin)

        # The operator, in private: refunds and group prices as well.
        olga = operator(shop)
        await shop.say(olga, None, "/start")
        operator_help = await help_for(shop, olga, None)
        assert "For the operator" in operator_help
        assert OPERATOR_ONLY | {"/brand", "/plan", "/members"} <= commands_in(operator_help), operator_help

        # In Chinese, and for a Traditional Chinese reader (zh-TW reads the Simplified catalog).
        wen = shop.member("文", language_code="zh-TW")
        chinese = await help_for(shop, wen, None)
        assert "浏览商品目录" in chinese and "所有人" in chinese, chinese

        # The command menu agrees: the group's admins get the moderators' commands in their menu.
        admins_menu = {c["command"] for c in shop.fake.commands("all_chat_administrators")}
        group_menu = {c["command"] for c in shop.fake.commands("all_group_chats")}
        assert {"plan", "members", "brands"} <= admins_menu and group_menu <= admins_menu
        assert "plan" not in group_menu and "refund" not in admins_menu
        private_menu = {f"/{c['command']}" for c in shop.fake.commands("all_private_chats")}
        assert MEMBER_COMMANDS <= private_menu <= commands_in(private), "the menu offers what /help lists"
        assert "/brand" not in private_menu  # brand staff find it in their /help
        shop.fake.assert_no_errors()


def test_every_command_in_the_handler_table_is_listed_for_someone() -> None:
    table = build_table()
    for command in table.commands.values():
        assert command.audience, f"/{command.name} is in nobody's /help"
        assert command.audience <= set(Audience), command.name
        for audience, _line in command.help:
            assert audience in command.audience, f"/{command.name} has a /help line for {audience} it is not for"
