"""Alembic migrations (a package so that it ships with storage; run through storage.migrate)."""
