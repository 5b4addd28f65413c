"""Co-creation votes and pre-orders in the bot."""
