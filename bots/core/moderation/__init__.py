"""Moderators: community settings, giveaways and meetups."""
