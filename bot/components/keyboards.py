"""The buttons under an answer and their callback data.

Callback data is at most 64 bytes, so a button carries only the id of the logged answer (see
:mod:`bot.components.feedback`) and a number; the question itself stays in SQLite. Formats:

``more:ID:OFFSET``  next results          ``meas:ID``   measure and progress
``hist:ID``         across years          ``vote:ID:up`` / ``vote:ID:down``
``why:FEEDBACK_ID:lead|action|old``       the reason for a 👎
"""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from indexer.search.answer import Answer

from .loadedindex import is_answered

MAX_CALLBACK_BYTES = 64
MORE = r"^more:(\d+):(\d+)$"
MEASURE = r"^meas:(\d+)$"
HISTORY = r"^hist:(\d+)$"
VOTE = r"^vote:(\d+):(up|down)$"
WHY = r"^why:(\d+):(lead|action|old)$"


def _button(text: str, data: str) -> InlineKeyboardButton:
    assert len(data.encode()) <= MAX_CALLBACK_BYTES, data
    return InlineKeyboardButton(text, callback_data=data)


def history_topic(answer: Answer) -> str | None:
    """What "Across years" should trace for this answer, or None when it makes no sense
    (lists, glossary, an agency's actions, a history answer itself)."""
    if answer.intent in ("lead", "search", "measure") and answer.results:
        return answer.topic or None
    if answer.intent == "ref" and answer.results:
        return answer.results[0].action.action  # the action's own words, traced through the years
    return None


def answer_keyboard(answer: Answer, answer_id: int) -> InlineKeyboardMarkup | None:
    """More / Measure and progress / Across years, then 👍 👎; None when there is nothing to offer."""
    first_row = []
    if answer.has_more:
        first_row.append(_button("More ▸", f"more:{answer_id}:{answer.offset + len(answer.results)}"))
    if answer.results and answer.intent not in ("measure", "ref"):
        first_row.append(_button("Measure and progress", f"meas:{answer_id}"))
    if history_topic(answer):
        first_row.append(_button("Across years", f"hist:{answer_id}"))
    rows = [first_row] if first_row else []
    if is_answered(answer):
        rows.append([_button("👍", f"vote:{answer_id}:up"), _button("👎", f"vote:{answer_id}:down")])
    return InlineKeyboardMarkup(rows) if rows else None


def reason_keyboard(feedback_id: int) -> InlineKeyboardMarkup:
    """The choices after a 👎."""
    return InlineKeyboardMarkup([[
        _button("Wrong lead", f"why:{feedback_id}:lead"),
        _button("Wrong action", f"why:{feedback_id}:action"),
        _button("Outdated", f"why:{feedback_id}:old"),
    ]])
