"""SQLModel tables of membership plans, memberships and members-only groups."""

from __future__ import annotations
