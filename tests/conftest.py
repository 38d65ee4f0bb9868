"""Shared fixtures. Generic ones first (the index, the fake Bot API); then the bot's.

Add fixtures for other parts of the project here too; keep each one independent.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from indexer.index import open_index

# The indexer's fixtures (the real knowledge base parsed and indexed once per session).
pytest_plugins = ["indexfixtures"]

REPO_ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE_DIR = REPO_ROOT / "knowledge"


# ---------------------------------------------------------------------- generic
@pytest.fixture(scope="session")
def knowledge_index(tmp_path_factory):
    """The real knowledge/ folder indexed into a temporary database (built once per session)."""
    db_path = tmp_path_factory.mktemp("index") / "index.db"
    return open_index(KNOWLEDGE_DIR, db_path)


@pytest.fixture
def fake_api():
    """A fake Telegram Bot API on 127.0.0.1 (see tests/fakebotapi.py)."""
    from fakebotapi import FakeBotAPI
    with FakeBotAPI() as api:
        yield api


# ---------------------------------------------------------------------- the bot
# People and chats the bot tests use.
ALICE = 1001  # an allowed user
ADMIN = 1002  # an admin
STRANGER = 6666  # on no list
TEAM_GROUP = -1001234  # an allowed group chat
OTHER_GROUP = -1009999  # a group not on the list


@pytest.fixture
def make_bot_config(fake_api, knowledge_index, tmp_path):
    """``make_bot_config(limits={...}, telegram={...})``: a config pointing at the fake API, with
    ALICE allowed, ADMIN an admin, TEAM_GROUP allowed; sections' keys can be overridden."""
    from bot.config import config_from_dict

    def make(**sections) -> "BotConfig":  # noqa: F821
        raw = {
            "telegram": {"token": fake_api.token, "base_url": fake_api.base_url, "request_timeout": 3.0,
                         "retries": 3},
            "access": {"allowed_user_ids": [ALICE], "admin_user_ids": [ADMIN], "allowed_chat_ids": [TEAM_GROUP]},
            "storage": {"knowledge_dir": str(KNOWLEDGE_DIR), "index_db": str(knowledge_index.db_path),
                        "feedback_db": str(tmp_path / "feedback.db")},
            "logging": {"level": "INFO"},
        }
        for name, values in sections.items():
            raw.setdefault(name, {}).update(values)
        return config_from_dict(raw, None, environ={})
    return make


@pytest.fixture
def make_bot(make_bot_config, knowledge_index):
    """``async with make_bot(**sections) as app``: an initialised Application (getMe done) for
    driving handlers with ``app.process_update``; nothing polls."""
    from bot.main import build_application

    @asynccontextmanager
    async def make(**sections):
        app = build_application(make_bot_config(**sections), knowledge_index)
        async with app:
            yield app
        app.bot_data["services"].feedback.close()
    return make


@pytest.fixture
def run_bot(make_bot_config, knowledge_index):
    """``async with run_bot(**sections) as app``: the real Application running against the fake
    API, polling (or webhook if so configured), started and stopped like ``cspbot run``."""
    from bot.main import build_application, running

    @asynccontextmanager
    async def run(poll_timeout: float = 1.0, **sections):
        app = build_application(make_bot_config(**sections), knowledge_index)
        async with running(app, poll_timeout=poll_timeout):
            yield app
    return run
