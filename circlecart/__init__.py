"""circlecart: the bot's process, its command line and the sandbox."""

import sys

# httpx imports its own command-line client (click, rich and pygments) whenever those are installed, as the
# test and lint tools install them (a tree set up by `./dev test` runs the bot with them); the bot never runs
# that client, which would hold about 4 MB for the process's life.
# A None entry makes that one import fail, which httpx expects (it then defines a `main` that says so).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
