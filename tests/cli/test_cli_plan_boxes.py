"""A plan's monthly box from the command line: `box=SKU` names a physical product the plan's owner may send."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import circlecart

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog.yaml"  # physical goods and downloads


def test_a_brand_plan_sends_a_box_of_its_own_physical_product_and_plan_list_shows_it(tmp_path: Path) -> None:
    env = {"CIRCLECART_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    assert circlecart("catalog", "import", str(EXAMPLE), env=env).returncode == 0

    other = circlecart(
        "plan", "add", "100", "XTR", "Tea", "Box", "box=PRINT-WAVE-A3", "--brand", "Celadon Studio", env=env
    )
    assert other.returncode == 1 and "a brand's plan sends a box of its own products only" in other.stderr
    download = circlecart("plan", "add", "100", "XTR", "Wave", "Box", "box=PRINT-WAVE-FILE", env=env)
    assert download.returncode == 1 and "not a physical product" in download.stderr
    community = circlecart("plan", "add", "1", "XTR", "Club", "box=TEA-SET-01", "--community", "-100123", env=env)
    assert community.returncode == 1 and "cannot give perks on products (box)" in community.stderr

    made = circlecart("plan", "add", "100", "XTR", "Tea", "Box", "box=TEA-SET-01", "--brand", "Celadon Studio", env=env)
    assert made.returncode == 0, made.stderr
    (only,) = circlecart("plan", "list", env=env).stdout.splitlines()
    assert only.startswith("#1 Tea Box") and "box=TEA-SET-01" in only
