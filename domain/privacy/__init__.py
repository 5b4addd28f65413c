"""A member's data is theirs (DESIGN invariant 9): see it, export it, have it forgotten.

Each feature package declares what it holds about a member and how it forgets them (`privacy.py` beside its
ports); `registry.py` lists them all, and `members.py` holds the use cases the bot and the CLI call.
"""
