"""Sending and editing replies: split under Telegram's 4096-character limit, buttons under the
last piece, the asker's message quoted in groups (so a busy group sees what is answered)."""
from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from .context import note_replied
from .render import split_message

log = logging.getLogger(__name__)


async def send_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                     keyboard: InlineKeyboardMarkup | None = None,
                     reply_to: MaybeInaccessibleMessage | None = None) -> Message:
    """Send ``text`` to the chat of the update's message (or of ``reply_to``, the message a
    button sits under), in as many pieces as needed; the last piece carries ``keyboard``."""
    target = reply_to or update.effective_message
    # Quote the question in groups, and the answer a follow-up belongs to; if the quoted
    # message is gone by now, send anyway.
    quote = target.chat.type != ChatType.PRIVATE or reply_to is not None
    thread_id = target.message_thread_id if isinstance(target, Message) and target.is_topic_message else None
    pieces = split_message(text)
    sent = None
    for number, piece in enumerate(pieces):
        last = number == len(pieces) - 1
        sent = await context.bot.send_message(
            target.chat.id, piece, reply_markup=keyboard if last else None, message_thread_id=thread_id,
            reply_parameters=ReplyParameters(target.message_id, allow_sending_without_reply=True)
            if quote and number == 0 else None)
        note_replied(context, update.update_id)
    return sent


async def edit_or_send(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                       keyboard: InlineKeyboardMarkup | None) -> None:
    """Replace the message a button sits under; when the new text needs more than one message
    (or the old one cannot be edited any more) send it as new messages instead."""
    query = update.callback_query
    target = query.message
    if isinstance(target, Message) and len(split_message(text)) == 1:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            note_replied(context, update.update_id)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return  # the same page again (a double tap): nothing to change
            log.info("could not edit message, sending a new one: %s", exc)
    if target is not None:
        await send_reply(update, context, text, keyboard, reply_to=target)
