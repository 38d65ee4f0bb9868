"""End to end: the real Application polling the fake Bot API through ``base_url``, as
``cspbot run`` runs it, including Bot API failures (429, 5xx, timeouts) and webhook mode."""
from __future__ import annotations

import socket
import time
from collections import Counter

import httpx
from conftest import ALICE, STRANGER, TEAM_GROUP
from fakebotapi import FakeBotAPI

from bot.components.commands import COMMANDS
from bot.components.render import HTML, render_answer

QUESTION = "who is in charge of removing graffiti"


def top_result(app, question: str, intent: str | None = None):
    per_page = app.bot_data["services"].config.limits.results_per_page
    return app.bot_data["search"].ask(question, intent, 0, per_page).results[0]


def each_chat_answered_once(api: FakeBotAPI, chat_ids: list[int]) -> bool:
    return all(len(api.sent_to(chat_id)) == 1 for chat_id in chat_ids)


async def test_question_is_answered_with_lead_and_citation(fake_api, run_bot):
    async with run_bot() as app:
        fake_api.message(ALICE, QUESTION)
        [reply] = await fake_api.wait_for(lambda: fake_api.sent_to(ALICE))
        top = top_result(app, QUESTION)
        assert top.action.lead in reply["text"]
        assert f"Source: {top.citation()}" in reply["text"]
    # start-up registered the command menu
    commands = {c["command"] for c in fake_api.calls_to("setMyCommands")[0].params["commands"]}
    assert {c.name for c in COMMANDS} <= commands


async def test_stranger_is_refused_without_plan_text(fake_api, run_bot):
    async with run_bot() as app:
        fake_api.message(STRANGER, QUESTION)
        [reply] = await fake_api.wait_for(lambda: fake_api.sent_to(STRANGER))
        assert str(STRANGER) in reply["text"]
        top = top_result(app, QUESTION)
        assert top.action.lead not in reply["text"] and top.action.action[:30] not in reply["text"]


async def test_group_mention_and_command_are_answered_chatter_is_not(fake_api, run_bot):
    async with run_bot() as app:
        username = app.bot.username
        fake_api.message(ALICE, "see you all at the meeting", TEAM_GROUP, "supergroup")
        fake_api.message(ALICE, f"@{username} {QUESTION}", TEAM_GROUP, "supergroup")
        fake_api.message(ALICE, "the graffiti on the bridge is back", TEAM_GROUP, "supergroup")
        fake_api.message(ALICE, f"/who@{username} speed watch", TEAM_GROUP, "supergroup")
        await fake_api.wait_for(lambda: len(fake_api.sent_to(TEAM_GROUP)) >= 2)
        await fake_api.quiet(0.3)
        replies = fake_api.sent_to(TEAM_GROUP)
        assert len(replies) == 2
        assert top_result(app, QUESTION).action.lead in replies[0]["text"]  # in order, per chat
        assert top_result(app, "speed watch", "lead").action.lead in replies[1]["text"]


async def test_inline_query_is_answered(fake_api, run_bot):
    async with run_bot() as app:
        update = fake_api.inline(ALICE, "speed watch")
        query_id = update["inline_query"]["id"]
        answer = await fake_api.wait_for(lambda: fake_api.inline_answers.get(query_id))
        assert answer["results"]
        assert answer["results"][0]["title"].startswith(app.bot_data["search"].ask("speed watch", None, 0, 10)
                                                        .results[0].action.ref)


async def test_more_edits_the_message(fake_api, run_bot):
    async with run_bot(limits={"results_per_page": 2}) as app:
        fake_api.message(ALICE, QUESTION)
        [first] = await fake_api.wait_for(lambda: fake_api.sent_to(ALICE))
        update = fake_api.click(ALICE, first, fake_api.buttons(first)["More ▸"])
        [edit] = await fake_api.wait_for(lambda: fake_api.edits)
        assert edit["message_id"] == first["message_id"]
        assert edit["text"] != first["text"]
        second_page = app.bot_data["search"].ask(QUESTION, None, 2, 2).results[0]
        assert second_page.action.action[:40] in edit["text"]
        await fake_api.wait_for(lambda: update["callback_query"]["id"] in fake_api.callback_answers)


async def test_429_with_retry_after_is_waited_out(fake_api, run_bot):
    users = [2001, 2002, 2003]
    async with run_bot(access={"allowed_user_ids": users}) as app:
        fake_api.fail("sendMessage", times=1, status=429, retry_after=1)
        started = time.monotonic()
        for user in users:
            fake_api.message(user, QUESTION)
        await fake_api.wait_for(lambda: each_chat_answered_once(fake_api, users), timeout=10)
        assert time.monotonic() - started >= 1.0  # it waited, not hammered
        await fake_api.quiet(0.3)
        assert each_chat_answered_once(fake_api, users)
        statuses = [c.status for c in fake_api.calls_to("sendMessage")]
        assert statuses.count(429) == 1 and statuses.count(200) == len(users)
        assert all(top_result(app, QUESTION).action.lead in fake_api.sent_to(u)[0]["text"] for u in users)


