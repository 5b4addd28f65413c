#!/usr/bin/env python3
"""Check a circlecart raffle from what the bot published, and nothing else.

    python3 verify_raffle.py raffle-7.json             # the file posted with the results (or /raffle 7)
    python3 verify_raffle.py raffle-7.json --me e_3f0a9c21d4b7
    python3 verify_raffle.py --commitment H --secret S --randomness R --entrants list.txt --units 2

It needs Python 3.8+ and its standard library only: no circlecart code, no database, no network. It
recomputes, and exits 0 if everything matches or 1 with the reason:

1. sha256(secret) is the commitment the groups saw when entries opened;
2. the drand randomness is sha256 of the round's signature (how drand defines it). This script does not
   check the threshold BLS signature itself: open https://api.drand.sh/<chain_hash>/public/<round> (or the
   same path on any drand relay, e.g. drand.cloudflare.com) and compare the randomness;
3. the entrant list matches the digest posted when entries closed: sha256 of the sorted pseudonyms, joined
   by newlines;
4. seed = sha256("<secret>:<randomness>:<digest>"), or, when the results say the beacon never came,
   the stated fallback sha256("<secret>:<digest>:no-beacon");
5. every entrant's ticket is sha256("<seed>:<pseudonym>"); the draw order is the entrants by ticket
   (smallest first; ties by pseudonym) and the winners are its first `units`.

The same algorithm lives in circlecart's domain/drops/raffle.py. These few lines are duplicated on purpose,
so that this file stands alone: read it, copy it, run it anywhere.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

FORMAT = "circlecart-raffle/1"
NO_BEACON = "no-beacon"


class Mismatch(Exception):
    pass


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def entrants_digest(entrants: list[str]) -> str:
    return sha256_hex("\n".join(sorted(set(entrants))))


def draw_seed(secret: str, digest: str, randomness: str | None) -> str:
    if randomness is None:
        return sha256_hex(f"{secret}:{digest}:{NO_BEACON}")
    return sha256_hex(f"{secret}:{randomness.lower()}:{digest}")


def draw_order(seed: str, entrants: list[str]) -> list[str]:
    return sorted(set(entrants), key=lambda entrant: (sha256_hex(f"{seed}:{entrant}"), entrant))


def load(args: argparse.Namespace) -> dict:
    """The published record, with any value given on the command line instead."""
    record: dict = {"beacon": {}}
    if args.record:
        try:
            with open(args.record, encoding="utf-8") as handle:
                record = json.load(handle)
        except (OSError, ValueError) as error:
            raise Mismatch(f"cannot read {args.record}: {error}") from None
        if record.get("format") != FORMAT:
            raise Mismatch(f"{args.record} is not a {FORMAT} record")
    beacon = record.setdefault("beacon", {})
    for name in ("commitment", "secret", "seed"):
        if getattr(args, name) is not None:
            record[name] = getattr(args, name)
    if args.randomness is not None:
        beacon.update(randomness=args.randomness, fallback=False, signature=args.signature)
    if args.no_beacon:
        beacon.update(randomness=None, signature=None, fallback=True)
    if args.entrants is not None:
        with open(args.entrants, encoding="utf-8") as handle:
            record["entrants"] = [line.strip() for line in handle if line.strip()]
    if args.digest is not None:
        record["entrants_digest"] = args.digest
    if args.units is not None:
        record.setdefault("drop", {})["units"] = args.units
    for needed in ("commitment", "secret", "entrants"):
        if needed not in record:
            raise Mismatch(f"no {needed}: give the published file or --{needed}")
    if "randomness" not in beacon:
        raise Mismatch("no beacon randomness: give --randomness R, or --no-beacon if the results say it never came")
    return record


def verify(record: dict, me: str | None) -> list[str]:
    """The checks that passed, as lines to print; raises Mismatch at the first that fails."""
    done = []
    secret, beacon = record["secret"], record["beacon"]
    if sha256_hex(secret) != record["commitment"]:
        raise Mismatch("sha256(secret) is not the commitment published when entries opened")
    done.append(f"sha256(secret) = commitment {record['commitment']}")

    randomness = beacon.get("randomness")
    if beacon.get("fallback") and randomness is not None:
        raise Mismatch("the record says the fallback drew, yet it names a beacon randomness")
    if randomness is None:
        done.append(f"no beacon: the stated fallback drew (round {beacon.get('round', '?')} never came)")
    elif beacon.get("signature"):
        try:
            signed = hashlib.sha256(bytes.fromhex(beacon["signature"])).hexdigest()
        except ValueError:
            raise Mismatch("the beacon signature is not hex") from None
        if signed != randomness.lower():
            raise Mismatch("the beacon randomness is not sha256 of the round's signature")
        done.append(
            f"drand round {beacon.get('round', '?')}: randomness {randomness} = sha256(signature); compare it at "
            f"https://api.drand.sh/{beacon.get('chain_hash', '<chain_hash>')}/public/{beacon.get('round', '<round>')}"
        )
    else:
        done.append(f"drand randomness {randomness} (no signature given: compare it on a drand relay)")

    entrants = list(record["entrants"])
    if len(set(entrants)) != len(entrants):
        raise Mismatch("an entrant is listed twice")
    digest = entrants_digest(entrants)
    if "entrants_digest" in record and record["entrants_digest"] != digest:
        raise Mismatch("the entrant list does not match its published digest")
    done.append(f"{len(entrants)} entrants, digest {digest}")

    seed = draw_seed(secret, digest, randomness)
    if "seed" in record and record["seed"] != seed:
        raise Mismatch("the seed is not sha256 of the secret, the beacon and the entrant list")
    done.append(f"seed {seed}")

    order = draw_order(seed, entrants)
    if "draw_order" in record and list(record["draw_order"]) != order:
        raise Mismatch("the published draw order differs from the recomputed one")
    units = record.get("drop", {}).get("units")
    if units is not None:
        winners = order[: int(units)]
        if "winners" in record and list(record["winners"]) != winners:
            raise Mismatch("the published winners are not the first entrants of the draw order")
        done.append(f"winners ({len(winners)} of {units} units): {' '.join(winners) or '(none)'}")
    else:
        done.append(f"draw order: {' '.join(order) or '(none)'}")
    if me is not None:
        if me in order:
            done.append(f"{me} is number {order.index(me) + 1} of {len(order)} in the draw order")
        else:
            raise Mismatch(f"{me} is not in the entrant list")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recompute a circlecart raffle from its published results.")
    parser.add_argument("record", nargs="?", help="the JSON file the bot posted with the results")
    parser.add_argument("--commitment", help="sha256 of the secret, published when entries opened")
    parser.add_argument("--secret", help="the secret revealed with the results")
    parser.add_argument("--randomness", help="the drand round's randomness (hex)")
    parser.add_argument("--signature", help="the drand round's signature (hex), to check randomness = sha256(it)")
    parser.add_argument("--no-beacon", action="store_true", help="the results say the stated fallback drew")
    parser.add_argument("--entrants", help="a text file of the pseudonyms, one a line")
    parser.add_argument("--digest", help="the entrant-list digest posted when entries closed")
    parser.add_argument("--seed", help="the seed the results published")
    parser.add_argument("--units", type=int, help="how many units the raffle offered")
    parser.add_argument("--me", help="your own pseudonym: print your place")
    args = parser.parse_args(argv)
    try:
        record = load(args)
        for line in verify(record, args.me):
            print(f"ok: {line}")
    except Mismatch as error:
        print(f"FAILED: {error}")
        return 1
    except (KeyError, TypeError, ValueError) as error:
        print(f"FAILED: the record is malformed ({error!r})")
        return 1
    print("the draw matches the published data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
