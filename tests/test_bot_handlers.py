"""The bot's handlers, driven through ``Application.process_update`` against the fake Bot API
(nothing polls here; tests/test_bot_e2e.py covers polling and failures)."""
from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace

import pytest
from conftest import ADMIN, ALICE, OTHER_GROUP, STRANGER, TEAM_GROUP
from telegram import Update

from bot.components.loadedindex import LoadedIndex, is_answered

QUESTION = "who is in charge of removing graffiti"


async def process(app, update: dict) -> None:
    await app.process_update(Update.de_json(update, app.bot))


def engine_answer(app, question: str, intent: str | None = None, offset: int = 0):
    """What the engine says, as the bot would ask it."""
    per_page = app.bot_data["services"].config.limits.results_per_page
    return app.bot_data["search"].ask(question, intent, offset, per_page)


def plan_phrases(app, question: str) -> list[str]:
    """Plan text that must not reach a stranger: the actions and leads this question finds."""
    answer = engine_answer(app, question)
    return [r.action.action[:40] for r in answer.results] + [r.action.lead for r in answer.results if r.action.lead]


# ---------------------------------------------------------------------- private questions
async def test_allowed_question_names_the_lead_and_cites_the_plan(fake_api, make_bot):
    async with make_bot() as app:
        await process(app, fake_api.message(ALICE, QUESTION))
        [reply] = fake_api.sent_to(ALICE)
        top = engine_answer(app, QUESTION).results[0]
        assert top.action.lead in reply["text"]
        assert top.action.action[:50] in reply["text"]
        assert f"Source: {top.citation()}" in reply["text"]
        assert "<b>Lead:</b>" in reply["html"]
        buttons = fake_api.buttons(reply)
        assert {"👍", "👎"} <= set(buttons)
        assert all(len(data.encode()) <= 64 for data in buttons.values())


async def test_every_result_shows_ref_action_lead_measure_and_citation(fake_api, make_bot):
    async with make_bot() as app:
        await process(app, fake_api.message(ALICE, "/who speed watch"))
        [reply] = fake_api.sent_to(ALICE)
        answer = engine_answer(app, "speed watch", "lead")
        assert answer.results
        for result in answer.results:
            a = result.action
            assert f"{a.ref} {a.action[:40]}" in reply["text"]
            assert f"Lead: {a.lead}" in reply["text"]
            if a.measure:
                assert f"Measure: {a.measure[:40]}" in reply["text"]
            assert result.citation() in reply["text"]


async def test_plan_text_is_html_escaped(fake_api, make_bot, knowledge_index):
    """A lead or action with <, > or & must not break the message (the fake checks the HTML)."""
    async with make_bot() as app:
        answer = engine_answer(app, QUESTION)
        top = answer.results[0].action
        original = (top.action, top.lead)
        top.action, top.lead = "Remove <graffiti> & tags", "Team <b>A</b> & B"
        try:
            await process(app, fake_api.message(ALICE, QUESTION))
        finally:
            top.action, top.lead = original
        [reply] = fake_api.sent_to(ALICE)
        assert "Remove <graffiti> & tags" in reply["text"]
        assert "Team <b>A</b> & B" in reply["text"]
        assert "&lt;graffiti&gt; &amp; tags" in reply["html"]


@pytest.mark.parametrize("text, expected", [
    ("<b>who</b> <script>alert(1)</script> leads &amp; graffiti", None),
    ("x" * 5000, "long message"),
    ("\x00\x07\u202e???\u200b", "question in words"),
])
async def test_hostile_messages_get_a_clear_reply(fake_api, make_bot, text, expected):
    async with make_bot() as app:
        await process(app, fake_api.message(ALICE, text))
        [reply] = fake_api.sent_to(ALICE)  # the fake rejects malformed HTML, so arriving = valid
        assert "Traceback" not in reply["text"]
        if expected:
            assert expected in reply["text"]
        else:
            assert "<script>" not in reply["html"]


