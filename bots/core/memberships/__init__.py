"""Memberships in chat: plans, joining and renewing, members-only groups, and the owners' reports."""
