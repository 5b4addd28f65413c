"""Adding circlecart to a bot that already exists, on either framework.

    shop = await embed_in_aiogram(dispatcher, bot)        # include after your own routers
    shop = await embed_in_ptb(application)                # add after your own handlers
    ...
    await shop.stop()                                     # on shutdown: jobs and database

Settings come from the environment as for `circlecart run` (CIRCLECART_DATABASE_URL and so on); the
bot token is not needed because the host's bot is used.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from telegram.ext import Application

from bots.aiogram.embed import HostedAiogram
from bots.aiogram.router import UpdateDoneMiddleware
from bots.ptb.embed import HostedPtb
from circlecart.app import CircleCart
from circlecart.settings import Settings, load_settings
from domain.clock import Clock, SystemClock


async def embed_in_aiogram(
    dispatcher: Dispatcher, bot: Bot, settings: Settings | None = None, clock: Clock | None = None
) -> CircleCart:
    adapter = HostedAiogram(bot)
    shop = CircleCart(settings or load_settings(), clock=clock or SystemClock(), adapter=adapter, embedded=True)
    await shop.start()
    assert adapter.router is not None and shop.core is not None
    dispatcher.include_router(adapter.router)
    dispatcher.update.outer_middleware(UpdateDoneMiddleware(shop.core))
    return shop


async def embed_in_ptb(
    application: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings | None = None,
    clock: Clock | None = None,
    group: int = 0,
) -> CircleCart:
    shop = CircleCart(
        settings or load_settings(), clock=clock or SystemClock(), adapter=HostedPtb(application, group), embedded=True
    )
    await shop.start()
    return shop
