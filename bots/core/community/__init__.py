"""The bot joining and leaving group chats (communities)."""
