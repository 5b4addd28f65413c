"""scripts/verify_raffle.py run as a member runs it (a separate Python, isolated from circlecart), on records
the domain publishes: it agrees with domain/drops/raffle.py and names what does not match."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from domain.drops import raffle
from domain.drops.beacon import QUICKNET
from tests.support.fake_drand import beacon_json

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_raffle.py"
KEY = raffle.new_pseudonym_key()
SECRET = raffle.new_seed()
ROUND = 27946613


def _record(with_beacon: bool = True) -> raffle.RaffleRecord:
    entrants = sorted(raffle.pseudonym(KEY, user_id) for user_id in range(5001, 5008))
    value = beacon_json(QUICKNET, ROUND)
    randomness = str(value["randomness"]) if with_beacon else None
    digest = raffle.entrants_digest(entrants)
    seed = raffle.draw_seed(SECRET, digest, randomness)
    return raffle.RaffleRecord(
        drop_id=9,
        title="Celadon tea set",
        units=3,
        commitment=raffle.commitment(SECRET),
        secret=SECRET,
        chain_hash=QUICKNET.chain_hash,
        round=ROUND,
        round_time="2026-04-20T00:00:03Z",
        randomness=randomness,
        signature=str(value["signature"]) if with_beacon else None,
        entrants=tuple(entrants),
        entrants_digest=digest,
        seed=seed,
        draw_order=raffle.draw_order(seed, entrants),
    )


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-I", str(SCRIPT), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("with_beacon", [True, False])
def test_the_published_file_verifies(tmp_path: Path, with_beacon: bool) -> None:
    record = _record(with_beacon)
    (tmp_path / "raffle.json").write_text(record.to_json())
    done = _run(tmp_path / "raffle.json", "--me", record.draw_order[4])
    assert done.returncode == 0, done.stdout
    assert f"{record.draw_order[4]} is number 5 of 7" in done.stdout
    assert ("stated fallback drew" in done.stdout) is not with_beacon


def test_the_values_can_be_given_as_arguments_instead(tmp_path: Path) -> None:
    record = _record()
    (tmp_path / "entrants.txt").write_text("\n".join(reversed(record.entrants)) + "\n")
    common = ["--commitment", record.commitment, "--secret", record.secret, "--entrants", tmp_path / "entrants.txt"]
    done = _run(*common, "--randomness", str(record.randomness), "--signature", str(record.signature), "--units", "3")
    assert done.returncode == 0, done.stdout
    assert f"winners (3 of 3 units): {' '.join(record.winners)}" in done.stdout
    fallback = _run(*common, "--no-beacon", "--seed", raffle.draw_seed(SECRET, record.entrants_digest, None))
    assert fallback.returncode == 0, fallback.stdout
    missing = _run(*common)
    assert missing.returncode == 1 and "no beacon randomness" in missing.stdout


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"secret": "00" * 32}, "not the commitment"),
        ({"beacon": {"randomness": "00" * 32}}, "not sha256 of the round's signature"),
        ({"entrants_digest": "00" * 32}, "does not match its published digest"),
        ({"seed": "00" * 32}, "the seed is not"),
        ({"winners": []}, "published winners"),
    ],
)
def test_a_tampered_file_fails_with_its_reason(tmp_path: Path, change: dict[str, object], reason: str) -> None:
    document = json.loads(_record().to_json())
    for name, value in change.items():
        if isinstance(value, dict):
            document[name].update(value)
        else:
            document[name] = value
    (tmp_path / "tampered.json").write_text(json.dumps(document))
    done = _run(tmp_path / "tampered.json")
    assert done.returncode == 1 and reason in done.stdout, done.stdout


def test_a_file_that_is_not_a_record_is_refused(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text('{"hello": 1}')
    done = _run(tmp_path / "other.json")
    assert done.returncode == 1 and "is not a circlecart-raffle/1 record" in done.stdout
