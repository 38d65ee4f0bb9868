"""The error handler: log the error, tell the person something went wrong, never a traceback.

No apology when the update already got its reply message (it would read as a second answer),
nor after a timeout on a call that was sent (the reply may well have arrived), nor when the
person has blocked the bot. A button press gets the apology as an alert if it was not answered
yet, else as a message.
"""
from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError, TimedOut
from telegram.ext import ContextTypes

from .context import SERVICES_KEY, was_replied

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong while answering that. Please try again in a moment."


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log ``context.error``; apologise to the person when that is safe (see module docstring)."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        log.warning("update %s: Telegram refused the reply: %s", update_id, error)
        return
    log.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update) or isinstance(error, TimedOut):
        return
    if SERVICES_KEY in context.bot_data and was_replied(context.bot_data, update.update_id):
        return
    if update.callback_query:
        try:
            await update.callback_query.answer(SORRY, show_alert=True)
            return
        except TelegramError:
            pass  # the button press was already answered: say it in the chat instead
    if update.effective_chat and update.inline_query is None:
        try:
            await context.bot.send_message(update.effective_chat.id, SORRY)
        except TelegramError as exc:
            log.warning("could not tell update %s's sender about the error: %s", update_id, exc)
