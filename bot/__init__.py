"""The Telegram bot over the search engine; ``bot.main`` builds and runs it."""
