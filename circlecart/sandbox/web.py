"""The web chat: a small Telegram client in the browser, served by the local Bot API server.

The page (static/) reads the world as JSON and acts through the fake server's scenario API, which turns
each action into the update Telegram would send the bot. Server-sent events tell the page to redraw.
Only loopback peers are served: the server listens on 127.0.0.1 and refuses anyone else who reaches it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from circlecart.sandbox import world
from circlecart.sandbox.bot_api import FakeChat, FakeUser, InvoiceRecord, PollVoteRefused, StoredMessage

if TYPE_CHECKING:
    from circlecart.sandbox.runner import Sandbox

STATIC = Path(__file__).resolve().parent / "static"
_LANGUAGES = ("en", "zh")
_ANSWER_TIMEOUT = 15.0


@web.middleware
async def loopback_only(request: web.Request, handler: Any) -> web.StreamResponse:
    peer = request.remote or ""
    try:
        allowed = ipaddress.ip_address(peer.split("%", 1)[0]).is_loopback
    except ValueError:
        allowed = False
    if not allowed:
        raise web.HTTPForbidden(text="the sandbox serves this machine only")
    response: web.StreamResponse = await handler(request)
    return response


class WebChat:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.version = 0
        self._changed = asyncio.Event()
        self._closing = False
        self.ready = False  # until the bot runs and the example data is in, the page is asked to wait

    # -- wiring -----------------------------------------------------------------------------------

    def setup(self, app: web.Application) -> None:
        app.middlewares.append(loopback_only)
        app.middlewares.append(self._until_ready)
        self.sandbox.fake.change_listeners.append(self._on_change)
        app.router.add_get("/", self._index)
        app.router.add_static("/sandbox/static/", STATIC)
        app.router.add_get("/sandbox/events", self._events)
        app.router.add_get("/sandbox/file/{file_id}", self._file)
        app.router.add_get("/sandbox/api/world", self._world)
        app.router.add_get("/sandbox/api/chat", self._chat)
        for name, handler in (
            ("send", self._send),
            ("press", self._press),
            ("inline", self._inline),
            ("inline/choose", self._inline_choose),
            ("invoice", self._invoice_info),
            ("pay", self._pay),
            ("vote", self._vote),
            ("join", self._join),
            ("clock", self._clock),
        ):
            app.router.add_post(f"/sandbox/api/{name}", handler)

    @web.middleware
    async def _until_ready(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not self.ready and not request.path.startswith("/bot"):
            raise web.HTTPServiceUnavailable(text="the sandbox is starting; try again in a few seconds")
        response: web.StreamResponse = await handler(request)
        return response

    async def close(self) -> None:
        self._closing = True
        self._on_change()

    def _on_change(self) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    # -- reading ----------------------------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        seen = -1
        try:
            while not self._closing:
                if seen != self.version:
                    seen = self.version
                    await response.write(f"data: {seen}\n\n".encode())
                    await asyncio.sleep(0.05)  # a burst of bot calls redraws once
                    continue
                changed = self._changed
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(15):
                        await changed.wait()
                if seen == self.version:
                    await response.write(b": keep-alive\n\n")
        except (ConnectionError, aiohttp.ClientConnectionResetError):
            pass  # the page went away
        return response

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        content = self.sandbox.fake.photo_contents.get(file_id)
        if content is not None:
            return web.Response(body=content, content_type="image/png")
        # A photo the bot gave by URL (the example catalog's): the sandbox fetches nothing from outside.
        label = re.sub(r"[^A-Za-z0-9 ._-]", "", request.query.get("label", ""))[:40]
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="260" viewBox="0 0 400 260">'
            '<rect width="400" height="260" fill="#d9e7f3"/><text x="200" y="120" font-size="64" '
            'text-anchor="middle">🖼</text><text x="200" y="190" font-size="18" font-family="sans-serif" '
            f'text-anchor="middle" fill="#33506b">{label}</text></svg>'
        )
        return web.Response(text=svg, content_type="image/svg+xml")

    async def _world(self, request: web.Request) -> web.Response:
        fake = self.sandbox.fake
        me = self._person(request.query.get("me"))
        chats: list[dict[str, Any]] = [{"id": me.id, "title": world.BOT_NAME, "kind": "private"}]
        for place in world.PLACES:
            group = self.sandbox.places[place.id]
            if group.is_member(me.id):
                chats.append({"id": group.id, "title": group.title, "kind": place.kind})
        people = [{"id": p.id, "name": p.first_name, "username": p.username, "role": p.role} for p in world.PEOPLE]
        body = {
            "bot": {"id": world.BOT_ID, "username": world.BOT_USERNAME, "name": world.BOT_NAME},
            "people": people,
            "chats": chats,
            "now": self.sandbox.clock.now().isoformat(),
            "offset_seconds": self.sandbox.clock.offset.total_seconds(),
            "version": self.version,
        }
        del fake
        return web.json_response(body)

    async def _chat(self, request: web.Request) -> web.Response:
        me = self._person(request.query.get("me"))
        language = _language(request.query.get("lang"))
        chat = self._chat_for(me, request.query.get("chat"))
        fake = self.sandbox.fake
        where: Any = chat if chat is not None else me
        stored = fake.messages(where)
        messages = [self._message_json(m) for m in stored]
        for out, message in zip(messages, stored, strict=True):
            if "poll" in out:  # the person's own choice, to mark it and offer retracting it
                out["poll"] = {**out["poll"], "chosen": fake.vote_of(message, me)}
        commands = self._commands(me, chat, language)
        return web.json_response({"messages": messages, "commands": commands, "version": self.version})

    def _person(self, value: str | None) -> FakeUser:
        try:
            return self.sandbox.people[int(value or "")]
        except (ValueError, KeyError):
            raise web.HTTPBadRequest(text="unknown person") from None

    def _chat_for(self, me: FakeUser, value: Any) -> FakeChat | None:
        """The group with this id, or None for the person's private chat with the bot."""
        try:
            chat_id = int(value)
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text="unknown chat") from None
        if chat_id == me.id:
            return None
        group = self.sandbox.places.get(chat_id)
        if group is None or not group.is_member(me.id):
            raise web.HTTPBadRequest(text="not a chat of this person")
        return group

    def _commands(self, me: FakeUser, chat: FakeChat | None, language: str) -> list[dict[str, Any]]:
        """The command menu a Telegram client shows here: the narrowest scope set, in the reader's language."""
        fake = self.sandbox.fake
        if chat is None:
            scopes: list[tuple[str, int | None, int | None]] = [
                ("chat", me.id, None),
                ("all_private_chats", None, None),
                ("default", None, None),
            ]
        else:
            admin = chat.status_of(me.id).status in {"creator", "administrator"}
            scopes = [("chat_member", chat.id, me.id)]
            if admin:
                scopes.append(("chat_administrators", chat.id, None))
            scopes.append(("chat", chat.id, None))
            if admin:
                scopes.append(("all_chat_administrators", None, None))
            scopes += [("all_group_chats", None, None), ("default", None, None)]
        for scope, chat_id, user_id in scopes:
            for code in (language, ""):
                found = fake.commands(scope, code, chat_id=chat_id, user_id=user_id)
                if found:
                    return found
        return []

    def _message_json(self, message: StoredMessage) -> dict[str, Any]:
        data = message.data
        sender = data.get("from") or {}
        out: dict[str, Any] = {
            "id": message.message_id,
            "from": {
                "id": sender.get("id"),
                "name": sender.get("first_name", ""),
                "is_bot": bool(sender.get("is_bot")),
            },
            "date": data.get("date"),
            "text": message.content,
            "entities": message.entities,
            "edited": message.edited,
            "buttons": [
                [_button_json(button) for button in row]
                for row in (data.get("reply_markup") or {}).get("inline_keyboard", [])
            ],
        }
        if data.get("via_bot"):
            out["via_bot"] = data["via_bot"].get("username")
        photo = data.get("photo")
        if photo:
            out["photo"] = photo[-1]["file_id"]
        document = data.get("document")
        if document:
            out["document"] = document.get("file_name") or "file"
        invoice = data.get("invoice")
        if invoice:
            out["invoice"] = {**invoice, "amount": _amount(invoice["total_amount"], invoice["currency"])}
        paid = data.get("successful_payment")
        if paid:
            out["service"] = {"kind": "paid", "amount": _amount(paid["total_amount"], paid["currency"])}
        if data.get("new_chat_members"):
            out["service"] = {"kind": "joined", "names": [u["first_name"] for u in data["new_chat_members"]]}
        if data.get("left_chat_member"):
            out["service"] = {"kind": "left", "names": [data["left_chat_member"]["first_name"]]}
        poll = data.get("poll")
        if poll:
            out["poll"] = poll
        reply = data.get("reply_to_message")
        if reply:
            snippet = reply.get("text") or reply.get("caption") or ""
            out["reply_to"] = {
                "id": reply.get("message_id"),
                "name": (reply.get("from") or {}).get("first_name", ""),
                "text": snippet[:80],
            }
        return out

    # -- acting -----------------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> tuple[dict[str, Any], FakeUser]:
        try:
            body = await request.json()
        except (ValueError, json.JSONDecodeError):
            raise web.HTTPBadRequest(text="JSON expected") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="JSON object expected")
        me = self._person(str(body.get("me")))
        # The bot's own texts follow the person's Telegram language: the web chat's, here.
        me.language_code = _language(body.get("lang"))
        return body, me

    async def _send(self, request: web.Request) -> web.Response:
        body, me = await self._body(request)
        chat = self._chat_for(me, body.get("chat"))
        text = str(body.get("text") or "").strip()
        if not text:
            raise web.HTTPBadRequest(text="empty message")
        reply_to = body.get("reply_to")
        delivered = await self.sandbox.fake.send_message(me, chat, text[:4096], reply_to=reply_to)
        self._on_change()
        return web.json_response({"message_id": delivered.message.message_id if delivered.message else None})

    async def _press(self, request: web.Request) -> web.Response:
        body, me = await self._body(request)
        chat = self._chat_for(me, body.get("chat"))
        fake = self.sandbox.fake
        message = fake.message(chat if chat is not None else me, int(body.get("message_id") or 0))
        if message is None or message.deleted:
            raise web.HTTPBadRequest(text="that message is gone")
        try:
            delivered = await fake.press_button(me, message, callback_data=str(body.get("data")))
        except (LookupError, ValueError) as error:
            raise web.HTTPBadRequest(text=str(error)) from None
        assert delivered.query_id is not None
        record = fake.queries[delivered.query_id]
        await record.wait_answered(_ANSWER_TIMEOUT)
        answer = record.answer if record.answered else None
        return web.json_response(
            {
                "text": getattr(answer, "text", None),
                "alert": bool(getattr(answer, "show_alert", False)),
                "url": getattr(answer, "url", None),
            }
        )

    async def _inline(self, request: web.Request) -> web.Response:
        body, me = await self._body(request)
        fake = self.sandbox.fake
        query_id = await fake.inline_query(me, str(body.get("query") or "")[:256])
        record = fake.queries[query_id]
        await record.wait_answered(_ANSWER_TIMEOUT)
        results = []
        for result in fake.inline_answers(query_id) or []:
            content = result.get("input_message_content") or {}
            results.append(
                {
                    "id": result["id"],
                    "title": result.get("title") or content.get("title") or result.get("caption") or result["id"],
                    "description": result.get("description") or content.get("description") or "",
                }
            )
        return web.json_response({"query_id": query_id, "results": results})

    async def _inline_choose(self, request: web.Request) -> web.Response:
        body, me = await self._body(request)
        chat = self._chat_for(me, body.get("chat"))
        try:
            await self.sandbox.fake.choose_inline_result(me, chat, str(body["query_id"]), str(body["result_id"]))
        except (KeyError, LookupError) as error:
            raise web.HTTPBadRequest(text=str(error)) from None
        self._on_change()
        return web.json_response({"ok": True})

    def _invoice_of(self, me: FakeUser, body: dict[str, Any]) -> tuple[InvoiceRecord, FakeChat | None]:
        fake = self.sandbox.fake
        link = body.get("link")
        if link:
            record = fake.invoice_links.get(str(link))
            if record is None:
                raise web.HTTPBadRequest(text="unknown invoice link")
            return record, None
        chat = self._chat_for(me, body.get("chat"))
        message = fake.message(chat if chat is not None else me, int(body.get("message_id") or 0))
        if message is None or message.invoice is None:
            raise web.HTTPBadRequest(text="that message is no invoice")
        return message.invoice, chat

    async def _invoice_info(self, request: web.Request) -> web.Response:
        body, me = await self._body(request)
        record, _ = self._invoice_of(me, body)
        params = record.params
        return web.json_response(
            {
                "title": params["title"],
                "description": params["description"],
                "amount": _amount(record.total_amount, record.currency),
                "currency": record.currency,
                "prices": [
                    {"label": p["label"], "amount": _amount(int(p["amount"]), record.currency)}
                    for p in params["prices"]
                ],
                "subscription_days": (record.subscription_period or 0) // 86400,
                "needs": [
                    need for need in ("name", "phone_number", "email", "shipping_address") if params.get(f"need_{need}")
                ],
            }
        )

    async def _pay(self, request: web.Request) -> web.Response:
        body, me = await self._body(request)
        record, chat = self._invoice_of(me, body)
        fake = self.sandbox.fake
        # A physical product's form asks where to ship it: the web chat's sheet sends a country (Germany unless
        # it says otherwise), and the first shipping option offered is taken.
        address = {"country_code": str(body.get("country_code") or "DE")[:2]} if record.is_flexible else None
        result = await fake.pay(me, record, chat=chat, timeout=_ANSWER_TIMEOUT, shipping_address=address)
        if result.update_id is not None:
            with contextlib.suppress(AssertionError):
                await self.sandbox.settle(result.update_id, _ANSWER_TIMEOUT)
        return web.json_response({"ok": result.accepted, "answered": result.answered, "error": result.error_message})

    async def _vote(self, request: web.Request) -> web.Response:
        body, me = await self._body(request)
        chat = self._chat_for(me, body.get("chat"))
        fake = self.sandbox.fake
        message = fake.message(chat if chat is not None else me, int(body.get("message_id") or 0))
        if message is None or message.deleted:
            raise web.HTTPBadRequest(text="that message is gone")
        options = body.get("options")
        if not isinstance(options, list) or not all(isinstance(i, int) for i in options):
            raise web.HTTPBadRequest(text="options: a list of option numbers expected")
        try:
            await fake.vote(me, message, options)
        except PollVoteRefused as refused:
            return web.json_response({"ok": False, "error": str(refused)})
        except LookupError as error:
            raise web.HTTPBadRequest(text=str(error)) from None
        # No waiting for the bot: a bot need not ask for poll updates (allowed_updates), and the vote
        # itself is Telegram's to show.
        self._on_change()
        return web.json_response({"ok": True})

    async def _join(self, request: web.Request) -> web.Response:
        body, me = await self._body(request)
        link = str(body.get("link") or "")
        fake = self.sandbox.fake
        for group in self.sandbox.places.values():
            found = group.invite_links.get(link)
            if found is None:
                continue
            if group.is_member(me.id):
                return web.json_response({"status": "member", "chat": group.id})
            if found.get("is_revoked"):
                return web.json_response({"status": "revoked"})
            if found.get("creates_join_request"):
                delivered = await fake.join_request(me, group, link)
                await self.sandbox.settle(delivered)
                joined = group.is_member(me.id)
                return web.json_response({"status": "member" if joined else "requested", "chat": group.id})
            await fake.join_group(me, group)
            return web.json_response({"status": "member", "chat": group.id})
        return web.json_response({"status": "unknown"})

    async def _clock(self, request: web.Request) -> web.Response:
        body, _ = await self._body(request)
        try:
            seconds = float(body.get("seconds") or 0)
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text="seconds expected") from None
        if not 0 < seconds <= 366 * 86400:
            raise web.HTTPBadRequest(text="move the clock forward by up to a year")
        await self.sandbox.advance_clock(timedelta(seconds=seconds))
        self._on_change()
        return web.json_response({"now": self.sandbox.clock.now().isoformat()})


def _language(value: Any) -> str:
    text = str(value or "en").lower()[:2]
    return text if text in _LANGUAGES else "en"


def _amount(minor: int, currency: str) -> str:
    if currency == "XTR":
        return f"{minor} ⭐"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥"}.get(currency)
    major = f"{minor / 100:.2f}"  # display only; money itself stays in integer minor units
    return f"{symbol}{major}" if symbol else f"{major} {currency}"


def _button_json(button: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"text": button.get("text", "")}
    if button.get("pay"):
        out["kind"] = "pay"
    elif "callback_data" in button:
        out.update(kind="callback", data=button["callback_data"])
    elif "url" in button:
        out.update(kind="url", url=button["url"])
    elif "switch_inline_query" in button:
        out.update(kind="inline", query=button["switch_inline_query"])
    elif "switch_inline_query_current_chat" in button:
        out.update(kind="inline_here", query=button["switch_inline_query_current_chat"])
    elif "switch_inline_query_chosen_chat" in button:
        out.update(kind="inline", query=button["switch_inline_query_chosen_chat"].get("query", ""))
    else:
        out["kind"] = "other"
    return out
