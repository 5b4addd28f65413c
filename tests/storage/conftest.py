"""The database fixtures come from tests/support/databases.py, loaded for the whole suite by tests/conftest.py."""
