"""Referrals in chat: /invite, invitation links opened with /start, and the referrer's reward notice."""
