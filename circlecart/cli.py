"""`circlecart`: run the bot, migrate the database, import and export the catalog."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bots.core.i18n import N_
from circlecart import files, speech
from circlecart.errors import CliError, StartupError
from circlecart.logs import configure_logging
from circlecart.settings import ENV_PREFIX, ConfigurationError, Settings, load_settings
from domain.clock import Clock, SystemClock
from domain.errors import DomainError

DEFAULT_LANGUAGE = f"{ENV_PREFIX}DEFAULT_LANGUAGE"


def main(argv: list[str] | None = None, clock: Clock | None = None) -> int:
    """Run one command. Every command takes its time from `clock` (the system clock unless one is injected),
    so that what the CLI decides agrees with the bot it runs beside.

    Every failure an operator can cause is printed as sentences in their language (see circlecart/speech.py),
    with a non-zero exit status: never a raw error code, never a traceback."""
    parser = _parser()
    args = parser.parse_args(argv)
    speech.use_language(speech.choose_language(args.language, os.environ, os.environ.get(DEFAULT_LANGUAGE)))
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        overrides = {"framework": args.framework} if getattr(args, "framework", None) else {}
        settings = load_settings(**overrides)
        speech.use_language(speech.choose_language(args.language, os.environ, settings.default_language))
        configure_logging(settings)
        if args.handler not in (_run, _sandbox):  # those report their own database (or use the sandbox's)
            _check_sqlite_folder(settings.database_url)
        return int(args.handler(settings, args, clock or SystemClock()) or 0)
    except (ConfigurationError, StartupError) as error:
        _complain(error)
        return 2
    except (CliError, DomainError) as error:
        _complain(error)
        return 1
    except OSError as error:
        if isinstance(error, BrokenPipeError):  # `circlecart export orders | head`: the reader had enough
            _silence_stdout()
            return 0
        if error.filename is None:  # a connection the command opened: the database's
            _complain(_unreachable_database(error))
            return 1
        # A file the command had not foreseen: still a sentence naming it (circlecart/files.py words the rest).
        _complain(CliError(N_("{path} cannot be used: {reason}."), path=error.filename, reason=error.strerror))
        return 1
    except DBAPIError as error:
        _complain(_unreachable_database(error.orig or error))
        return 1
    except KeyboardInterrupt:
        return 130


def _check_sqlite_folder(database_url: str) -> None:
    """A SQLite file in a folder that does not exist is told before any connection is tried."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        if not folder.is_dir():
            raise _unreachable_database(FileNotFoundError(f"there is no folder {folder}"))


def _unreachable_database(error: BaseException) -> CliError:
    url = os.environ.get(f"{ENV_PREFIX}DATABASE_URL") or Settings.model_fields["database_url"].default
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = "?"
    reason = str(error).strip().rstrip(".") or type(error).__name__
    return CliError(
        N_(
            "The database {url} cannot be used: {reason}. Check CIRCLECART_DATABASE_URL, and that the database "
            "is running and its folder exists."
        ),
        url=shown,
        reason=reason,
    )


def _complain(error: BaseException) -> None:
    print(f"circlecart: {speech.explain(error, speech.language())}", file=sys.stderr)


