"""A public randomness beacon (drand) as a port: which round a raffle uses, and what a round must look like.

drand publishes a value every `period` seconds from `genesis`; round r appears at genesis + (r - 1) * period,
so the round published at time t is floor((t - genesis) / period) + 1. Nobody, the League of Entropy's
members included, can know a round's randomness before that moment, and anyone can fetch it afterwards
from any drand mirror. A raffle fixes its round when it is scheduled (the first round after entries close,
plus a margin for clocks) and publishes it with the commitment when entries open.

A round's randomness is the sha256 of its signature. Checking that the signature is the network's
threshold BLS signature needs the chain's public key and a pairing library; this module does not: members
can compare the round on any drand mirror, and the relation randomness = sha256(signature) is checked here
and by scripts/verify_raffle.py.
"""

from __future__ import annotations

import hashlib
import math
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

# The first round a raffle may use comes at least this long after entries close (clock differences,
# an entry still committing), and the stated fallback applies when the round cannot be fetched this long
# after it was due.
DRAW_MARGIN = timedelta(seconds=30)
FALLBACK_AFTER = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class BeaconChain:
    chain_hash: str  # hex; names the chain on every drand relay
    genesis: int  # Unix seconds of round 1
    period: int  # seconds between rounds

    def round_at(self, moment: datetime) -> int:
        """The latest round published at `moment` (1 before the genesis)."""
        elapsed = moment.timestamp() - self.genesis
        return max(1, math.floor(elapsed / self.period) + 1)

    def time_of(self, round_number: int) -> datetime:
        return datetime.fromtimestamp(self.genesis + (round_number - 1) * self.period, tz=UTC)

    def first_round_after(self, moment: datetime) -> int:
        round_number = self.round_at(moment)
        while self.time_of(round_number) <= moment:
            round_number += 1
        return round_number


# drand's quicknet (League of Entropy mainnet, unchained BLS on G1, a round every 3 seconds).
QUICKNET = BeaconChain("52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971", 1692803367, 3)


@dataclass(frozen=True, slots=True)
class BeaconRound:
    """The round a raffle committed to, and when it is published."""

    chain_hash: str
    round: int
    at: datetime


def draw_round(chain: BeaconChain, entries_close: datetime) -> BeaconRound:
    """The round a raffle closing at `entries_close` draws with: the first one after the close and the margin."""
    round_number = chain.first_round_after(entries_close + DRAW_MARGIN)
    return BeaconRound(chain.chain_hash, round_number, chain.time_of(round_number))


@dataclass(frozen=True, slots=True)
class BeaconValue:
    round: int
    randomness: str  # 64 hex digits
    signature: str  # hex


class BeaconUnavailable(Exception):
    """The round could not be fetched (not published yet, the relay is down, or its answer was malformed)."""


class Beacon(Protocol):
    async def fetch(self, chain_hash: str, round_number: int) -> BeaconValue:
        """The round's published value; raises BeaconUnavailable."""


def _is_hex(text: str, length: int | None = None) -> bool:
    return (
        bool(text)
        and len(text) % 2 == 0
        and all(c in string.hexdigits for c in text)
        and (length is None or len(text) == length)
    )


def consistent(value: BeaconValue, round_number: int) -> bool:
    """The answer is for this round and its randomness is the sha256 of its signature, as drand defines it."""
    if value.round != round_number or not _is_hex(value.randomness, 64) or not _is_hex(value.signature):
        return False
    return hashlib.sha256(bytes.fromhex(value.signature)).hexdigest() == value.randomness.lower()
