"""The raffle draw, verifiable by members from what the bot publishes.

The scheme ("circlecart-raffle/1"):

- When the raffle is scheduled it picks a random secret and a drand round: the first round after entries
  close (domain/drops/beacon.py). When entries open, every group sees commitment = sha256(secret) and the
  round. The brand and the operator know the secret, but nobody can know the round's randomness before it
  is published, after entries close.
- Each entrant is listed under a pseudonym, "e_" + the first 12 hex digits of
  HMAC-SHA256(key, "<telegram user id>"). The key is the drop's own and is never published, so nobody can
  map a pseudonym to a Telegram id or link one member's pseudonyms across raffles; the bot tells each
  entrant theirs in private. (Should two entrants ever share one, the later gets HMAC of
  "<user id>:1", and so on.)
- When entries close the list is frozen: digest = sha256 of the sorted pseudonyms joined by "\\n", published
  in the group before the round comes.
- seed = sha256("<secret>:<randomness>:<digest>"), all lowercase hex. If the round cannot be fetched within
  beacon.FALLBACK_AFTER of its time, the stated fallback is seed = sha256("<secret>:<digest>:no-beacon"),
  and the results say so.
- Each entrant's ticket is sha256("<seed>:<pseudonym>"); entrants are ranked by ticket (ties, which need a
  hash collision, by pseudonym). The first `units` are offered a unit; unclaimed units pass on in order.

The results publish the secret, the round and its randomness and signature, the seed, the entrant list and
the draw order (RaffleRecord), so that scripts/verify_raffle.py, which repeats these few lines on purpose,
recomputes everything with nothing but the published file.

Raffles scheduled before this scheme (no pseudonym key) kept theirs: the committed secret is the seed and
user ids are ranked by sha256("<seed>:<user id>") (`draw_order` over ints, `verify`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

SEED_BYTES = 32
PSEUDONYM_PREFIX = "e_"
PSEUDONYM_DIGITS = 12
NO_BEACON = "no-beacon"
RECORD_FORMAT = "circlecart-raffle/1"

Entrant = TypeVar("Entrant", int, str)


def new_seed() -> str:
    """A raffle's secret (called the seed before beacons: the column keeps that name)."""
    return secrets.token_hex(SEED_BYTES)


def new_pseudonym_key() -> str:
    return secrets.token_hex(SEED_BYTES)