def _silence_stdout() -> None:
    """After a closed pipe, make the interpreter's last flush of stdout go nowhere instead of failing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="circlecart", description="Social commerce inside Telegram groups.")
    parser.add_argument(
        "--language",
        choices=speech.supported_languages(),
        help="the language of messages (default: the shell's locale if it has a catalog, else "
        "CIRCLECART_DEFAULT_LANGUAGE)",
    )
    sub = parser.add_subparsers(title="commands")

    run = sub.add_parser(
        "run", help="run the bot (long polling); migrates the database first. Without a token: the sandbox"
    )
    run.add_argument("--framework", choices=["aiogram", "ptb"], help="overrides CIRCLECART_FRAMEWORK")
    run.set_defaults(handler=_run)
    sandbox = sub.add_parser(
        "sandbox", help="try the bot without Telegram: a local Bot API server and a web chat on 127.0.0.1"
    )
    sandbox.add_argument("--framework", choices=["aiogram", "ptb"], help="overrides CIRCLECART_FRAMEWORK")
    sandbox.set_defaults(handler=_sandbox)
    jobs = sub.add_parser(
        "jobs",
        help="run only the scheduled jobs and the outbox sender (beside webhook workers); one process leads",
    )
    jobs.add_argument("--framework", choices=["aiogram", "ptb"], help="overrides CIRCLECART_FRAMEWORK")
    jobs.set_defaults(handler=_jobs)

    db = sub.add_parser("db", help="database maintenance").add_subparsers(title="db commands")
    db.add_parser("upgrade", help="apply every pending migration").set_defaults(handler=_db_upgrade)

    catalog = sub.add_parser("catalog", help="import or export products").add_subparsers(title="catalog commands")
    importer = catalog.add_parser("import", help="create or update products from a YAML or CSV file")
    importer.add_argument("file", type=Path)
    importer.set_defaults(handler=_catalog_import)
    exporter = catalog.add_parser("export", help="write every product as YAML or CSV (stdout by default)")
    exporter.add_argument("file", type=Path, nargs="?")
    exporter.add_argument("--format", choices=["yaml", "csv"], help="default: from the file name, else yaml")
    exporter.set_defaults(handler=_catalog_export)

    from circlecart import drops_commands

    drops_commands.add_parsers(sub)
    from circlecart import memberships_commands

    memberships_commands.add_parsers(sub, _memberships)
    from circlecart import refunds_commands

    refunds_commands.add_parsers(sub)
    from circlecart import member_commands

    member_commands.add_parsers(sub)
    from circlecart import codes_commands

    codes_commands.add_parsers(sub)
    from circlecart import exports

    exports.add_parsers(sub)
    from circlecart import orders_commands

    orders_commands.add_parsers(sub)
    from circlecart import votes_commands

    votes_commands.add_parsers(sub)
    from circlecart import share_commands

    share_commands.add_parsers(sub)
    return parser


def _run(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from circlecart.app import CircleCart

    if not settings.has_token():
        return _serve_sandbox(settings, "no CIRCLECART_BOT_TOKEN is set, so this is the sandbox")
    settings.token()  # fail fast with one line, before touching the database
    asyncio.run(CircleCart(settings, clock=clock).run_until_stopped())
    return 0


def _sandbox(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    return _serve_sandbox(settings, "the sandbox")


def _serve_sandbox(settings: Settings, why: str) -> int:
    """The real bot against a local Bot API server, with a web chat; it keeps its own clock (movable)."""
    from circlecart.sandbox.runner import run_sandbox

    asyncio.run(run_sandbox(settings, why))
    return 0


def _jobs(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from circlecart.app import CircleCart

    settings.token()
    if not settings.database_url.startswith("postgres"):
        # The jobs lock is PostgreSQL's; on SQLite a second process would run every job a second time.
        raise CliError(N_("circlecart jobs needs PostgreSQL; on SQLite, circlecart run runs the jobs itself"))
    asyncio.run(CircleCart(settings, clock=clock, receive_updates=False).run_until_stopped())
    return 0


def _db_upgrade(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    print("database is up to date")
    return 0


def _catalog_import(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from circlecart.catalog_io import import_file

    report = asyncio.run(import_file(settings.database_url, args.file))
    print(f"imported {args.file}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged")
    return 0


def _catalog_export(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from circlecart.catalog_io import export_text

    fmt = args.format or (args.file.suffix.lstrip(".").replace("yml", "yaml") if args.file else "yaml")
    if fmt not in ("yaml", "csv"):
        raise CliError(N_("Cannot tell the format of {path}: use --format yaml or --format csv."), path=args.file)
    text = asyncio.run(export_text(settings.database_url, "csv" if fmt == "csv" else "yaml"))
    if args.file:
        files.write_text(args.file, text)
        print(f"exported to {args.file}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _memberships(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from circlecart import memberships_commands

    for line in asyncio.run(memberships_commands.run(settings.database_url, args, clock.now())):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
