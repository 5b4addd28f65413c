"""The assistant without a model: plain words answered with the catalog's own search and the member's own views.

Also what a member gets when the model is over its limits, down or slow, so it must be quick and never fail.
"""

from __future__ import annotations

import re
from decimal import Decimal

from domain.money import exponent
from domain.ports import UnitOfWork
from domain.shop import catalog
from domain.shop.products import Product

RESULTS = 3
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[\u3400-\u9fff]+", re.IGNORECASE)
# Words that say nothing about a product; whatever else the member wrote is looked for.
STOP_WORDS = frozenset(
    """a an the and or for to of in on with my me i you your our we is are be it this that some any something
    who what which likes like love loves want wants looking look find show need needs buy get gift present
    under below less than max up stars star eur euro euros usd dollars price cheap please can could would
    have has do does for him her his them dad mum mom father mother friend friends kid kids son daughter
    wife husband birthday nice good best new about around""".split()
)
# "under 300 stars", "below 20", "300星以内", "不超过300": the most the member wants to pay, in major units.
_CEILING = (
    re.compile(r"(?:under|below|less than|up to|at most|max(?:imum)?|cheaper than|<)\s*[€$]?\s*(\d+(?:\.\d+)?)", re.I),
    re.compile(r"(?:不超过|低于|少于|不到|最多)\s*(\d+(?:\.\d+)?)"),
    re.compile(r"(\d+(?:\.\d+)?)\s*(?:颗星|星星|星|stars?|元|欧元|欧|美元|块)?\s*(?:以内|以下|之内)"),
)


def price_ceiling(text: str) -> Decimal | None:
    for pattern in _CEILING:
        match = pattern.search(text)
        if match:
            return Decimal(match.group(1))
    return None


def within(product: Product, ceiling: Decimal | None) -> bool:
    if ceiling is None:
        return True
    return Decimal(product.price.amount).scaleb(-exponent(product.price.currency)) <= ceiling


def stem(word: str) -> str:
    """A crude English stem for the search's prefix match: "cranes" finds "crane", "accessory" "accessories"."""
    for ending in ("ies", "es", "s", "y"):
        if len(word) > len(ending) + 2 and word.endswith(ending) and not word.endswith("ss"):
            return word[: -len(ending)]
    return word


def keywords(text: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    return [w for w in words if w not in STOP_WORDS and not w.isdigit()]


async def find_in_plain_words(uow: UnitOfWork, text: str, limit: int = RESULTS) -> tuple[Product, ...]:
    """Products for a request in plain words: the whole text as /find would search it; else each keyword on
    its own, ranked by how many keywords a product matches. A price ceiling in the words is kept."""
    ceiling = price_ceiling(text)
    whole = [p for p in await catalog.search(uow, text) if within(p, ceiling)]
    if whole:
        return tuple(whole[:limit])
    score: dict[int, int] = {}
    found: dict[int, Product] = {}
    order: list[int] = []
    for word in dict.fromkeys(keywords(text)):
        hits = await catalog.search(uow, word)
        if not hits and stem(word) != word:
            hits = await catalog.search(uow, stem(word))
        for rank, product in enumerate(hits):
            if not within(product, ceiling):
                continue
            if product.id not in found:
                found[product.id] = product
                order.append(product.id)
            score[product.id] = score.get(product.id, 0) + 100 - rank
    ranked = sorted(order, key=lambda pid: (-score[pid], order.index(pid)))
    return tuple(found[pid] for pid in ranked[:limit])
