"""Paid memberships: plans and their versions, the membership state machine, perks and members-only groups."""
