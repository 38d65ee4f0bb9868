"""Inline mode: ``@botname graffiti`` in any chat offers the top actions as articles.

Title = ref and lead, description = the action; choosing one posts the action with its
citation. Only allowed users get results (the access gate answers the rest with none), and
results are personal and not cached long, because they depend on who asks.
"""
from __future__ import annotations

import hashlib
import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.ext import ContextTypes

from indexer.search.answer import Answer

from .commands import clean_text, looks_like_a_question
from .context import search_index, services
from .render import HTML, clip, render_answer, render_result, split_message

log = logging.getLogger(__name__)

INLINE_RESULTS = 10
CACHE_SECONDS = 60


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline query with up to ten articles (none for an empty or throttled query)."""
    query = update.inline_query
    svc = services(context)
    text = clean_text(query.query)[:svc.config.limits.max_question_chars]
    if not looks_like_a_question(text) or svc.inline_throttle.hit(query.from_user.id):
        await query.answer([], cache_time=0, is_personal=True)
        return
    loaded = search_index(context)
    answer = await loaded.ask_async(text, None, 0, INLINE_RESULTS)
    await query.answer(articles(answer), cache_time=CACHE_SECONDS, is_personal=True)


def articles(answer: Answer) -> list[InlineQueryResultArticle]:
    """One article per result; a listing answer (plans, priorities, glossary) as one article."""
    out = []
    for result in answer.results[:INLINE_RESULTS]:
        a = result.action
        title = f"{a.ref} – {a.lead or 'no lead given'}" + (f" ({a.period})" if result.note == "older plan" else "")
        out.append(InlineQueryResultArticle(
            id=_result_id(a.uid),
            title=clip(title, 120),
            description=clip(a.action, 200),
            input_message_content=InputTextMessageContent(
                split_message(render_result(result, HTML, answer.intent))[0], parse_mode=ParseMode.HTML),
        ))
    if not out and answer.lines:
        out.append(InlineQueryResultArticle(
            id=_result_id("listing:" + answer.query),
            title=clip(answer.heading or answer.lines[0], 120),
            description=clip(" ".join(answer.lines[:3]), 200),
            input_message_content=InputTextMessageContent(split_message(render_answer(answer, HTML))[0],
                                                          parse_mode=ParseMode.HTML),
        ))
    return out[:InlineQueryLimit.RESULTS]


def _result_id(key: str) -> str:
    """A stable id under Telegram's 64-byte limit."""
    return hashlib.sha1(key.encode()).hexdigest()[:32]
