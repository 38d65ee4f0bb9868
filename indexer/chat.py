"""``cspbot chat``: the bot in a terminal, no Telegram token needed.

Same engine, same commands, same replies as the Telegram bot, as plain text. The bot's
buttons become commands: /more (next results), /measure (measure and progress), /history
with no topic (the last topic across the plan years).
"""
from __future__ import annotations

import sys
from typing import TextIO

from bot.components.commands import (COMMANDS_BY_NAME, clean_text, help_text, looks_like_a_question,
                                    not_a_question_text, too_long_text, usage_text)
from bot.components.keyboards import history_topic
from bot.components.loadedindex import LoadedIndex
from bot.components.render import PLAIN, render_answer, render_measures

from .index import Index

MORE_HINT = " – type /more"
MAX_QUESTION_CHARS = 500
PAGE_SIZE = 5


class LocalChat:
    """One conversation: remembers the last answer for /more, /measure and /history."""

    def __init__(self, index: Index | LoadedIndex, page_size: int = PAGE_SIZE):
        self.index = index if isinstance(index, LoadedIndex) else LoadedIndex(index)
        self.page_size = page_size
        self.last = None  # (question, intent, answer)

    def reply(self, line: str) -> str | None:
        """The reply to one line typed; None means "leave"."""
        if len(line) > MAX_QUESTION_CHARS:
            return too_long_text(MAX_QUESTION_CHARS)
        text = clean_text(line)
        if not text:
            return ""
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            return self._command(name.split("@")[0].lower(), argument.strip())
        return self._ask(text, None)

    def _command(self, name: str, argument: str) -> str | None:
        if name in ("quit", "exit", "q"):
            return None
        if name in ("help", "start"):
            return help_text(PLAIN, chat_hint=True)
        if name == "more":
            if not self.last or not self.last[2].has_more:
                return "There is nothing more to show."
            question, intent, answer = self.last
            return self._ask(question, intent, answer.offset + len(answer.results))
        if name == "measure":
            if not self.last or not self.last[2].results:
                return "Ask a question first; /measure shows the measures of its results."
            return render_measures(self.last[2], PLAIN)
        if name == "history" and not argument:
            topic = history_topic(self.last[2]) if self.last else None
            if not topic:
                return "Ask about a topic first, or give one: /history street pastors"
            return self._ask(topic, "history")
        command = COMMANDS_BY_NAME.get(name)
        if command is None:
            return f"I don't know /{name}. Try /help for what I can do."
        if command.needs_argument and not looks_like_a_question(argument):
            return usage_text(command, PLAIN)
        return self._ask(command.question(argument), command.intent)

    def _ask(self, question: str, intent: str | None, offset: int = 0) -> str:
        if not looks_like_a_question(question):
            return not_a_question_text()
        answer = self.index.ask(question, intent, offset, self.page_size)
        self.last = (question, intent, answer)
        return render_answer(answer, PLAIN, MORE_HINT)


def run_chat(index: Index, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Read questions line by line until EOF or /quit; print the replies. Returns 0."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    chat = LocalChat(index)
    print("Local chat with the partnership-commitments bot (no Telegram). "
          "Ask a question, /help for more, /quit to leave.", file=sys.stderr)
    while True:
        if interactive:
            print("you> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        try:
            reply = chat.reply(line.rstrip("\n"))
        except Exception as exc:  # noqa: BLE001 - a chat should survive one bad question
            reply = f"Sorry, something went wrong while answering that ({exc.__class__.__name__})."
        if reply is None:
            break
        if reply:
            print(reply + "\n", file=stdout, flush=True)
    return 0
