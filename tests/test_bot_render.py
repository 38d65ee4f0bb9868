"""Reply rendering (HTML and plain), splitting under 4096 characters, button data size."""
from __future__ import annotations

import pytest
from fakebotapi import ApiError, visible_text

from bot.components.keyboards import answer_keyboard
from bot.components.render import HTML, PLAIN, render_answer, render_result, split_message, visible_length
from indexer.models import ActionRecord
from indexer.search.answer import Answer, Result


def result_with(**changes) -> Result:
    fields = dict(plan="p1", partnership="Somewhere", period="2024/25", priority="1", priority_title="Safety & <Order>",
                  ref="1.1", action="Tackle <b>graffiti</b> & tags", lead="Team A & B", measure="Fewer tags < 10",
                  source="plan.txt", line_first=3, line_last=4, leads=["Team A"])
    fields.update(changes)
    return Result(rank=1, score=1.0, action=ActionRecord(**fields), plan_title="Plan <2024>")


def test_html_escapes_every_piece_of_plan_text():
    html = render_result(result_with(), HTML)
    shown = visible_text(html, "HTML")  # raises if Telegram would reject the HTML
    assert "Tackle <b>graffiti</b> & tags" in shown
    assert "Team A & B" in shown and "Fewer tags < 10" in shown
    assert "Safety & <Order>" in shown and "Plan <2024>" in shown
    assert "<b>graffiti</b>" not in html


def test_plain_and_html_say_the_same_thing():
    answer = Answer(query="q", intent="lead", heading="Who leads <x>", results=[result_with()], total=7)
    html, plain = render_answer(answer, HTML, " – tap More"), render_answer(answer, PLAIN, " – tap More")
    assert visible_text(html, "HTML") == plain


def test_long_text_is_split_at_line_boundaries_under_the_limit():
    lines = [f"<b>{n}</b> line {n} " + "word " * 30 for n in range(200)]
    text = "\n".join(lines[:100]) + "\n\n" + "\n".join(lines[100:])
    pieces = split_message(text)
    assert len(pieces) > 1
    assert all(visible_length(p) <= 4096 for p in pieces)
    assert [line for p in pieces for line in p.split("\n") if line] == lines  # nothing lost, nothing cut
    for piece in pieces:
        visible_text(piece, "HTML")


def test_a_single_huge_line_is_cut_between_words_without_broken_tags():
    line = "<i>" + "tom &amp; jerry " * 800 + "</i>"
    pieces = split_message(line)
    assert len(pieces) > 1 and all(visible_length(p) <= 4096 for p in pieces)
    for piece in pieces:
        assert visible_text(piece, "HTML")  # well-formed, no half entity
        assert not piece.endswith("&amp") and "&am " not in piece


def test_emoji_count_double_towards_the_limit():
    text = "\n".join(["😀" * 100] * 30)  # 3000 characters, 6000 UTF-16 units
    assert all(visible_length(p) <= 4096 for p in split_message(text))
    assert len(split_message(text)) == 2


@pytest.mark.parametrize("answer_id", [1, 10 ** 15])
def test_callback_data_stays_under_64_bytes(answer_id):
    answer = Answer(query="q", intent="lead", results=[result_with()], total=10_000, topic="graffiti")
    keyboard = answer_keyboard(answer, answer_id)
    data = [button.callback_data for row in keyboard.inline_keyboard for button in row]
    assert {d.split(":")[0] for d in data} == {"more", "meas", "hist", "vote"}
    assert all(len(d.encode()) <= 64 for d in data)


def test_fake_api_rejects_what_telegram_rejects():
    with pytest.raises(ApiError):
        visible_text("<b>unclosed", "HTML")
    with pytest.raises(ApiError):
        visible_text("a <script> tag", "HTML")
