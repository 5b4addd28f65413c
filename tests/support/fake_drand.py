"""A drand HTTP relay on 127.0.0.1 for tests: `GET /{chain_hash}/public/{round}` as api.drand.sh answers it.

A round is published once the test clock reaches its time (genesis + (round - 1) * period); before that the
relay answers 425 Too Early, as drand's relays do. Its signature is made up (no BLS here) but its randomness
is the sha256 of that signature, as drand defines it. A test can take the relay down (503, or refused
connections once stopped) and bring it back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from domain.drops.beacon import QUICKNET, BeaconChain


def signature_of(chain: BeaconChain, round_number: int) -> str:
    """48 bytes, the size of a quicknet signature."""
    seed = f"{chain.chain_hash}:{round_number}".encode()
    return (hashlib.sha256(seed).digest() + hashlib.sha256(seed + b"+").digest()[:16]).hex()


def beacon_json(chain: BeaconChain, round_number: int) -> dict[str, object]:
    signature = signature_of(chain, round_number)
    randomness = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    return {"round": round_number, "randomness": randomness, "signature": signature}


class FakeDrand:
    def __init__(self, now: Callable[[], datetime], chain: BeaconChain = QUICKNET) -> None:
        self.now = now
        self.chain = chain
        self.up = True
        self.lies = False  # answer with randomness that is not the sha256 of the signature
        self.asked: list[int] = []  # rounds requested, in order
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/{chain}/public/{round}", self._public)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def value(self, round_number: int) -> dict[str, object]:
        return beacon_json(self.chain, round_number)

    async def _public(self, request: web.Request) -> web.Response:
        round_text = request.match_info["round"]
        if round_text.isdigit():
            self.asked.append(int(round_text))
        if not self.up:
            return web.json_response({"error": "service unavailable"}, status=503)
        if request.match_info["chain"] != self.chain.chain_hash or not round_text.isdigit():
            return web.json_response({"error": "not found"}, status=404)
        round_number = int(round_text)
        if self.now() < self.chain.time_of(round_number):
            return web.json_response({"error": "requested future beacon"}, status=425)
        body = self.value(round_number)
        if self.lies:
            body["randomness"] = "00" * 32
        return web.json_response(body)
