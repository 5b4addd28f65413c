"""The community's share in the chat: commission offers, /earnings and /settlement."""
