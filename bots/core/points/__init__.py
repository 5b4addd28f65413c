"""Points in chat: /points, Buy with points, and the notices of points earned, expiring and returned."""
