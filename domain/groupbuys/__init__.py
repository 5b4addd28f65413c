"""Group buys: a better price when enough members pay before a deadline."""
