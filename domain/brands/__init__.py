"""Brands and who may act for them: the operator, brand staff, and group moderators."""
