"""Revisions, one module each (Alembic loads them by file, not by import)."""
