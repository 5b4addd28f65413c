"""Import aiogram with its pydantic models built when first used, not all ~600 of them at import.

aiogram declares every Bot API type with ``defer_build=True`` and then, at the end of
``aiogram/types/__init__.py``, calls ``model_rebuild()`` on each one to resolve their forward references,
which builds every validator and serializer there and then. That one loop was 106 MB of the resident memory
of ``circlecart run`` (aiogram 3.31, pydantic 2.13: 219 MB after importing aiogram, 113 MB without the loop)
and five of the seven seconds its import took; a running bot validates and serializes a few dozen of those
models. Known upstream: https://github.com/aiogram/aiogram/issues/1513.

`import_aiogram` imports aiogram with that loop's calls only recording the namespace they pass, then gives
aiogram's base classes a ``model_rebuild`` that adds that namespace. pydantic calls ``model_rebuild`` by
itself the first time an incomplete model validates or serializes, so each model is built on first use, with
the same namespace the loop would have used: the same schema, later. `tests/adapters/test_aiogram_models.py`
builds every type and method this way.

It must run before anything imports aiogram (`bots/aiogram/__init__.py` calls it first). When aiogram was
imported already (a host bot embedding circlecart), it changes nothing.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel

log = logging.getLogger(__name__)

_TYPES_PACKAGE = "aiogram.types."


def import_aiogram() -> bool:
    """Import aiogram with its models' building deferred; False when aiogram was imported already."""
    if "aiogram" in sys.modules:
        return False
    recorded: dict[str, Any] = {}
    with _rebuild_recording(recorded):
        import aiogram  # noqa: F401  (the import is the point)
        from aiogram.client.context_controller import BotContextController
        from aiogram.methods.base import Request, Response
    namespace = recorded.get("namespace")
    if namespace is None:
        log.info("aiogram's import rebuilt no model (a newer aiogram?): nothing deferred")
        return False
    # Every aiogram model derives from one of these: the types and methods, and the envelope of each answer
    # (Response[list[Update]], ...), which validates the types inside it.
    for base in (BotContextController, Request, Response):
        _build_with(base, namespace)
    return True


@contextmanager
def _rebuild_recording(recorded: dict[str, Any]) -> Iterator[None]:
    """While aiogram imports, its types' eager ``model_rebuild(_types_namespace=...)`` records and returns."""
    original = BaseModel.__dict__["model_rebuild"]

    def model_rebuild(
        cls: type[BaseModel],
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: Any = None,
    ) -> bool | None:
        if _types_namespace is not None and cls.__module__.startswith(_TYPES_PACKAGE):
            recorded["namespace"] = _types_namespace
            return None
        result: bool | None = original.__func__(
            cls,
            force=force,
            raise_errors=raise_errors,
            _parent_namespace_depth=_parent_namespace_depth + 1,
            _types_namespace=_types_namespace,
        )
        return result

    BaseModel.model_rebuild = classmethod(model_rebuild)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]


def _build_with(base: type[BaseModel], namespace: Any) -> None:
    """Every later rebuild of `base`'s subclasses (pydantic's own, on first use) resolves names in `namespace`."""
    original = BaseModel.__dict__["model_rebuild"]

    def model_rebuild(
        cls: type[BaseModel],
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: Any = None,
    ) -> bool | None:
        result: bool | None = original.__func__(
            cls,
            force=force,
            raise_errors=raise_errors,
            _parent_namespace_depth=_parent_namespace_depth + 1,
            _types_namespace=namespace if _types_namespace is None else _types_namespace,
        )
        return result

    base.model_rebuild = classmethod(model_rebuild)  # type: ignore[method-assign,assignment]
