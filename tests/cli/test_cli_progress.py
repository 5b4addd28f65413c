"""Long work shows a progress bar when the operator watches a terminal, and stays quiet in a pipe or a log."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.cli.test_cli import EXAMPLE, ROOT, circlecart


def run_on_a_terminal(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """The console script with standard error on a pseudo-terminal: (exit status, what the terminal showed)."""
    leader, follower = pty.openpty()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "circlecart.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**clean, **env},
        cwd=ROOT,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done with it
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=120), shown.decode("utf-8", "replace")


def test_a_catalog_import_and_an_export_show_a_bar_on_a_terminal_and_nothing_in_a_pipe(tmp_path: Path) -> None:
    env = {"CIRCLECART_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}", "LANG": "C.UTF-8"}
    status, shown = run_on_a_terminal("catalog", "import", str(EXAMPLE), env=env)
    assert status == 0
    assert "\rimport catalog.yaml " in shown and "100% 12/12" in shown and "  8% 1/12" in shown

    quiet = circlecart("catalog", "import", str(EXAMPLE), env=env)  # stderr is a pipe here
    assert quiet.returncode == 0 and quiet.stderr == ""

    status, shown = run_on_a_terminal("export", "members", env=env)
    assert status == 0 and "\rexport members " in shown and "100% 0/0" in shown
    quiet = circlecart("export", "members", env=env)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout.startswith("member_id,")
