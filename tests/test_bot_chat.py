"""``cspbot chat``: the local terminal chat gives the bot's replies as plain text."""
from __future__ import annotations

import io

from bot.components.render import PLAIN, render_answer
from indexer.chat import MORE_HINT, LocalChat, run_chat


def test_chat_answers_like_the_bot(knowledge_index):
    chat = LocalChat(knowledge_index, page_size=2)
    reply = chat.reply("who is in charge of removing graffiti")
    answer = knowledge_index.engine.ask("who is in charge of removing graffiti", limit=2)
    assert reply == render_answer(answer, PLAIN, MORE_HINT)
    assert f"Lead: {answer.results[0].action.lead}" in reply
    assert "Source: " in reply and "<b>" not in reply


def test_chat_more_measure_history_and_commands(knowledge_index):
    chat = LocalChat(knowledge_index, page_size=2)
    first = chat.reply("who is in charge of removing graffiti")
    second = chat.reply("/more")
    assert second != first
    next_page = knowledge_index.engine.ask("who is in charge of removing graffiti", offset=2, limit=2)
    assert next_page.results[0].action.action[:40] in second
    assert chat.reply("/measure").startswith("Measure and progress")
    assert "across the plan years" in chat.reply("/history")
    assert "/who TOPIC" in chat.reply("/who")
    assert "/help" in chat.reply("/nope")
    assert chat.reply("/quit") is None


def test_run_chat_reads_until_quit(knowledge_index):
    out = io.StringIO()
    assert run_chat(knowledge_index, io.StringIO("/plans\n/quit\nnever read\n"), out) == 0
    assert all(plan.title in out.getvalue() for plan in knowledge_index.kb.plans)
