"""Telegram's command menu, per chat scope and language, derived from the handler table.

It agrees with /help: everyone's commands (`in_menu`, for members) in private chats and in groups, and in
a group's admins' menu (Telegram's `all_chat_administrators` scope, which wins over `all_group_chats` for
them) the moderators' commands too. Operators' and brand staff's commands are listed by /help, which knows
who is asking."""

from __future__ import annotations

from bots.core.i18n import SOURCE_LANGUAGE, Translations
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Audience, Command, HandlerTable
from domain.outgoing import BotCommand, CommandMenu

ADMINS = "admins"  # a group's administrators
SCOPES = {PRIVATE_SCOPE: "all_private_chats", GROUP_SCOPE: "all_group_chats", ADMINS: "all_chat_administrators"}


def _listed(command: Command, scope: str) -> bool:
    if scope == ADMINS:
        moderators = Audience.MODERATOR in command.audience
        return GROUP_SCOPE in command.scopes and (command.in_menu or moderators)
    return command.in_menu and scope in command.scopes and Audience.MEMBER in command.audience


def command_menus(table: HandlerTable, translations: Translations) -> list[CommandMenu]:
    menus = []
    for scope, telegram_scope in SCOPES.items():
        for language in translations.supported:
            commands = tuple(
                BotCommand(c.name, translations.gettext(language, c.description))
                for c in table.commands.values()
                if _listed(c, scope)
            )
            # The source language also serves as the fallback for every language without a catalog.
            code = None if language == SOURCE_LANGUAGE else language
            menus.append(CommandMenu(telegram_scope, code, commands))
    return menus
