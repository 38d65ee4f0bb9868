"""An engine :class:`~indexer.search.answer.Answer` as a reply: HTML for Telegram, plain text
for the local chat, from the same code so both say the same thing.

Every piece of plan text goes through ``fmt.esc`` (``html.escape`` for HTML), and formatting
tags open and close within one line, so :func:`split_message` can cut a long reply at any
line boundary without breaking the HTML.
"""
from __future__ import annotations

import html
import re
from dataclasses import replace

from indexer.search.answer import Answer, Result

#: Telegram's limit for one message's text.
MESSAGE_LIMIT = 4096
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
    lines = [f"{fmt.bold(fmt.esc(a.ref))} {fmt.esc(clip(a.action))}{fmt.esc(older)}",
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


def render_measures(answer: Answer, fmt=HTML) -> str:
    """The "Measure and progress" view of the results on one page: every progress field."""
    if not answer.results:
        return fmt.esc("No actions to show measures for.")
    # The view covers this page only: no listing lines, suggestions or "N more".
    page = replace(answer, lines=[], suggestions=[], total=answer.offset + len(answer.results))
    return render_answer(page, fmt, all_extras=True, heading="Measure and progress:")


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` characters.

    Cuts between paragraphs (results) where it can, else between lines; a single line longer
    than the limit (only a pathological plan cell) is cut between words with its tags
    dropped, so no piece carries half an HTML tag.
    """
    if visible_length(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        for chunk in _fit(paragraph, limit, "\n"):
            candidate = f"{current}\n\n{chunk}" if current else chunk
            if visible_length(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = chunk
    if current:
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def _fit(block: str, limit: int, joiner: str) -> list[str]:
    """``block`` as chunks under ``limit``, cut at ``joiner`` (lines), then at spaces."""
    if visible_length(block) <= limit:
        return [block]
    chunks: list[str] = []
    current = ""
    for line in block.split(joiner) if joiner else [block]:
        parts = [line] if visible_length(line) <= limit else _cut_line(line, limit)
        for part in parts:
            candidate = f"{current}{joiner}{part}" if current else part
            if visible_length(candidate) <= limit:
                current = candidate
            else:
                if current:
                    chunks.append(current)
                current = part
    if current:
        chunks.append(current)
    return chunks


def _cut_line(line: str, limit: int) -> list[str]:
    """An over-long line without its tags, cut between words (never inside an ``&amp;``)."""
    plain = re.sub(r"</?[a-z][^>]*>", "", line)
    out: list[str] = []
    while visible_length(plain) > limit:
        cut = limit
        while visible_length(plain[:cut]) > limit:
            cut -= 1
        space = plain.rfind(" ", 0, cut)
        cut = space if space > cut // 2 else cut
        amp = plain.rfind("&", 0, cut)
        if amp != -1 and ";" not in plain[amp:cut]:
            cut = amp  # do not split an HTML entity
        out.append(plain[:cut].rstrip())
        plain = plain[cut:].lstrip()
    out.append(plain)
    return out