async def test_500s_are_retried_and_every_update_answered_once(fake_api, run_bot):
    users = [3001, 3002, 3003, 3004]
    async with run_bot(access={"allowed_user_ids": users}):
        fake_api.fail("getUpdates", times=1, status=502)
        fake_api.fail("sendMessage", times=2, status=500)
        for user in users:
            fake_api.message(user, f"/who speed watch {user}")
        await fake_api.wait_for(lambda: each_chat_answered_once(fake_api, users), timeout=10)
        await fake_api.quiet(0.3)
        assert each_chat_answered_once(fake_api, users)
        statuses = Counter(c.status for c in fake_api.calls_to("sendMessage"))
        assert statuses[500] == 2 and statuses[200] == len(users)


async def test_get_updates_timeout_redelivers_without_double_answers(fake_api, run_bot):
    # The first getUpdates hands out the update but answers after the client gave up;
    # Telegram (and the fake) serve it again until an offset confirms it.
    fake_api.fail("getUpdates", times=1, status=200, delay=2.5)
    fake_api.message(ALICE, QUESTION)
    async with run_bot(poll_timeout=0.5, telegram={"request_timeout": 1.0}):
        await fake_api.wait_for(lambda: fake_api.sent_to(ALICE), timeout=10)
        await fake_api.quiet(0.5)
        assert len(fake_api.sent_to(ALICE)) == 1
        assert max(fake_api.deliveries.values()) == 2


async def test_send_timeout_is_not_answered_twice(fake_api, run_bot):
    # sendMessage succeeds on the server but the answer comes after the client's timeout:
    # resending would duplicate the reply, so the bot does not (nor apologise for it).
    async with run_bot(telegram={"request_timeout": 1.0}):
        fake_api.fail("sendMessage", times=1, status=200, delay=1.5)
        fake_api.message(ALICE, QUESTION)
        await fake_api.wait_for(lambda: fake_api.sent_to(ALICE))
        await fake_api.quiet(2.0)
        assert len(fake_api.sent_to(ALICE)) == 1
        assert "went wrong" not in fake_api.sent_to(ALICE)[0]["text"]


async def test_over_long_reply_arrives_split(fake_api, run_bot):
    async with run_bot(limits={"results_per_page": 40}) as app:
        kb = app.bot_data["search"].index.kb
        agency = Counter(lead for a in kb.actions for lead in a.leads).most_common(1)[0][0]
        answer = app.bot_data["search"].ask(agency, "agency", 0, 40)
        assert len(render_answer(answer, HTML)) > 4096  # the case under test
        fake_api.message(ALICE, f"/lead {agency}")
        await fake_api.wait_for(lambda: len(fake_api.sent_to(ALICE)) >= 2)
        await fake_api.quiet(0.3)
        pieces = fake_api.sent_to(ALICE)
        assert all(len(p["text"]) <= 4096 for p in pieces)
        joined = "\n\n".join(p["text"] for p in pieces)
        positions = [joined.index(f"{r.action.ref} {r.action.action[:30]}") for r in answer.results]
        assert positions == sorted(positions)  # every result, in order
        assert [bool(p.get("reply_markup")) for p in pieces] == [False] * (len(pieces) - 1) + [True]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_rejects_a_wrong_secret_token(fake_api, run_bot):
    port = _free_port()
    webhook = {"mode": "webhook", "webhook_url": "https://bot.example.org/tg-hook", "listen": "127.0.0.1",
               "port": port, "secret_token": "right-secret_123"}
    async with run_bot(telegram=webhook) as app:
        assert fake_api.webhook["url"] == webhook["webhook_url"]
        assert fake_api.webhook["secret_token"] == webhook["secret_token"]
        update = fake_api.message(ALICE, QUESTION)  # not polled: posted to the webhook below
        async with httpx.AsyncClient(timeout=5) as client:
            url = f"http://127.0.0.1:{port}/tg-hook"
            wrong = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            missing = await client.post(url, json=update)
            assert (wrong.status_code, missing.status_code) == (403, 403)
            await fake_api.quiet(0.3)
            assert fake_api.sent_to(ALICE) == []
            right = await client.post(url, json=update,
                                      headers={"X-Telegram-Bot-Api-Secret-Token": webhook["secret_token"]})
            assert right.status_code == 200
        [reply] = await fake_api.wait_for(lambda: fake_api.sent_to(ALICE))
        assert top_result(app, QUESTION).action.lead in reply["text"]
