"""aiogram's models are built on first use (bots/aiogram/lazy_models.py), and every one of them still builds.

Run in a fresh interpreter: deferring only works when bots.aiogram is what imports aiogram first, and the
test process may have imported it already.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHECK = textwrap.dedent(
    """
    import inspect

    import bots.aiogram  # first: it imports aiogram
    import aiogram.methods as methods
    import aiogram.types as types
    from aiogram.methods.base import Response, TelegramMethod
    from pydantic import BaseModel

    assert not types.Message.__pydantic_complete__, "aiogram built its types at import"
    update = types.Update.model_validate(
        {"update_id": 1, "message": {"message_id": 2, "date": 0, "chat": {"id": 3, "type": "private"},
         "from": {"id": 3, "is_bot": False, "first_name": "Mei"}, "text": "/shop"}}
    )
    assert update.message.chat.id == 3 and update.message.from_user.first_name == "Mei"
    answer = Response[list[types.Update]].model_validate({"ok": True, "result": [update.model_dump()]})
    assert answer.result[0].message.text == "/shop"

    built = 0
    for module in (types, methods):
        for name in dir(module):
            model = getattr(module, name)
            if inspect.isclass(model) and issubclass(model, BaseModel):
                model.model_rebuild()
                assert model.__pydantic_complete__, f"{name} does not build"
                built += 1
                if issubclass(model, TelegramMethod) and model is not TelegramMethod:
                    returning = Response[model.__returning__]
                    returning.model_rebuild()
                    assert returning.__pydantic_complete__, f"the answer to {name} does not build"
    print(built)
    """
)


def test_every_aiogram_type_and_method_builds_on_first_use() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 500  # every type and method of the Bot API, not an empty loop