async def test_commands_force_their_intent(fake_api, make_bot):
    async with make_bot() as app:
        kb = app.bot_data["search"].index.kb
        action = kb.actions[0]
        await process(app, fake_api.message(ALICE, f"/action {action.ref} {action.period}"))
        assert f"{action.ref} {action.action[:40]}" in fake_api.sent_to(ALICE)[-1]["text"]

        await process(app, fake_api.message(ALICE, "/plans"))
        assert all(plan.title in fake_api.sent_to(ALICE)[-1]["text"] for plan in kb.plans)

        newest = max(kb.plans, key=lambda p: p.start_year)
        await process(app, fake_api.message(ALICE, f"/priorities {newest.period}"))
        titles = [p.title for p in kb.priorities if p.plan == newest.id]
        assert all(title in fake_api.sent_to(ALICE)[-1]["text"] for title in titles)

        term = kb.definitions[0]
        await process(app, fake_api.message(ALICE, f"/glossary {term.term}"))
        assert term.meaning in fake_api.sent_to(ALICE)[-1]["text"]

        lead = engine_answer(app, "Community Safety Team", "agency")
        await process(app, fake_api.message(ALICE, "/lead Community Safety Team"))
        assert lead.agency and lead.agency in fake_api.sent_to(ALICE)[-1]["text"]

        await process(app, fake_api.message(ALICE, "/history graffiti"))
        history = engine_answer(app, "graffiti", "history")
        assert all(r.action.period in fake_api.sent_to(ALICE)[-1]["text"] for r in history.results)


async def test_command_without_argument_explains_itself(fake_api, make_bot):
    async with make_bot() as app:
        await process(app, fake_api.message(ALICE, "/who"))
        assert "/who TOPIC" in fake_api.sent_to(ALICE)[-1]["text"]
        await process(app, fake_api.message(ALICE, "/nonsense"))
        assert "/help" in fake_api.sent_to(ALICE)[-1]["text"]


async def test_start_and_help_explain_what_to_ask(fake_api, make_bot):
    async with make_bot() as app:
        await process(app, fake_api.message(ALICE, "/start"))
        text = fake_api.sent_to(ALICE)[-1]["text"]
        assert "/who TOPIC" in text and "/lead AGENCY" in text and "/reload" not in text
        await process(app, fake_api.message(ADMIN, "/help"))
        assert "/reload" in fake_api.sent_to(ADMIN)[-1]["text"]


# ---------------------------------------------------------------------- access
async def test_stranger_is_refused_once_with_their_id_and_no_plan_text(fake_api, make_bot):
    async with make_bot() as app:
        await process(app, fake_api.message(STRANGER, QUESTION))
        await process(app, fake_api.message(STRANGER, "/who graffiti"))
        [refusal] = fake_api.sent_to(STRANGER)
        assert str(STRANGER) in refusal["text"]
        assert not any(phrase in refusal["text"] for phrase in plan_phrases(app, QUESTION))
        await process(app, fake_api.message(STRANGER, "/start"))  # asking for their id: always answered
        assert len(fake_api.sent_to(STRANGER)) == 2 and str(STRANGER) in fake_api.sent_to(STRANGER)[-1]["text"]


async def test_stranger_gets_no_inline_results_and_no_button_actions(fake_api, make_bot):
    async with make_bot() as app:
        update = fake_api.inline(STRANGER, "graffiti")
        await process(app, update)
        answer = fake_api.inline_answers[update["inline_query"]["id"]]
        assert answer["results"] == []

        await process(app, fake_api.message(ALICE, QUESTION))
        reply = fake_api.sent_to(ALICE)[-1]
        click = fake_api.click(STRANGER, reply, fake_api.buttons(reply)["👍"])
        await process(app, click)
        alert = fake_api.callback_answers[click["callback_query"]["id"]]
        assert str(STRANGER) in alert["text"]
        assert not fake_api.edits


