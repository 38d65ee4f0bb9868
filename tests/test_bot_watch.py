"""The running bot picks up a changed knowledge/ folder without a restart (issue 5)."""
from __future__ import annotations

import shutil

from conftest import ALICE, KNOWLEDGE_DIR

PLAN = "tunbridge-wells-2024-25-action-plan.txt"
NEW_ACTION = "Run zebra crossing awareness patrols outside primary schools"


def watched_copy(tmp_path) -> tuple:
    """A private copy of knowledge/ and storage settings that check it every 0.2 s."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    return knowledge, {"knowledge_dir": str(knowledge), "index_db": str(tmp_path / "index.db"), "watch_seconds": 0.2}


async def test_a_changed_plan_is_answered_from_without_a_restart(fake_api, run_bot, tmp_path):
    knowledge, storage = watched_copy(tmp_path)
    async with run_bot(storage=storage) as app:
        before = app.bot_data["search"]
        plan = knowledge / "plans" / PLAN
        plan.write_text(plan.read_text(encoding="utf-8").replace(
            "Develop and agree on a policy for graffiti removal", NEW_ACTION), encoding="utf-8")
        # the watcher waits for the file to settle, rebuilds in a thread, then swaps
        await fake_api.wait_for(lambda: app.bot_data["search"] is not before, timeout=30)
        fake_api.message(ALICE, "who runs the zebra crossing awareness patrols")
        [reply] = await fake_api.wait_for(lambda: fake_api.sent_to(ALICE), timeout=10)
        assert NEW_ACTION in reply["text"]


async def test_a_broken_change_keeps_the_old_index(fake_api, run_bot, tmp_path):
    knowledge, storage = watched_copy(tmp_path)
    async with run_bot(storage=storage) as app:
        before = app.bot_data["search"]
        (knowledge / "plans.toml").write_text("[[plan]\nbroken = ")
        await fake_api.quiet(1.5)
        assert app.bot_data["search"] is before
        fake_api.message(ALICE, "who is in charge of removing graffiti")
        [reply] = await fake_api.wait_for(lambda: fake_api.sent_to(ALICE), timeout=10)
        assert "graffiti" in reply["text"].lower()
