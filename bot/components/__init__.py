"""The bot's parts, one module per concern; ``bot.main`` wires them into an Application.

Pure modules (no Telegram): ``commands`` (the command table and help), ``render`` (an Answer
as HTML or plain text, split under Telegram's limit), ``loadedindex`` (the index behind the
bot), ``throttle``, ``feedback`` (SQLite log of questions and 👍/👎). The local chat
(``cspbot chat``) uses these too, so it gives the same replies as the bot.
"""