async def test_empty_allowlist_refuses_everybody_unless_open(fake_api, make_bot):
    empty = {"allowed_user_ids": [], "allowed_chat_ids": [], "admin_user_ids": []}
    async with make_bot(access=empty) as app:
        await process(app, fake_api.message(ALICE, QUESTION))
        assert str(ALICE) in fake_api.sent_to(ALICE)[-1]["text"]
        assert engine_answer(app, QUESTION).results[0].action.lead not in fake_api.sent_to(ALICE)[-1]["text"]
    async with make_bot(access={**empty, "open": True}) as app:
        await process(app, fake_api.message(STRANGER, QUESTION))
        assert engine_answer(app, QUESTION).results[0].action.lead in fake_api.sent_to(STRANGER)[-1]["text"]


async def test_allowed_chat_lets_its_members_in(fake_api, make_bot):
    async with make_bot() as app:
        await process(app, fake_api.message(STRANGER, f"/who@{app.bot.username} graffiti", TEAM_GROUP, "supergroup"))
        [reply] = fake_api.sent_to(TEAM_GROUP)
        assert engine_answer(app, "graffiti", "lead").results[0].action.lead in reply["text"]


# ---------------------------------------------------------------------- groups
async def test_group_answers_only_what_is_addressed_to_the_bot(fake_api, make_bot):
    async with make_bot() as app:
        username = app.bot.username
        await process(app, fake_api.message(ALICE, "anyone know who does graffiti removal?", TEAM_GROUP, "group"))
        await process(app, fake_api.message(ALICE, "/who@some_other_bot graffiti", TEAM_GROUP, "group"))
        assert fake_api.sent_to(TEAM_GROUP) == []

        await process(app, fake_api.message(ALICE, f"@{username} {QUESTION}", TEAM_GROUP, "group"))
        await process(app, fake_api.message(ALICE, f"/who@{username} graffiti", TEAM_GROUP, "group"))
        assert len(fake_api.sent_to(TEAM_GROUP)) == 2
        mention_reply, command_reply = fake_api.sent_to(TEAM_GROUP)
        assert engine_answer(app, QUESTION).results[0].action.lead in mention_reply["text"]
        assert engine_answer(app, "graffiti", "lead").results[0].action.lead in command_reply["text"]
        assert mention_reply["reply_to"] is not None  # quotes the question in a busy group

        bot_message = fake_api.messages[(TEAM_GROUP, command_reply["message_id"])]
        await process(app, fake_api.message(ALICE, "and who leads the speed watch?", TEAM_GROUP, "group",
                                            reply_to=bot_message))
        assert len(fake_api.sent_to(TEAM_GROUP)) == 3


async def test_other_bots_commands_are_left_alone(fake_api, make_bot):
    async with make_bot() as app:
        await process(app, fake_api.message(ALICE, "/roll 2d6", TEAM_GROUP, "group"))
        assert fake_api.sent_to(TEAM_GROUP) == []
        await process(app, fake_api.message(ALICE, f"/roll@{app.bot.username}", TEAM_GROUP, "group"))
        assert "/help" in fake_api.sent_to(TEAM_GROUP)[-1]["text"]


async def test_stranger_group_chatter_gets_no_refusal(fake_api, make_bot):
    async with make_bot() as app:
        await process(app, fake_api.message(STRANGER, "lunch anyone?", OTHER_GROUP, "group"))
        await process(app, fake_api.message(STRANGER, "/roll 2d6", OTHER_GROUP, "group"))
        assert fake_api.sent_to(OTHER_GROUP) == []
        await process(app, fake_api.message(STRANGER, f"@{app.bot.username} {QUESTION}", OTHER_GROUP, "group"))
        [refusal] = fake_api.sent_to(OTHER_GROUP)
        assert str(STRANGER) in refusal["text"] and str(OTHER_GROUP) in refusal["text"]


