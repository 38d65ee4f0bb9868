"""Questions: a plain message (private chat, or a group message addressed to the bot) or one of
the question commands. Each is checked (length, throttle), put to the engine in a worker
thread, logged, and answered in HTML with the answer's buttons."""
from __future__ import annotations

import html
import logging
import math
import re

from telegram import Update
from telegram.ext import ContextTypes

from indexer.search.answer import Answer

from .commands import (COMMANDS_BY_NAME, KNOWN_COMMANDS, Command, clean_text, looks_like_a_question,
                       not_a_question_text, too_long_text, usage_text, without_mention)
from .context import search_index, services
from .keyboards import answer_keyboard
from .render import HTML, render_answer
from .replies import send_reply

log = logging.getLogger(__name__)

MORE_HINT = " – tap More"


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain message addressed to the bot: the whole text (minus our @mention) is the question."""
    text = without_mention(update.effective_message.text or "", context.bot.username)
    await answer_question(update, context, text, intent=None)


def command_callback(command: Command):
    """The handler for one question command (``/who TOPIC`` etc.)."""
    async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        argument = command_argument(update.effective_message.text or "")
        if command.needs_argument and not looks_like_a_question(clean_text(argument)):
            await send_reply(update, context, usage_text(command, HTML))
            return
        await answer_question(update, context, command.question(argument), intent=command.intent,
                              raw_length=len(argument))
    on_command.__name__ = f"on_{command.name}"
    on_command.__doc__ = f"/{command.name}: {command.description}."
    return on_command


QUESTION_COMMANDS = {name: command_callback(command) for name, command in COMMANDS_BY_NAME.items()}


def command_argument(text: str) -> str:
    """Everything after ``/cmd`` or ``/cmd@bot`` (context.args would lose the spacing)."""
    return re.sub(r"^/\S*\s*", "", text, count=1)


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                          intent: str | None, raw_length: int | None = None) -> None:
    """Check, ask, log and reply. The engine runs in a worker thread so the bot keeps serving
    other chats meanwhile."""
    svc = services(context)
    limit = svc.config.limits.max_question_chars
    if (raw_length if raw_length is not None else len(text)) > limit:
        await send_reply(update, context, too_long_text(limit))
        return
    question = clean_text(text)
    if not looks_like_a_question(question):
        await send_reply(update, context, not_a_question_text())
        return
    if not await within_rate(update, context):
        return
    answer = await ask(context, question, intent)
    user = update.effective_user
    answer_id = svc.feedback.log_answer(answer, user_id=user.id if user else None,
                                        chat_type=update.effective_chat.type, kind="question", intent=intent)
    log.info("question answered (intent %s, %d results, answer %d)", answer.intent, answer.total, answer_id)
    await send_reply(update, context, render_answer(answer, HTML, MORE_HINT), answer_keyboard(answer, answer_id))


async def ask(context: ContextTypes.DEFAULT_TYPE, question: str, intent: str | None, offset: int = 0) -> Answer:
    """The engine's answer, from the index in bot_data at this moment, off the event loop."""
    loaded = search_index(context)  # read once: a /reload meanwhile does not mix two indexes
    per_page = services(context).config.limits.results_per_page
    return await loaded.ask_async(question, intent, offset, per_page)


async def within_rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Count a question against the user's throttle; say so (once) when they are over it."""
    svc = services(context)
    user = update.effective_user
    wait = svc.throttle.hit(user.id if user else None)
    if not wait:
        return True
    seconds = math.ceil(wait)
    text = (f"You're asking faster than I can keep up ({svc.config.limits.questions_per_minute} questions "
            f"a minute). Please try again in {seconds} second{'s' if seconds != 1 else ''}.")
    if update.callback_query:
        await update.callback_query.answer(text)
    elif svc.throttle.should_warn(user.id if user else None, wait):
        await send_reply(update, context, text)
    return False


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command we do not have, addressed to us."""
    name = (update.effective_message.text or "/").split()[0].split("@")[0]
    if name[1:].lower() in KNOWN_COMMANDS:
        return  # ours, but not for this update (an edit, or an admin command's refusal already sent)
    await send_reply(update, context, f"I don't know {html.escape(clean_text(name)[:40], quote=False)}. "
                                      "Try /help for what I can do.")


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, sticker, voice note... addressed to us."""
    await send_reply(update, context, "I can only read text. Please type your question.")
