"""The question commands, shared by the bot and the local chat: each forces an engine intent.

Also the help text and the cleaning of what people type (control characters, our @mention).
Nothing here talks to Telegram.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """A command that asks the engine something."""

    name: str
    intent: str | None  # None: the engine works the intent out ("/ask")
    description: str  # shown in Telegram's command menu (setMyCommands)
    usage: str
    example: str
    needs_argument: bool = True

    def question(self, argument: str) -> str:
        """The question to put to the engine for ``/name argument``."""
        if self.intent == "priorities":
            return f"priorities {argument}".strip()
        if self.intent == "plans":
            return "which plans"
        return argument


COMMANDS: tuple[Command, ...] = (
    Command("ask", None, "Ask any question about the plans", "/ask QUESTION",
            "/ask who is in charge of graffiti removal"),
    Command("who", "lead", "Who leads work on a topic", "/who TOPIC", "/who speed watch"),
    Command("lead", "agency", "What an agency leads", "/lead AGENCY", "/lead Community Safety Team"),
    Command("action", "ref", "One action by its number", "/action REF [YEAR]", "/action 2.3 2024/25"),
    Command("priorities", "priorities", "The priorities of a plan year", "/priorities [YEAR]",
            "/priorities 2022/23", needs_argument=False),
    Command("plans", "plans", "The plans I know", "/plans", "/plans", needs_argument=False),
    Command("glossary", "glossary", "What an abbreviation means", "/glossary TERM", "/glossary VAWG"),
    Command("history", "history", "A topic across the plan years", "/history TOPIC", "/history street pastors"),
)
COMMANDS_BY_NAME = {c.name: c for c in COMMANDS}

#: Commands for admins only: (name, description).
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("reload", "Rebuild the index from knowledge/"),
    ("stats", "Questions answered, unanswered, feedback"),
    ("reports", "The latest 👎 reports"),
)

#: Every command the bot answers (a bare unknown command in a group is another bot's).
KNOWN_COMMANDS = frozenset({"start", "help"} | {c.name for c in COMMANDS} | {name for name, _ in ADMIN_COMMANDS})

EXAMPLE_QUESTIONS = (
    "Who is in charge of graffiti removal?",
    "What does the Community Safety Team lead?",
    "How is shoplifting measured?",
    "What is action 2.3 in the 2024/25 plan?",
)


def help_text(fmt, bot_username: str = "", is_admin: bool = False, chat_hint: bool = False) -> str:
    """What to ask, with examples. ``fmt`` is render.HTML or render.PLAIN."""
    lines = [fmt.bold("I answer questions about who leads which commitment in the "
                      "Community Safety Partnership plans."),
             "",
             "Just ask, for example:"]
    lines += [f"• {fmt.esc(q)}" for q in EXAMPLE_QUESTIONS]
    lines += ["", "Or use a command:"]
    lines += [f"{fmt.esc(c.usage)} – {fmt.esc(c.description.lower())}" for c in COMMANDS]
    if chat_hint:
        lines += ["/more – the next results", "/measure – measure and progress of the results shown",
                  "/history – the last topic across the plan years", "/quit – leave"]
    lines += ["", "Every answer cites the plan, its priority and the source lines."]
    if bot_username:
        lines.append(fmt.esc(f"In a group, mention me (@{bot_username}), reply to one of my messages "
                             f"or use a command; in any chat, type @{bot_username} and a topic."))
    if is_admin:
        lines += ["", fmt.bold("Admin:")] + [f"/{name} – {fmt.esc(text.lower())}" for name, text in ADMIN_COMMANDS]
    return "\n".join(lines)


def too_long_text(limit: int) -> str:
    """The reply to a message too long to be a question."""
    return (f"That is a long message. Please ask a shorter question (up to {limit} characters), "
            f"e.g. “{EXAMPLE_QUESTIONS[0]}”")


def not_a_question_text() -> str:
    """The reply to a message with no words in it."""
    return f"Please ask me a question in words, e.g. “{EXAMPLE_QUESTIONS[0]}” (/help lists what I can do)"


def usage_text(command: Command, fmt) -> str:
    """The reply to a command given without its argument."""
    return fmt.esc(f"{command.description}: {command.usage}, for example {command.example}")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(text: str | None) -> str:
    """Control and invisible formatting characters out, whitespace collapsed."""
    return re.sub(r"\s+", " ", _CONTROL.sub(" ", text or "")).strip()


def without_mention(text: str, username: str) -> str:
    """The message text without ``@username`` (how people address the bot in a group)."""
    if not username:
        return text
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.I)


def looks_like_a_question(text: str) -> bool:
    """At least one letter or digit: "???" or a row of emoji is not something to search."""
    return bool(re.search(r"\w", text))
