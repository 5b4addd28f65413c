"""The raffle draw, by commit and reveal, so that anyone can check it.

When entries open, the drop publishes sha256(seed) and keeps the seed secret; with the results it reveals
the seed. The draw order is a pure function of the seed and the entrants: each entrant's ticket is
sha256("<seed>:<user id>") and entrants are ranked by ticket (ties, which would need a hash collision,
by user id). Anyone holding the seed and the entrant list can recompute it in a few lines of any
language, and because the hash was published first, the brand could not pick a seed after seeing who
entered.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SEED_BYTES = 32


def new_seed() -> str:
    return secrets.token_hex(SEED_BYTES)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def ticket(seed: str, user_id: int) -> str:
    return hashlib.sha256(f"{seed}:{user_id}".encode()).hexdigest()


def draw_order(seed: str, entrants: Iterable[int]) -> tuple[int, ...]:
    """Every entrant, in the order they are offered a unit."""
    unique = sorted(set(entrants))
    return tuple(sorted(unique, key=lambda user_id: (ticket(seed, user_id), user_id)))


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    reason: str  # "" when ok
    order: tuple[int, ...]


def verify(seed: str, seed_hash: str, entrants: Iterable[int], recorded_order: Sequence[int]) -> Verification:
    """Check the revealed seed against the published hash, and the recorded ranks against the draw."""
    order = draw_order(seed, entrants)
    if commitment(seed) != seed_hash:
        return Verification(False, "the seed does not match the published hash", order)
    if tuple(recorded_order) != order:
        return Verification(False, "the recorded order differs from the draw", order)
    return Verification(True, "", order)
