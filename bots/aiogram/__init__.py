"""The aiogram adapter. aiogram is imported here first, with its models built on first use (lazy_models)."""

from bots.aiogram.lazy_models import import_aiogram

import_aiogram()
