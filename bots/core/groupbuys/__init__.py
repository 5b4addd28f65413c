"""Group buys in chat: offers, starting and joining, the progress card, and the operators' group prices."""
