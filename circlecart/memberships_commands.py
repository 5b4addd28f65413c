"""`circlecart plan ...` and `circlecart members dry-run`: the operator's command line for memberships."""

from __future__ import annotations

import argparse
from datetime import datetime
from gettext import ngettext  # the command line speaks English; its counts still take their plural forms

from domain.actors import Actor
from domain.memberships import management, schedule
from domain.memberships.plan_text import parse_new_plan, parse_options, parse_price
from domain.memberships.plans import Plan, Terms, multiplier_text


def _days(days: int) -> str:
    return ngettext("{count} day", "{count} days", days).format(count=days)


def _told(count: int) -> str:
    return ngettext("{count} member told", "{count} members told", count).format(count=count)


def describe(plan: Plan) -> str:
    terms = plan.current.terms
    state = "open" if plan.active else "closed"
    group = f" group={plan.group_chat_id}" if plan.group_chat_id is not None else ""
    if plan.community_id is not None:
        owner = f"community={plan.community_id}"
    elif plan.brand_id is not None:
        owner = f"brand={plan.brand_id}"
    else:
        owner = "platform"
    return (
        f"#{plan.id} {plan.name} · {terms.price.display()} / {_days(terms.period_days)} · v{plan.current.number} · "
        f"{state} · {owner}{group} · perks: {perks(terms)}"
    )


def perks(terms: Terms) -> str:
    """What members get, in the words `plan add` and `plan terms` take (so a line can be typed back)."""
    b = terms.benefits
    words = []
    if b.discount_percent:
        words.append(f"discount={b.discount_percent}")
    if b.points_multiplier_percent != 100:
        words.append(f"points={multiplier_text(b.points_multiplier_percent)}")
    if b.early_access_minutes:
        words.append(f"early={b.early_access_minutes}")
    words.extend(f"{sku}={price.major_text()}" for sku, price in b.member_prices)
    if b.box_sku:
        words.append(f"box={b.box_sku}")
    if terms.trial_days:
        words.append(f"trial={terms.trial_days}")
    words.append(f"grace={terms.grace_days}")
    return " ".join(words)


async def run(database_url: str, args: argparse.Namespace, now: datetime) -> list[str]:
    """The lines to print. The command line acts as the operator: whoever runs it owns the database."""
    from bots.core.memberships.views import dry_run_lines
    from storage.database import Database
    from storage.migrate import upgrade_async

    await upgrade_async(database_url)
    async with await Database.connect(database_url) as database, database.uow() as uow:
        who = Actor.command_line()
        if args.plan_command == "add":
            name, terms = parse_new_plan([args.price, args.currency, *args.words])
            brand = await management.brand_named(uow, args.brand) if args.brand is not None else None
            plan = await management.create_plan(
                uow, now, who, name, args.community, terms, brand.id if brand is not None else None
            )
            lines = [f"created {describe(plan)}"]
        elif args.plan_command == "price":
            plan = await management.managed_plan(uow, who, args.plan_id)
            change = await management.change_price(
                uow, now, who, plan.id, parse_price(args.price, plan.current.terms.price.currency)
            )
            lines = [f"plan #{plan.id} is now version {change.version.number}; {_told(change.told)}"]
        elif args.plan_command == "terms":
            plan = await management.managed_plan(uow, who, args.plan_id)
            change = await management.change_terms(
                uow, now, who, plan.id, parse_options(args.words, plan.current.terms)
            )
            lines = [f"plan #{plan.id} is now version {change.version.number}; {_told(change.told)}"]
        elif args.plan_command in ("close", "open"):
            plan = await management.set_active(uow, who, args.plan_id, args.plan_command == "open")
            lines = [describe(plan)]
        elif args.plan_command == "dry-run":
            previews = await schedule.removal_preview(uow, now)
            return [f"{len(previews)} would be removed now", *dry_run_lines(previews)]
        else:
            return [describe(plan) for plan in await uow.plans.list_plans(active_only=False)] or ["no plans yet"]
        await uow.commit()
    return lines


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], handler: object) -> None:
    plan = sub.add_parser("plan", help="membership plans").add_subparsers(title="plan commands", dest="plan_command")
    add = plan.add_parser(
        "add",
        help="a new plan (the operator's unless --brand or --community): "
        "PRICE CURRENCY NAME [days= trial= grace= discount= points= early= box=SKU SKU=PRICE]",
    )
    add.add_argument("price")
    add.add_argument("currency")
    add.add_argument("words", nargs="+", help="the name, then key=value options")
    owner = add.add_mutually_exclusive_group()
    owner.add_argument(
        "--community", type=int, help="a community's plan: the group chat id whose admins manage it (no product perks)"
    )
    owner.add_argument("--brand", help="a brand's plan (name or id): perks on that brand's products only")
    price = plan.add_parser("price", help="change the price (a new version; members keep theirs until renewal)")
    price.add_argument("plan_id", type=int)
    price.add_argument("price")
    terms = plan.add_parser("terms", help="change other terms (key=value options, as for add)")
    terms.add_argument("plan_id", type=int)
    terms.add_argument("words", nargs="+")
    for name in ("close", "open"):
        plan.add_parser(name, help=f"{name} the plan to new members").add_argument("plan_id", type=int)
    plan.add_parser("list", help="every plan")
    members = sub.add_parser("members", help="membership maintenance").add_subparsers(
        title="members commands", dest="plan_command"
    )
    members.add_parser("dry-run", help="list who would be removed from members-only groups now, and why")
    for command in (sub.choices["plan"], sub.choices["members"]):
        command.set_defaults(handler=handler, plan_command="list")
