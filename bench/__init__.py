"""Benchmarks: reports, not tests (nothing here asserts a timing)."""
