"""/privacy: what is stored about the member and why; export it as files; delete it after a confirmation.

The confirmation is a one-time token kept in the state store for ten minutes (by the injected clock too): a
forged button, an old one, or one pressed after a newer /privacy is refused and changes nothing.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from bots.core.callbacks import Callback
from bots.core.context import Context
from bots.core.events import ButtonEvent, CommandEvent
from bots.core.i18n import N_
from bots.core.personal import answer_personally
from bots.core.privacy import views
from bots.core.table import GROUP_SCOPE, PRIVATE_SCOPE, Command, HandlerTable
from domain.actors import Actor
from domain.errors import DomainError, ErrorCode
from domain.messenger import MessageGone, MessengerError
from domain.outgoing import View
from domain.privacy import members
from domain.privacy.errors import PrivacyError

log = logging.getLogger(__name__)

EVERYWHERE = frozenset({PRIVATE_SCOPE, GROUP_SCOPE})
CONFIRM_FOR = timedelta(minutes=10)
START = "privacy"  # /start privacy: the privacy screen, for members sent here from a group

ERRORS: dict[ErrorCode, str] = {
    PrivacyError.NOT_YOURS: N_("Only the member and the operator can see or delete a member's data."),
    PrivacyError.CONFIRMATION_STALE: N_("This confirmation is no longer valid. Send /privacy to start again."),
    PrivacyError.MONEY_IN_FLIGHT: N_(
        "A payment of yours is still open: a group buy waiting to fill, or a refund on its way. "
        "Delete your data once it has settled."
    ),
}


def confirm_key(user_id: int) -> str:
    return f"privacy:confirm:{user_id}"


def register(table: HandlerTable) -> None:
    table.command(Command("privacy", privacy, N_("Your data: see, export or delete it"), EVERYWHERE))
    table.action("prexp", export)
    table.action("prdel", ask_to_delete)
    table.action("prok", delete, str)
    table.action("prkeep", keep)
    table.member_state_key(confirm_key)
    table.errors(ERRORS)


async def privacy(ctx: Context, event: CommandEvent) -> None:
    me = event.sender.id
    async with ctx.uow() as uow:
        data = await members.export_data(uow, ctx.now(), Actor(me), me)
    await answer_personally(ctx, event, views.privacy_view(ctx, data, members.what_is_held()), START)


async def export(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    me = event.sender.id
    async with ctx.uow() as uow:
        data = await members.export_data(uow, ctx.now(), Actor(me), me)
    for view in views.export_views(ctx, data):
        await ctx.messenger.send(me, view)
    log.info("member %s exported %s records", me, data.count)
    await ctx.messenger.answer_callback(event.callback_id)


async def ask_to_delete(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    async with ctx.uow() as uow:
        await members.require_settled(uow, event.sender.id)  # say so now rather than after the confirmation
    nonce = secrets.token_hex(8)
    state = {"nonce": nonce, "at": ctx.now().isoformat()}
    await ctx.services.state.set(confirm_key(event.sender.id), state, ttl_seconds=int(CONFIRM_FOR.total_seconds()))
    await ctx.messenger.send(event.sender.id, views.confirm_view(ctx, nonce))
    await ctx.messenger.answer_callback(event.callback_id)


async def delete(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    me = event.sender.id
    key = confirm_key(me)
    issued = await ctx.services.state.get(key)
    if not _confirms(issued, callback.str_arg(0), ctx.now()):
        log.warning("refused a deletion confirmation from %s: forged, stale or used", me)
        raise DomainError(PrivacyError.CONFIRMATION_STALE)
    await ctx.services.state.delete(key)  # one use, whatever happens next
    async with ctx.uow() as uow:
        forgotten = await members.forget(uow, Actor(me), me)
        await uow.commit()
    for state_key in ctx.services.state_keys_of(me):
        await ctx.services.state.delete(state_key)
    log.info("member %s was forgotten: %s records, kept under their pseudonym", me, forgotten.records)
    for charge in forgotten.subscriptions:
        try:
            await ctx.messenger.edit_star_subscription(me, charge, canceled=True)
        except MessengerError as error:
            log.warning("could not cancel the Stars subscription %s of a forgotten member: %s", charge, error)
    await _replace(ctx, event, views.forgotten_view(ctx, len(forgotten.subscriptions)))
    await ctx.messenger.answer_callback(event.callback_id)


async def keep(ctx: Context, event: ButtonEvent, callback: Callback) -> None:
    await ctx.services.state.delete(confirm_key(event.sender.id))
    await _replace(ctx, event, views.kept_view(ctx))
    await ctx.messenger.answer_callback(event.callback_id)


def _confirms(issued: dict[str, object] | None, nonce: str, now: datetime) -> bool:
    if not issued or not isinstance(issued.get("nonce"), str) or not isinstance(issued.get("at"), str):
        return False
    if not secrets.compare_digest(str(issued["nonce"]), nonce):
        return False
    try:
        at = datetime.fromisoformat(str(issued["at"]))
    except ValueError:
        return False
    return at <= now <= at + CONFIRM_FOR


async def _replace(ctx: Context, event: ButtonEvent, view: View) -> None:
    """Put the outcome in place of the question (its buttons go with it), or say it anew if that is gone."""
    try:
        await ctx.messenger.edit(event.message, view)
    except MessageGone:
        await ctx.messenger.send(event.sender.id, view)
