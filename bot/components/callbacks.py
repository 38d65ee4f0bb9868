"""The buttons under an answer: More, Measure and progress, Across years, 👍 / 👎 and the 👎 reason.

Each button names a logged answer (see :mod:`bot.components.keyboards`); the handler looks the
question up, asks the engine again (a cache hit for the same page) and answers the callback
query exactly once.
"""
from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from .context import services
from .feedback import REASONS
from .keyboards import answer_keyboard, history_topic, reason_keyboard
from .render import HTML, render_answer, render_measures
from .replies import edit_or_send, send_reply
from .search import MORE_HINT, ask, within_rate

log = logging.getLogger(__name__)

GONE = "That answer is too old for its buttons now. Please ask again."


async def _acknowledge(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str | None = None,
                       alert: bool = False) -> None:
    """Answer the callback query (stops the button's spinner); once per update."""
    await update.callback_query.answer(text, show_alert=alert)


async def _logged_question(update: Update, context: ContextTypes.DEFAULT_TYPE, answer_id: int):
    """The logged answer a button names, or None after telling the user why not (too old, or
    over their question rate)."""
    row = services(context).feedback.get_answer(answer_id)
    if row is None:
        await _acknowledge(update, context, GONE, alert=True)
        return None
    if not await within_rate(update, context):
        return None
    return row


async def on_more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The next page of results, in place of the message the button was under."""
    answer_id, offset = (int(x) for x in context.match.groups())
    row = await _logged_question(update, context, answer_id)
    if row is None:
        return
    await _acknowledge(update, context)
    answer = await ask(context, row.question, row.intent, offset)
    new_id = _log(update, context, answer, "more", row.intent)
    await edit_or_send(update, context, render_answer(answer, HTML, MORE_HINT), answer_keyboard(answer, new_id))


async def on_measure(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Measure, baseline, target and progress of the results shown, as a new message."""
    row = await _logged_question(update, context, int(context.match.group(1)))
    if row is None:
        return
    await _acknowledge(update, context)
    answer = await ask(context, row.question, row.intent, row.offset)
    _log(update, context, answer, "measure", row.intent)
    await send_reply(update, context, render_measures(answer, HTML), reply_to=update.callback_query.message)


async def on_history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer's topic across the plan years, as a new message with its own buttons."""
    row = await _logged_question(update, context, int(context.match.group(1)))
    if row is None:
        return
    topic = history_topic(await ask(context, row.question, row.intent, row.offset))
    if not topic:
        await _acknowledge(update, context, "There is no topic to trace across the years here.")
        return
    await _acknowledge(update, context)
    answer = await ask(context, topic, "history")
    new_id = _log(update, context, answer, "history", "history")
    await send_reply(update, context, render_answer(answer, HTML, MORE_HINT), answer_keyboard(answer, new_id),
                     reply_to=update.callback_query.message)


async def on_vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍 is thanked; 👎 is stored and followed by "what was wrong?"."""
    answer_id, verdict = int(context.match.group(1)), context.match.group(2)
    svc = services(context)
    if svc.feedback.get_answer(answer_id) is None:
        await _acknowledge(update, context, GONE, alert=True)
        return
    user = update.effective_user
    feedback_id = svc.feedback.record_vote(answer_id, user.id if user else None, verdict)
    if verdict == "up":
        await _acknowledge(update, context, "Thanks for the feedback!")
        return
    await _acknowledge(update, context, "Thanks. What was wrong?")
    await send_reply(update, context, "What was wrong with this answer?", reason_keyboard(feedback_id),
                     reply_to=update.callback_query.message)


async def on_reason(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The reason for a 👎; only the person who reported it may give it."""
    feedback_id, code = int(context.match.group(1)), context.match.group(2)
    user = update.effective_user
    if not services(context).feedback.record_reason(feedback_id, user.id if user else None, code):
        await _acknowledge(update, context, "Only the person who reported the answer can say what was wrong.")
        return
    await _acknowledge(update, context, "Thanks, noted.")
    await edit_or_send(update, context, f"Thanks – reported as “{REASONS[code]}”. An admin will look at it.",
                       keyboard=None)


def _log(update: Update, context: ContextTypes.DEFAULT_TYPE, answer, kind: str, intent: str | None) -> int:
    user = update.effective_user
    chat = update.effective_chat
    return services(context).feedback.log_answer(answer, user_id=user.id if user else None,
                                                 chat_type=chat.type if chat else "", kind=kind, intent=intent)
