"""The raffle draw is a pure function of the committed seed and the entrants; a changed seed is caught."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from domain.drops import raffle

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