# ---------------------------------------------------------------------- inline
async def test_inline_query_offers_top_actions(fake_api, make_bot):
    async with make_bot() as app:
        update = fake_api.inline(ALICE, "graffiti")
        await process(app, update)
        results = fake_api.inline_answers[update["inline_query"]["id"]]["results"]
        answer = app.bot_data["search"].ask("graffiti", None, 0, 10)
        assert len(results) == len(answer.results) > 0
        first = results[0]
        assert first["title"].startswith(answer.results[0].action.ref)
        assert answer.results[0].action.lead in first["title"]
        assert first["description"].startswith(answer.results[0].action.action[:40])
        assert "Source:" in first["input_message_content"]["message_text"]


# ---------------------------------------------------------------------- buttons
async def test_more_edits_the_message_with_the_next_results(fake_api, make_bot):
    async with make_bot(limits={"results_per_page": 2}) as app:
        assert engine_answer(app, QUESTION).has_more
        await process(app, fake_api.message(ALICE, QUESTION))
        first = fake_api.sent_to(ALICE)[-1]
        click = fake_api.click(ALICE, first, fake_api.buttons(first)["More ▸"])
        await process(app, click)
        assert click["callback_query"]["id"] in fake_api.callback_answers
        [edit] = fake_api.edits
        assert edit["message_id"] == first["message_id"]
        page_two = engine_answer(app, QUESTION, offset=len(engine_answer(app, QUESTION).results))
        assert page_two.results[0].action.action[:40] in edit["text"]
        assert len(fake_api.sent_to(ALICE)) == 1  # edited, not a new message


async def test_more_on_a_message_that_cannot_be_edited_sends_a_new_one(fake_api, make_bot):
    async with make_bot(limits={"results_per_page": 2}) as app:
        await process(app, fake_api.message(ALICE, QUESTION))
        first = fake_api.sent_to(ALICE)[-1]
        click = fake_api.click(ALICE, first, fake_api.buttons(first)["More ▸"])
        del fake_api.messages[(ALICE, first["message_id"])]  # deleted meanwhile
        await process(app, click)
        second = fake_api.sent_to(ALICE)[-1]
        assert second["message_id"] != first["message_id"] and not fake_api.edits
        assert engine_answer(app, QUESTION, offset=2).results[0].action.action[:40] in second["text"]


async def test_measure_and_history_buttons(fake_api, make_bot):
    async with make_bot() as app:
        await process(app, fake_api.message(ALICE, QUESTION))
        answer_message = fake_api.sent_to(ALICE)[-1]
        buttons = fake_api.buttons(answer_message)
        await process(app, fake_api.click(ALICE, answer_message, buttons["Measure and progress"]))
        measures = fake_api.sent_to(ALICE)[-1]
        assert measures["text"].startswith("Measure and progress")
        for result in engine_answer(app, QUESTION).results:
            if result.action.measure:
                assert result.action.measure[:40] in measures["text"]

        await process(app, fake_api.click(ALICE, answer_message, buttons["Across years"]))
        history = fake_api.sent_to(ALICE)[-1]
        assert "across the plan years" in history["text"]


async def test_thumbs_down_asks_why_and_stores_the_report(fake_api, make_bot, tmp_path):
    async with make_bot() as app:
        await process(app, fake_api.message(ALICE, QUESTION))
        answer_message = fake_api.sent_to(ALICE)[-1]
        await process(app, fake_api.click(ALICE, answer_message, fake_api.buttons(answer_message)["👎"]))
        prompt = fake_api.sent_to(ALICE)[-1]
        assert "What was wrong" in prompt["text"]
        assert set(fake_api.buttons(prompt)) == {"Wrong lead", "Wrong action", "Outdated"}
        await process(app, fake_api.click(ALICE, prompt, fake_api.buttons(prompt)["Wrong lead"]))
        assert "wrong lead" in fake_api.edits[-1]["text"]

        db = sqlite3.connect(tmp_path / "feedback.db")
        db.row_factory = sqlite3.Row
        [row] = db.execute("select * from feedback").fetchall()
        assert (row["verdict"], row["reason"], row["question"]) == ("down", "wrong lead", QUESTION)
        shown = [r["ref"] for r in json.loads(row["results"])]
        assert shown == [r.action.ref for r in engine_answer(app, QUESTION).results]

        await process(app, fake_api.message(ADMIN, "/reports"))
        report = fake_api.sent_to(ADMIN)[-1]["text"]
        assert QUESTION in report and "wrong lead" in report


