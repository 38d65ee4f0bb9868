"""An engine :class:`~indexer.search.answer.Answer` as a reply: HTML for Telegram, plain text
for the local chat, from the same code so both say the same thing.

Every piece of plan text goes through ``fmt.esc`` (``html.escape`` for HTML), and formatting
tags open and close within one line, so :func:`split_message` can cut a long reply at any
line boundary without breaking the HTML.
"""
from __future__ import annotations

import re
from dataclasses import replace

from indexer.search.answer import Answer
from indexer.search.render import HTML, PLAIN, HtmlFormat, PlainFormat, clip, render_answer, render_result  # noqa: F401 (re-exported)

#: Telegram's limit for one message's text.
MESSAGE_LIMIT = 4096


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
