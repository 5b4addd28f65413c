"""Co-creation votes that become pre-orders (C2M): a brand asks communities which design to make next."""
