"""Payments: one pipeline for every kind (shop order, drop, membership, group buy).

A payment is stored as received (`pipeline.receive`), then settled idempotently by its kind
(`pipeline.settle`, `kinds`), retried until settled; an operator's refund of a paid order starts in
`operator_refunds`; refunds owed are done or handed to people (`refunds`); Telegram's own record is
compared with ours (`reconciler`). The outcome every kind reports is in `outcome`.
"""
