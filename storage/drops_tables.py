"""SQLModel tables of brands staff, community opt-ins, limited drops and raffles."""

from __future__ import annotations
