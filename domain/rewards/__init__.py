"""Rewards: the rules that tie points, referrals and group buys to the order loop."""
