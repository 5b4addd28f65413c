"""Referrals: personal invite links and the reward for a referee's first paid order."""