async def test_questions_are_logged_with_a_hashed_user_id(fake_api, make_bot, tmp_path):
    unanswerable = "qwzx vbnm plokij"
    async with make_bot() as app:
        assert not is_answered(engine_answer(app, unanswerable)) and is_answered(engine_answer(app, QUESTION))
        await process(app, fake_api.message(ALICE, unanswerable, first_name="Alice"))
        await process(app, fake_api.message(ALICE, QUESTION, first_name="Alice"))
        db = sqlite3.connect(tmp_path / "feedback.db")
        rows = db.execute("select user_hash, question, found from answers").fetchall()
        assert [(r[1], r[2]) for r in rows] == [(unanswerable, 0), (QUESTION, 1)]
        assert all(str(ALICE) not in r[0] and "Alice" not in r[0] for r in rows)
        assert "Alice" not in (tmp_path / "feedback.db").read_bytes().decode("latin-1")

        await process(app, fake_api.message(ADMIN, "/stats"))
        stats = fake_api.sent_to(ADMIN)[-1]["text"]
        assert "Questions answered: 1" in stats and "Unanswered questions: 1" in stats
        assert unanswerable in stats


async def test_admin_commands_are_for_admins(fake_api, make_bot):
    async with make_bot() as app:
        for command in ("/reload", "/stats", "/reports"):
            await process(app, fake_api.message(ALICE, command))
            assert "admins" in fake_api.sent_to(ALICE)[-1]["text"]


async def test_reload_swaps_the_index_whole(fake_api, make_bot, tmp_path):
    async with make_bot(storage={"index_db": str(tmp_path / "reload.db")}) as app:
        before = app.bot_data["search"]
        await process(app, fake_api.message(ADMIN, "/reload"))
        after = app.bot_data["search"]
        assert isinstance(after, LoadedIndex) and after is not before
        assert after.index is not before.index
        assert "Reloaded" in fake_api.sent_to(ADMIN)[-1]["text"]
        await process(app, fake_api.message(ALICE, QUESTION))
        assert engine_answer(app, QUESTION).results[0].action.lead in fake_api.sent_to(ALICE)[-1]["text"]


# ---------------------------------------------------------------------- limits and errors
async def test_throttle_says_so_once(fake_api, make_bot):
    async with make_bot(limits={"questions_per_minute": 2}) as app:
        for _ in range(4):
            await process(app, fake_api.message(ALICE, QUESTION))
        replies = fake_api.sent_to(ALICE)
        assert len(replies) == 3
        assert "faster than I can keep up" in replies[2]["text"]


async def test_an_error_is_logged_and_the_user_told_without_a_traceback(fake_api, make_bot, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("engine exploded")

    async with make_bot() as app:
        real = app.bot_data["search"].index
        app.bot_data["search"] = LoadedIndex(SimpleNamespace(engine=SimpleNamespace(ask=explode), kb=real.kb))
        await process(app, fake_api.message(ALICE, "who organises the summer patrols"))
        [reply] = fake_api.sent_to(ALICE)
        assert "something went wrong" in reply["text"]
        assert "exploded" not in reply["text"] and "Traceback" not in reply["text"]
        assert "engine exploded" in caplog.text

        # a button press whose handler fails after answering the query: told in the chat
        app.bot_data["search"] = LoadedIndex(real)
        await process(app, fake_api.message(ALICE, QUESTION))
        answer_message = fake_api.sent_to(ALICE)[-1]
        app.bot_data["search"] = LoadedIndex(SimpleNamespace(engine=SimpleNamespace(ask=explode), kb=real.kb))
        click = fake_api.click(ALICE, answer_message, fake_api.buttons(answer_message)["Measure and progress"])
        await process(app, click)
        assert click["callback_query"]["id"] in fake_api.callback_answers
        assert "something went wrong" in fake_api.sent_to(ALICE)[-1]["text"]