def commitment(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def pseudonym(key: str, user_id: int, attempt: int = 0) -> str:
    message = str(user_id) if attempt == 0 else f"{user_id}:{attempt}"
    mac = hmac.new(bytes.fromhex(key), message.encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + mac[:PSEUDONYM_DIGITS]


def entrants_digest(pseudonyms: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(set(pseudonyms))).encode()).hexdigest()


def draw_seed(secret: str, digest: str, randomness: str | None) -> str:
    """The seed of the draw; `randomness` None is the stated fallback for a beacon that never answered."""
    if randomness is None:
        return hashlib.sha256(f"{secret}:{digest}:{NO_BEACON}".encode()).hexdigest()
    return hashlib.sha256(f"{secret}:{randomness.lower()}:{digest}".encode()).hexdigest()


def ticket(seed: str, entrant: int | str) -> str:
    return hashlib.sha256(f"{seed}:{entrant}".encode()).hexdigest()


def draw_order(seed: str, entrants: Iterable[Entrant]) -> tuple[Entrant, ...]:
    """Every entrant (pseudonyms, or user ids for raffles before pseudonyms), in the order they are offered a unit."""
    unique = sorted(set(entrants))
    return tuple(sorted(unique, key=lambda entrant: (ticket(seed, entrant), entrant)))


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    reason: str  # "" when ok
    order: tuple[Any, ...]


def verify(seed: str, seed_hash: str, entrants: Iterable[int], recorded_order: Sequence[int]) -> Verification:
    """A raffle from before pseudonyms: the revealed seed against the published hash, the recorded ranks."""
    order = draw_order(seed, entrants)
    if commitment(seed) != seed_hash:
        return Verification(False, "the seed does not match the published hash", order)
    if tuple(recorded_order) != order:
        return Verification(False, "the recorded order differs from the draw", order)
    return Verification(True, "", order)


@dataclass(frozen=True, slots=True)
class RaffleRecord:
    """What the results publish: everything needed to recompute the draw, and no Telegram id."""

    drop_id: int
    title: str
    units: int
    commitment: str
    secret: str
    chain_hash: str
    round: int
    round_time: str  # ISO 8601, UTC
    randomness: str | None  # None: the beacon never answered and the stated fallback drew
    signature: str | None
    entrants: tuple[str, ...]  # sorted
    entrants_digest: str
    seed: str
    draw_order: tuple[str, ...]

    @property
    def fallback(self) -> bool:
        return self.randomness is None

    @property
    def winners(self) -> tuple[str, ...]:
        return self.draw_order[: self.units]

    def to_json(self) -> str:
        document = {
            "format": RECORD_FORMAT,
            "drop": {"id": self.drop_id, "title": self.title, "units": self.units},
            "commitment": self.commitment,
            "secret": self.secret,
            "beacon": {
                "network": "drand",
                "chain_hash": self.chain_hash,
                "round": self.round,
                "round_time": self.round_time,
                "randomness": self.randomness,
                "signature": self.signature,
                "fallback": self.fallback,
            },
            "entrants_digest": self.entrants_digest,
            "seed": self.seed,
            "winners": list(self.winners),
            "draw_order": list(self.draw_order),
            "entrants": list(self.entrants),
            "rules": {
                "commitment": "sha256(secret)",
                "entrants_digest": "sha256 of the sorted entrants joined by newlines",
                "seed": "sha256('<secret>:<randomness>:<entrants_digest>')",
                "fallback_seed": f"sha256('<secret>:<entrants_digest>:{NO_BEACON}') when the round never came",
                "ticket": "sha256('<seed>:<entrant>')",
                "draw_order": "entrants by ticket, smallest first; the first `units` win",
            },
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> RaffleRecord:
        """Read a published record; ValueError says what is missing or malformed."""
        try:
            document = json.loads(text)
            if document.get("format") != RECORD_FORMAT:
                raise ValueError(f"not a {RECORD_FORMAT} record")
            drop, beacon = document["drop"], document["beacon"]
            return cls(
                drop_id=int(drop["id"]),
                title=str(drop["title"]),
                units=int(drop["units"]),
                commitment=str(document["commitment"]),
                secret=str(document["secret"]),
                chain_hash=str(beacon["chain_hash"]),
                round=int(beacon["round"]),
                round_time=str(beacon["round_time"]),
                randomness=None if beacon["randomness"] is None else str(beacon["randomness"]),
                signature=None if beacon.get("signature") is None else str(beacon["signature"]),
                entrants=tuple(str(e) for e in document["entrants"]),
                entrants_digest=str(document["entrants_digest"]),
                seed=str(document["seed"]),
                draw_order=tuple(str(e) for e in document["draw_order"]),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"malformed raffle record: {error!r}") from None


def verify_record(record: RaffleRecord) -> Verification:
    """Recompute a published draw from the record alone (scripts/verify_raffle.py does the same, stand-alone)."""
    if commitment(record.secret) != record.commitment:
        return Verification(False, "sha256(secret) is not the commitment published when entries opened", ())
    if record.randomness is not None and record.signature is not None:
        signed = hashlib.sha256(bytes.fromhex(record.signature)).hexdigest()
        if signed != record.randomness.lower():
            return Verification(False, "the beacon randomness is not sha256 of the round's signature", ())
    if len(set(record.entrants)) != len(record.entrants):
        return Verification(False, "an entrant is listed twice", ())
    digest = entrants_digest(record.entrants)
    if digest != record.entrants_digest:
        return Verification(False, "the entrant list does not match its published digest", ())
    seed = draw_seed(record.secret, digest, record.randomness)
    order = draw_order(seed, record.entrants)
    if seed != record.seed:
        return Verification(False, "the seed is not sha256 of the secret, the beacon and the entrant list", order)
    if order != record.draw_order:
        return Verification(False, "the published draw order differs from the recomputed one", order)
    return Verification(True, "", order)
