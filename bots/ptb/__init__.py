"""circlecart on python-telegram-bot 22: the same core table and views as the aiogram adapter."""
