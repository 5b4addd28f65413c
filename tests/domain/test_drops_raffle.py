"""The raffle draw is a pure function of the committed seed and the entrants; a changed seed is caught."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.drops import raffle
from domain.drops.beacon import DRAW_MARGIN, QUICKNET, BeaconValue, consistent, draw_round

seeds = st.text(alphabet="0123456789abcdef", min_size=8, max_size=64)
entrants = st.lists(st.integers(min_value=1, max_value=10**12), max_size=60)


@given(seeds, entrants)
def test_the_draw_ranks_every_entrant_once(seed: str, users: list[int]) -> None:
    order = raffle.draw_order(seed, users)
    assert sorted(order) == sorted(set(users))


@given(seeds, entrants, st.randoms())
def test_the_draw_does_not_depend_on_the_order_entries_came_in(seed: str, users: list[int], rnd: object) -> None:
    shuffled = list(users)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert raffle.draw_order(seed, users) == raffle.draw_order(seed, shuffled + users[:3])


@given(seeds, entrants)
def test_the_published_seed_verifies(seed: str, users: list[int]) -> None:
    order = raffle.draw_order(seed, users)
    assert raffle.verify(seed, raffle.commitment(seed), users, order).ok


@given(seeds, seeds, entrants)
def test_a_changed_seed_fails_verification(seed: str, other: str, users: list[int]) -> None:
    order = raffle.draw_order(seed, users)
    checked = raffle.verify(other, raffle.commitment(seed), users, order)
    assert checked.ok is (other == seed)


@given(seeds, st.lists(st.integers(min_value=1, max_value=10**6), min_size=2, max_size=30, unique=True))
def test_a_tampered_result_fails_verification(seed: str, users: list[int]) -> None:
    order = list(raffle.draw_order(seed, users))
    order[0], order[1] = order[1], order[0]
    assert not raffle.verify(seed, raffle.commitment(seed), users, order).ok


def test_the_commitment_is_the_sha256_of_the_seed_and_tickets_are_recomputable_anywhere() -> None:
    seed = raffle.new_seed()
    assert len(seed) == 64 and raffle.commitment(seed) == hashlib.sha256(seed.encode()).hexdigest()
    expected = sorted([7, 3, 5], key=lambda u: hashlib.sha256(f"{seed}:{u}".encode()).hexdigest())
    assert list(raffle.draw_order(seed, [3, 5, 7])) == expected


def test_two_seeds_give_different_draws_for_a_large_field() -> None:
    users = list(range(1, 101))
    assert raffle.draw_order("a" * 64, users) != raffle.draw_order("b" * 64, users)


# -- raffles members can verify: pseudonyms, a beacon round, a published record ----------------------------
KEY = "0f" * 32
SECRET = "5e" * 32
RANDOMNESS_OF_ROUND = hashlib.sha256(bytes.fromhex("a1" * 48)).hexdigest()  # drand: sha256 of the signature
names = st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=40, unique=True)


def test_a_pseudonym_is_stable_per_raffle_and_says_nothing_of_the_telegram_id() -> None:
    mine = raffle.pseudonym(KEY, 1001)
    assert mine == raffle.pseudonym(KEY, 1001) and mine.startswith("e_") and len(mine) == 14
    assert mine != raffle.pseudonym("1e" * 32, 1001), "another raffle's key gives another pseudonym"
    assert mine != raffle.pseudonym(KEY, 1001, attempt=1)
    expected = "e_" + hmac.new(bytes.fromhex(KEY), b"1001", hashlib.sha256).hexdigest()[:12]
    assert mine == expected  # recomputable only with the drop's key, which is never published
    assert "1001" not in mine and hashlib.sha256(b"1001").hexdigest()[:12] not in mine


@given(names, st.randoms())
def test_the_entrant_digest_does_not_depend_on_the_order_of_entries(users: list[int], rnd: object) -> None:
    listed = [raffle.pseudonym(KEY, u) for u in users]
    shuffled = list(listed)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert raffle.entrants_digest(listed) == raffle.entrants_digest(shuffled)
    assert raffle.entrants_digest(listed) == hashlib.sha256("\n".join(sorted(listed)).encode()).hexdigest()


def test_the_seed_mixes_secret_beacon_and_entrants_and_the_fallback_is_its_own() -> None:
    digest = raffle.entrants_digest(["e_000000000001", "e_000000000002"])
    seed = raffle.draw_seed(SECRET, digest, RANDOMNESS_OF_ROUND)
    assert seed == hashlib.sha256(f"{SECRET}:{RANDOMNESS_OF_ROUND}:{digest}".encode()).hexdigest()
    assert seed != raffle.draw_seed(SECRET, digest, "00" * 32)
    assert seed != raffle.draw_seed(SECRET, raffle.entrants_digest(["e_000000000001"]), RANDOMNESS_OF_ROUND)
    fallback = raffle.draw_seed(SECRET, digest, None)
    assert fallback == hashlib.sha256(f"{SECRET}:{digest}:no-beacon".encode()).hexdigest() != seed


def test_quicknet_rounds_follow_its_genesis_and_period() -> None:
    moment = datetime(2026, 4, 20, tzinfo=UTC)
    assert QUICKNET.round_at(moment) == 27946612 and QUICKNET.time_of(27946612) == moment
    assert QUICKNET.round_at(moment + timedelta(seconds=2)) == 27946612
    assert QUICKNET.first_round_after(moment) == 27946613


@given(st.integers(min_value=0, max_value=10**8))
def test_a_raffle_draws_with_the_first_round_after_entries_close_and_the_margin(offset: int) -> None:
    closes = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=offset, microseconds=offset % 997)
    chosen = draw_round(QUICKNET, closes)
    assert chosen.at == QUICKNET.time_of(chosen.round)
    assert closes + DRAW_MARGIN < chosen.at <= closes + DRAW_MARGIN + timedelta(seconds=QUICKNET.period)


def test_a_beacon_answer_must_be_the_round_asked_with_randomness_hashing_its_signature() -> None:
    good = BeaconValue(7, RANDOMNESS_OF_ROUND, "a1" * 48)
    assert consistent(good, 7)
    assert not consistent(good, 8)
    assert not consistent(BeaconValue(7, "00" * 32, "a1" * 48), 7)
    assert not consistent(BeaconValue(7, RANDOMNESS_OF_ROUND, "not hex"), 7)


def _record(users: list[int], units: int = 2, randomness: str | None = RANDOMNESS_OF_ROUND) -> raffle.RaffleRecord:
    listed = sorted(raffle.pseudonym(KEY, u) for u in users)
    digest = raffle.entrants_digest(listed)
    seed = raffle.draw_seed(SECRET, digest, randomness)
    return raffle.RaffleRecord(
        drop_id=7,
        title="Celadon tea set",
        units=units,
        commitment=raffle.commitment(SECRET),
        secret=SECRET,
        chain_hash=QUICKNET.chain_hash,
        round=27946613,
        round_time="2026-04-20T00:00:03Z",
        randomness=randomness,
        signature="a1" * 48 if randomness else None,
        entrants=tuple(listed),
        entrants_digest=digest,
        seed=seed,
        draw_order=raffle.draw_order(seed, listed),
    )


@given(names, st.booleans())
def test_a_published_record_verifies_from_its_own_text(users: list[int], with_beacon: bool) -> None:
    record = _record(users, randomness=RANDOMNESS_OF_ROUND if with_beacon else None)
    again = raffle.RaffleRecord.from_json(record.to_json())
    assert again == record and raffle.verify_record(again).ok
    assert again.winners == record.draw_order[:2] and again.fallback is not with_beacon


def test_the_published_record_names_no_telegram_id() -> None:
    text = _record([777000111, 777000222]).to_json()
    assert "777000111" not in text and "777000222" not in text


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"secret": "00" * 32}, "commitment"),
        ({"randomness": "00" * 32}, "signature"),
        ({"entrants": ("e_000000000000",)}, "digest"),
        ({"seed": "00" * 32}, "seed"),
        ({"draw_order": ()}, "order"),
    ],
)
def test_a_tampered_record_fails_with_a_reason(change: dict[str, object], reason: str) -> None:
    record = replace(_record([1, 2, 3, 4]), **change)  # type: ignore[arg-type]
    checked = raffle.verify_record(record)
    assert not checked.ok and reason in checked.reason


def test_a_record_that_is_not_one_says_so() -> None:
    with pytest.raises(ValueError, match="not a circlecart-raffle/1 record"):
        raffle.RaffleRecord.from_json('{"format": "something else"}')
    with pytest.raises(ValueError, match="malformed"):
        raffle.RaffleRecord.from_json('{"format": "circlecart-raffle/1"}')
