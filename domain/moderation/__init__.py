"""What a group's moderators run: the community's settings, giveaways and meetups."""
