"""Points: an append-only ledger of earnings, spending, refunds and expiry."""
