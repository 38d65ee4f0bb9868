"""An :class:`~indexer.search.answer.Answer` as a reply a person reads: plain text (CLI, local
chat) or Telegram HTML, from the same code so every front end says the same thing.

Every piece of plan text goes through ``fmt.esc`` (``html.escape`` for HTML), and formatting
tags open and close within one line, so a long reply can be cut at any line boundary without
breaking the HTML. No Telegram imports: HTML here is only escaping and two tags.
"""
from __future__ import annotations

import html
import re

from .answer import Answer, Result

#: One plan cell longer than this is cut short: a reply is for reading on a phone.
MAX_FIELD_CHARS = 1200
EXTRA_LABELS = (("baseline", "Baseline"), ("target", "Target"), ("outcome", "Outcome"),
                ("q1", "Q1"), ("q2", "Q2"), ("progress", "Progress"))


class PlainFormat:
    """Text as it is (the local chat)."""

    html = False

    @staticmethod
    def esc(text: str) -> str:
        return text

    @staticmethod
    def bold(text: str) -> str:
        return text

    @staticmethod
    def italic(text: str) -> str:
        return text


class HtmlFormat:
    """Telegram HTML: plan text escaped, labels in bold, citations in italics."""

    html = True

    @staticmethod
    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    @staticmethod
    def bold(text: str) -> str:
        return f"<b>{text}</b>"

    @staticmethod
    def italic(text: str) -> str:
        return f"<i>{text}</i>"


PLAIN = PlainFormat()
HTML = HtmlFormat()


def clip(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    """``text`` on one line, cut at ``limit`` characters with an ellipsis."""
    text = re.sub(r"\s*\n\s*", " ", text or "").strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def render_result(result: Result, fmt=HTML, intent: str = "search", all_extras: bool = False) -> str:
    """One action: ref and action, lead, measure, progress fields, note, citation line.

    Which progress fields show follows the engine's plain-text reply: all of them for a
    measure or ref question (or when the action has no measure), else only the target.
    """
    a = result.action
    older = f" [{a.period}]" if result.note == "older plan" else ""
    year = f"{a.period} ({a.partnership}) " if intent == "history" else ""
    lines = [f"{fmt.esc(year)}{fmt.bold(fmt.esc(a.ref))} {fmt.esc(clip(a.action))}{fmt.esc(older)}",
             f"{fmt.bold('Lead:')} {fmt.esc(clip(a.lead) or '(none given)')}"]
    if a.measure:
        lines.append(f"{fmt.bold('Measure:')} {fmt.esc(clip(a.measure))}")
    show_extras = all_extras or intent in ("measure", "ref") or not a.measure
    for name, label in EXTRA_LABELS:
        value = a.extras.get(name)
        if value and (show_extras or name == "target"):
            lines.append(f"{fmt.bold(label + ':')} {fmt.esc(clip(value))}")
    if result.note and result.note != "older plan":
        lines.append(fmt.italic(fmt.esc("Note: " + clip(result.note))))
    lines.append(fmt.italic(fmt.esc("Source: " + clip(result.citation()))))
    return "\n".join(lines)


def render_answer(answer: Answer, fmt=HTML, more_hint: str = "", all_extras: bool = False,
                  heading: str | None = None) -> str:
    """The whole reply: heading, listing lines, results, did-you-mean, how many more.

    ``more_hint`` follows the count of further results (" — tap More", " — type /more").
    """
    heading = answer.heading if heading is None else heading
    parts = [fmt.bold(fmt.esc(clip(heading)))] if heading else []
    if answer.lines:
        # Listing lines keep their indentation (priorities under their plan).
        parts.append("\n".join(line[:len(line) - len(line.lstrip())] + fmt.esc(clip(line)) for line in answer.lines))
    parts += [render_result(result, fmt, answer.intent, all_extras) for result in answer.results]
    if answer.suggestions:
        parts.append(fmt.esc("Did you mean: " + "; ".join(clip(s, 100) for s in answer.suggestions) + "?"))
    if answer.has_more:
        remaining = answer.total - answer.offset - len(answer.results)
        parts.append(fmt.italic(fmt.esc(f"{remaining} more{more_hint}")))
    return "\n\n".join(p for p in parts if p) or fmt.esc("I couldn't find anything for that.")
