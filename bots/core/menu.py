"""Telegram's command menu, per chat scope and language, derived from the handler table."""

from __future__ import annotations

from bots.core.i18n import SOURCE_LANGUAGE, Translations
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, HandlerTable
from domain.outgoing import BotCommand, CommandMenu

SCOPES = {PRIVATE_SCOPE: "all_private_chats", GROUP_SCOPE: "all_group_chats"}


def command_menus(table: HandlerTable, translations: Translations) -> list[CommandMenu]:
    menus = []
    for scope, telegram_scope in SCOPES.items():
        for language in translations.supported:
            commands = tuple(
                BotCommand(c.name, translations.gettext(language, c.description))
                for c in table.commands.values()
                if c.in_menu and scope in c.scopes
            )
            # The source language also serves as the fallback for every language without a catalog.
            code = None if language == SOURCE_LANGUAGE else language
            menus.append(CommandMenu(telegram_scope, code, commands))
    return menus
