"""The layering contract ([tool.importlinter] in pyproject.toml) holds, and it would catch a wrong-way import.

CI runs `./dev test`, so the contract runs here as well as in `./dev lint`. The second test proves the check
has teeth: a copy of the tree with one wrong-way import must fail, naming the import, so a misconfigured
contract (a typo in a package name, external packages left out of the graph) cannot pass silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("domain", "storage", "bots", "jobs", "circlecart")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first, so the packages are found in `cwd` and not through the editable install of the
    # real tree; --no-cache, so nothing is written beside the code and no stale graph is reused.
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layering_contract_is_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        ("domain/_wrong_way.py", "import storage\n", "domain imports no other layer"),
        ("domain/_wrong_way.py", "import sqlalchemy\n", "domain imports no other layer"),
        ("domain/_wrong_way.py", "from bots.core.shop import views\n", "domain imports no other layer"),
        ("bots/core/_wrong_way.py", "import storage\n", "bots reach data only through domain ports"),
        ("bots/aiogram/_wrong_way.py", "import bots.ptb\n", "adapters do not import each other"),
        ("bots/core/_wrong_way.py", "import bots.aiogram\n", "bots.core imports neither adapter"),
        # This contract's sources are existing modules, so the copy of one is replaced.
        ("domain/clock.py", "import domain.shop.orders\n", "the domain's vocabulary imports no feature"),
    ],
)
def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path, module: str, source: str, contract: str) -> None:
    # A copy of the tree, so the real one is never touched.
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / module).write_text(f'"""A module that imports the wrong way."""\n\n{source}')

    result = _lint_imports(tmp_path)

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    broken = [line for line in output.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), output
    assert module.removesuffix(".py").replace("/", ".") in output  # it names the offending module
