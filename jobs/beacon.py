"""The randomness beacon port over drand's HTTP API (httpx): GET {base}/{chain_hash}/public/{round}.

Any drand relay answers the same for a round (api.drand.sh, drand.cloudflare.com, a relay of your own);
CIRCLECART_BEACON_URL chooses one. A round that is not published yet, a relay that is down or slow, and an
answer that is not the round asked for or whose randomness is not the sha256 of its signature are all
BeaconUnavailable: the drops reconciler asks again on its next pass, until the stated fallback applies.
"""

from __future__ import annotations

import logging

import httpx

from domain.drops.beacon import BeaconUnavailable, BeaconValue, consistent

log = logging.getLogger(__name__)

DEFAULT_URL = "https://api.drand.sh"
TIMEOUT_SECONDS = 5.0


class DrandHttpBeacon:
    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        timeout: float = TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.transport = transport

    def url(self, chain_hash: str, round_number: int) -> str:
        return f"{self.base_url}/{chain_hash}/public/{round_number}"

    async def fetch(self, chain_hash: str, round_number: int) -> BeaconValue:
        url = self.url(chain_hash, round_number)
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            raise BeaconUnavailable(f"{url}: {error.__class__.__name__}: {error}") from None
        if response.status_code != 200:
            raise BeaconUnavailable(f"{url}: HTTP {response.status_code}")
        try:
            body = response.json()
            value = BeaconValue(int(body["round"]), str(body["randomness"]), str(body["signature"]))
        except (ValueError, KeyError, TypeError) as error:
            raise BeaconUnavailable(f"{url}: malformed answer ({error!r})") from None
        if not consistent(value, round_number):
            raise BeaconUnavailable(f"{url}: the answer is not round {round_number} or does not hash its signature")
        return value
