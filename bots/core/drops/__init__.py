"""Limited drops in chat: brand menus, the scheduling and editing dialogs, Buy, reminders, raffles, reports."""
