"""A DomainError's params may be called anything: none of them clashes with the explain/translate calls."""

from __future__ import annotations

from typing import Any

from bots.core.callbacks import CallbackCodec
from bots.core.context import BotSettings, Context, Services
from bots.core.i18n import Translations
from domain.errors import DomainError, ErrorCode
from tests.support.clock import FakeClock


class Probe(ErrorCode):
    WITH_EVERY_NAME = "x.y"
    WITH_TWO = "x.z"


def _context(language: str = "en") -> Context:
    messenger: Any = None
    uow_factory: Any = None
    services = Services(
        messenger, uow_factory, FakeClock(), Translations(), CallbackCodec(), BotSettings("bot"),
        error_text=lambda code: "{language} {code} {html} {msgid} {self}" if code == "x.y" else "{language} {code}",
    )  # fmt: skip
    return Context(services, language, None)


def test_params_named_like_the_calls_own_arguments_fill_the_message() -> None:
    error = DomainError(Probe.WITH_EVERY_NAME, language="fr", code="c", html="<h>", msgid="m", self="s")
    ctx = _context()
    assert ctx.explain_error(error, html=False) == "fr c <h> m s"
    assert ctx.explain_error(error) == "fr c &lt;h&gt; m s"
    assert ctx.explain(Probe.WITH_TWO, html=False, language="fr", code="c") == "fr c"
    assert ctx.t("{msgid}/{language}", msgid="a", language="b") == "a/b"
    assert Translations().translate("zh", "{language}", language="fr") == "fr"
