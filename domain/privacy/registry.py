"""Every holding of every feature, in the order they are forgotten. A new feature adds its tuple here.

The notices and the profile come last: a notice eraser may look up the member's name to blank it in
notices sent to others (a group buy's card), so the profile is deleted after everything else.
"""

from __future__ import annotations

from domain.brands.privacy import HOLDINGS as BRANDS
from domain.drops.privacy import HOLDINGS as DROPS
from domain.groupbuys.privacy import HOLDINGS as GROUP_BUYS
from domain.memberships.privacy import HOLDINGS as MEMBERSHIPS
from domain.points.privacy import HOLDINGS as POINTS
from domain.privacy.holdings import Holding, Topic, anonymised, erased
from domain.referrals.privacy import HOLDINGS as REFERRALS
from domain.shop.privacy import HOLDINGS as SHOP

CORE = (
    anonymised(Topic.NOTICES, lambda uow: uow.outbox, kept=False),  # their content goes; keys stay (sent once)
    erased(Topic.PROFILE, lambda uow: uow.members),
)

HOLDINGS: tuple[Holding, ...] = (*SHOP, *POINTS, *REFERRALS, *GROUP_BUYS, *DROPS, *BRANDS, *MEMBERSHIPS, *CORE)
