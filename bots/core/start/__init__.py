"""The front door: /start and its deep links, /help, /language, and the answer to an unknown command."""
