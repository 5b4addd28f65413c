"""SQLModel tables of group buys, referrals and the points ledger."""

from __future__ import annotations
