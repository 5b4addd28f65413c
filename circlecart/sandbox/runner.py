"""The sandbox: the real bot against the local Bot API server, seeded, with the web chat on 127.0.0.1.

`circlecart sandbox` (and `circlecart run` without a token) runs it. The bot is the one `circlecart run`
serves, on either framework, with its own SQLite file in `CIRCLECART_SANDBOX_DIR`; only its Telegram is
the local server, where the web chat plays the people.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bots.core.i18n import N_
from circlecart.app import CircleCart
from circlecart.catalog_io import import_file
from circlecart.drops_commands import add_staff, schedule_file
from circlecart.errors import CliError
from circlecart.sandbox import world
from circlecart.sandbox.bot_api import FakeChat, FakeTelegram, FakeUser, StoredMessage
from circlecart.sandbox.clock import SandboxClock
from circlecart.sandbox.tracker import UpdateTracker
from circlecart.settings import Settings

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
EXAMPLE_CATALOG = _HERE.parent.parent / "examples" / "catalog.yaml"
EXTRA_CATALOG = _HERE / "seed" / "catalog.yaml"
SEEDED_MARK = "seeded"
DROP_OPENS_IN = timedelta(minutes=5)
LI_ADDRESS = {
    "country_code": "DE",
    "state": "",
    "city": "Berlin",
    "street_line1": "Torstraße 109",
    "street_line2": "",
    "post_code": "10119",
}


@dataclass
class Sandbox:
    settings: Settings
    port: int | None = None
    fake: FakeTelegram = field(init=False)
    clock: SandboxClock = field(init=False)
    app: CircleCart | None = None
    tracker: UpdateTracker | None = None
    people: dict[int, FakeUser] = field(default_factory=dict)
    places: dict[int, FakeChat] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        return Path(self.settings.sandbox_dir).resolve()

    @property
    def url(self) -> str:
        return self.fake.base_url

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.directory / 'sandbox.db'}"

    async def start(self) -> None:
        from circlecart.sandbox.web import WebChat

        self.directory.mkdir(parents=True, exist_ok=True)
        self.clock = SandboxClock(self.directory / "clock.json")
        self.fake = FakeTelegram(wall_clock=self.clock.timestamp)
        self.fake.add_bot(world.BOT_TOKEN, world.BOT_ID, world.BOT_USERNAME, world.BOT_NAME)
        self.web = WebChat(self)
        port = self.settings.sandbox_port if self.port is None else self.port
        try:
            await self.fake.start(port=port, setup=self.web.setup)
        except OSError as error:
            raise CliError(
                N_("Cannot listen on 127.0.0.1:{port} ({reason}): set CIRCLECART_SANDBOX_PORT to a free port."),
                port=port,
                reason=error.strerror,
            ) from None
        first_start = not (self.directory / SEEDED_MARK).exists()
        self._build_world(first_start)
        if first_start:
            await import_file(self.database_url, EXAMPLE_CATALOG if EXAMPLE_CATALOG.exists() else EXTRA_CATALOG)
            await import_file(self.database_url, EXTRA_CATALOG)
        self.tracker = UpdateTracker()
        config = self.settings.model_copy(
            update={
                "bot_token": SecretStr(world.BOT_TOKEN),
                "telegram_api_url": self.fake.base_url,
                "database_url": self.database_url,
                "owner_ids": (world.OPERATOR_ID,),
                "payment_provider_token": SecretStr(world.PROVIDER_TOKEN),
                # The example shop's physical goods ship to these countries (unless configured otherwise).
                "shipping_zones": self.settings.shipping_zones or "DE FR NL AT BE=4.90; GB CH=9.90; US CA=14",
                "shipping_free_over": self.settings.shipping_free_over or "60",
                "webhook_url": "",
                "redis_url": "",
                "startup_settle_seconds": 0.3,
            }
        )
        self.app = CircleCart(config, clock=self.clock, update_listeners=[self.tracker.done])
        await self.app.start()
        if first_start:
            await self._seed()
            (self.directory / SEEDED_MARK).write_text("the example data is in sandbox.db\n")
        self.web.ready = True

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
        await self.web.close()
        await self.fake.stop()

    # -- the world ------------------------------------------------------------------------------------

    def _build_world(self, first_start: bool) -> None:
        fake = self.fake
        for person in world.PEOPLE:
            user = fake.user(person.id, person.first_name, person.username, language_code="en")
            user.start_bot()  # everyone has opened the bot's private chat, so notices reach them
            self.people[person.id] = user
        moderator = self.people[world.MODERATOR_ID]
        for place in world.PLACES:
            group = fake.group(place.id, place.title, bots_are_members=False)
            group.set_owner(moderator)
            if not first_start:
                group.set_bot_status("administrator")  # added on the first start; the database remembers it
            self.places[place.id] = group
        community = self.places[world.COMMUNITY.id]
        for user in self.people.values():
            if user.id != moderator.id:
                community.add_member(user)

    async def settle(self, delivered: Any, timeout: float = 20.0) -> Any:
        update_id = delivered if isinstance(delivered, int) else delivered.update_id
        if update_id is not None and self.tracker is not None:
            await self.tracker.wait(update_id, timeout)
        return delivered

    async def _say(self, user: FakeUser, chat: FakeChat | None, text: str) -> list[StoredMessage]:
        where: Any = chat if chat is not None else user
        before = len(self.fake.sent(where))
        await self.settle(await self.fake.send_message(user, chat, text))
        return self.fake.sent(where)[before:]

    async def _press(self, user: FakeUser, message: StoredMessage, text: str) -> None:
        await self.settle(await self.fake.press_button(user, message, text=text))

    async def _seed(self) -> None:
        """The example data, made the way people make it: through the bot, or the operator's CLI."""
        fake = self.fake
        moderator = self.people[world.MODERATOR_ID]
        operator = self.people[world.OPERATOR_ID]
        community = self.places[world.COMMUNITY.id]
        lounge = self.places[world.LOUNGE.id]
        for group in (community, lounge):
            await self.settle(await fake.add_bot_to_group(group, moderator, status="administrator"))
        # The operator makes Sam staff of Celadon Studio (`circlecart brand staff add`).
        await add_staff(self.database_url, "Celadon Studio", world.STAFF_ID, self.clock.now())
        # The moderator lets the museum shop announce drops in the community (Celadon Studio is left for you).
        (menu,) = await self._say(moderator, community, "/brands")
        await self._press(moderator, menu, "⛔ City Museum Shop")
        # A community plan whose members get into the lounge.
        (created,) = await self._say(moderator, community, "/plan add 50 XTR Tea Club")
        plan_id = created.content.split("#", 1)[1].split()[0]
        await self._say(moderator, lounge, f"/plan group {plan_id}")
        # Group prices (`/groupprice`), and a group buy Li started that still needs two.
        await self._say(operator, None, "/groupprice TEA-SET-01 59 3 48")
        await self._say(operator, None, "/groupprice POSTCARD-SET-12 7.50 3 48")
        li = self.people[103]
        (offers,) = await self._say(li, community, "/groupbuy")
        title = next(t for t in offers.button_texts if t.startswith("Museum postcard set"))
        await self._press(li, offers, title)
        invoice = fake.last(community)
        if invoice is not None and invoice.invoice is not None:
            # Postcards ship: the payment form asks where to (the brand's /ship console then lists the order).
            paid = await fake.pay(li, invoice, shipping_address=LI_ADDRESS)
            if paid.update_id is not None:
                await self.settle(paid.update_id)
        # A drop that opens a few minutes from now (`circlecart drop schedule`).
        await self._schedule_drop()

    async def _schedule_drop(self) -> None:
        starts = self.clock.now().replace(microsecond=0) + DROP_OPENS_IN
        ends = starts + timedelta(hours=2)
        text = (
            "drops:\n"
            "  - brand: City Museum Shop\n"
            "    product: PRINT-LOTUS-A4\n"
            "    quantity: 10\n"
            "    price: 19\n"
            f"    starts: {starts.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
            f"    ends: {ends.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
            "    limit: 1\n"
            "    mode: first_come\n"
            "    communities: all\n"
        )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "drop.yaml"
            path.write_text(text, encoding="utf-8")
            await schedule_file(self.database_url, path, self.clock.now(), self.settings.beacon())

    # -- the clock ------------------------------------------------------------------------------------

    async def advance_clock(self, delta: timedelta) -> None:
        """Move time forward and let the jobs see it now rather than at their next tick."""
        self.clock.advance(delta)
        jobs = self.app.jobs if self.app is not None else None
        if jobs is not None:
            await jobs.catch_up()


async def run_sandbox(settings: Settings, why: str = "the sandbox") -> None:
    if settings.log_level == "INFO":
        # The sandbox's terminal is for its one line and for problems: the scheduler's and the framework's
        # narration of every tick and update would bury it.
        for name in ("apscheduler", "aiogram.event", "httpx", "telegram.ext"):
            logging.getLogger(name).setLevel(logging.WARNING)
    sandbox = Sandbox(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await sandbox.start()
    try:
        print(
            f"circlecart: {why}: the real bot ({settings.framework}) with a local Telegram and example data; "
            f"open {sandbox.url}/ in a browser (Ctrl-C stops it)",
            flush=True,
        )
        await stop.wait()
    finally:
        await sandbox.stop()
