"""The operator's command line for plans: owners, bounds and refusals (nothing is saved when refused)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import circlecart
from tests.conftest import STARS_CATALOG as EXAMPLE


def test_the_operator_makes_a_brand_plan_and_no_community_plan_gives_product_perks(tmp_path: Path) -> None:
    env = {"CIRCLECART_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    assert circlecart("catalog", "import", str(EXAMPLE), env=env).returncode == 0

    brand = circlecart(
        "plan", "add", "100", "XTR", "Celadon", "Circle", "discount=20", "TEA-SET-01=200", "--brand", "Celadon Studio",
        env=env,
    )  # fmt: skip
    assert brand.returncode == 0, brand.stderr
    assert brand.stdout.startswith("created #1 Celadon Circle") and "· brand=" in brand.stdout

    freebies = ["1", "XTR", "Freebies", "discount=99", "--community", "-100123"]
    refused = circlecart("plan", "add", *freebies, env=env)
    assert refused.returncode == 1 and "membership.community_product_perks (perks=discount)" in refused.stderr

    terms = circlecart("plan", "terms", "1", "discount=60", env=env)
    assert terms.returncode == 1 and "membership.discount_invalid (min=1, max=50)" in terms.stderr
    (only,) = circlecart("plan", "list", env=env).stdout.splitlines()  # nothing refused was saved
    assert only.startswith("#1 Celadon Circle") and "v1" in only
    assert "/ 30 days ·" in only  # a count in its plural form

    repriced = circlecart("plan", "price", "1", "120", env=env)
    assert repriced.returncode == 0, repriced.stderr
    assert "is now version 2; 0 members told" in repriced.stdout  # nobody has joined yet
