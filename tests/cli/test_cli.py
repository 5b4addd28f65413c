"""The operator's side: the console script's one-line errors and the catalog round trip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "catalog.yaml"


def circlecart(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLECART_")}
    return subprocess.run(
        [sys.executable, "-m", "circlecart.cli", *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        cwd=cwd or ROOT,
        timeout=120,
        check=False,
    )


def test_jobs_without_a_token_exits_with_one_line_naming_the_setting(tmp_path: Path) -> None:
    # `run` without a token starts the sandbox instead (tests/sandbox/test_browser.py starts it that way).
    result = circlecart("jobs", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "circlecart: set CIRCLECART_BOT_TOKEN to the token @BotFather gave you"
    ]
    assert not (tmp_path / "circlecart.db").exists()  # nothing touched before the settings were right


def test_a_separate_jobs_process_on_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    result = circlecart("jobs", env={"CIRCLECART_BOT_TOKEN": "1:abc"}, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "circlecart: circlecart jobs needs PostgreSQL; on SQLite, circlecart run runs the jobs itself"
    ]
    assert not (tmp_path / "circlecart.db").exists()


def test_a_malformed_setting_is_named_in_one_line(tmp_path: Path) -> None:
    result = circlecart("run", env={"CIRCLECART_BOT_TOKEN": "1:x", "CIRCLECART_OWNER_IDS": "12,abc"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "CIRCLECART_OWNER_IDS" in lines[0]

    result = circlecart("run", env={"CIRCLECART_FRAMEWORK": "django"}, cwd=tmp_path)
    assert result.returncode == 2 and "CIRCLECART_FRAMEWORK" in result.stderr


def test_a_webhook_without_its_secret_is_refused_in_one_line(tmp_path: Path) -> None:
    env = {"CIRCLECART_BOT_TOKEN": "1:x", "CIRCLECART_WEBHOOK_URL": "https://shop.example.org/hook"}
    result = circlecart("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "CIRCLECART_WEBHOOK_SECRET" in lines[0]


def test_catalog_import_then_export_round_trips_and_reimport_changes_nothing(tmp_path: Path) -> None:
    env = {"CIRCLECART_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    first = circlecart("catalog", "import", str(EXAMPLE), env=env)
    assert first.returncode == 0, first.stderr
    assert "12 created" in first.stdout
    again = circlecart("catalog", "import", str(EXAMPLE), env=env)
    assert "0 created, 0 updated, 12 unchanged" in again.stdout

    exported = circlecart("catalog", "export", str(tmp_path / "out.yaml"), env=env)
    assert exported.returncode == 0, exported.stderr
    original = {p["sku"]: p for p in yaml.safe_load(EXAMPLE.read_text())["products"]}
    written = {p["sku"]: p for p in yaml.safe_load((tmp_path / "out.yaml").read_text())["products"]}
    assert written.keys() == original.keys()
    for sku, product in original.items():
        assert written[sku]["price"] == product["price"] and written[sku]["stock"] == product["stock"], sku
        assert written[sku]["kind"] == product["kind"] and written[sku].get("content") == product.get("content"), sku

    as_csv = circlecart("catalog", "export", "--format", "csv", env=env)
    assert as_csv.stdout.splitlines()[0].startswith("sku,title,description,price,currency,stock")


def test_a_bad_catalog_names_every_bad_line_and_imports_nothing(tmp_path: Path) -> None:
    env = {"CIRCLECART_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "products:\n"
        "  - sku: OK-1\n    title: Fine\n    price: 10\n    currency: JPY\n    stock: 1\n"
        "  - sku: BAD-1\n    title: Broken\n    price: 2.5\n    currency: JPY\n    stock: 1\n"
        "  - sku: BAD-2\n    title: Also broken\n    price: 3\n    currency: JPY\n    stock: -4\n"
    )
    result = circlecart("catalog", "import", str(bad), env=env)
    assert result.returncode == 1
    assert "line 9:" in result.stderr and "line 16:" in result.stderr
    exported = circlecart("catalog", "export", env=env)
    assert "OK-1" not in exported.stdout


def test_goods_against_telegrams_rules_are_refused_by_line_and_nothing_is_imported(tmp_path: Path) -> None:
    env = {"CIRCLECART_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    bad = tmp_path / "kinds.csv"
    bad.write_text(
        "sku,title,price,currency,stock,kind,content\n"
        "TEA-1,Tea set,68.00,EUR,3,physical,\n"  # line 2: fine
        "TEA-2,Tea set for Stars,250,XTR,3,,\n"  # line 3: physical by default, in Stars
        "SCAN-1,Print file,120,XTR,100,digital,\n"  # line 4: digital with nothing to deliver
        "CLASS-1,Tea class,300,XTR,8,service,\n"  # line 5: fine
    )
    result = circlecart("catalog", "import", str(bad), env=env)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any("line 3: " in line and "physical product cannot be priced in XTR" in line for line in lines)
    assert any("line 4: " in line and "digital product needs content" in line for line in lines)
    assert "line 2:" not in result.stderr and "line 5:" not in result.stderr
    assert "TEA-1" not in circlecart("catalog", "export", env=env).stdout


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = circlecart("db", "upgrade", env={"CIRCLECART_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()
