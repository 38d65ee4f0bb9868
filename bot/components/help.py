"""/start and /help: what to ask, with examples (admins also see their commands)."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from .commands import help_text
from .context import services
from .render import HTML
from .replies import send_reply


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the help text."""
    user = update.effective_user
    is_admin = services(context).access.is_admin(user.id if user else None)
    await send_reply(update, context, help_text(HTML, context.bot.username, is_admin=is_admin))
