"""The community's share: where an order came from, the commission a brand offers a community, and the
monthly settlement that splits each sale between brand, community and platform (one level only)."""
