"""config.toml loading and ``cspbot run`` start-up: clear errors, the local-chat fallback."""
from __future__ import annotations

import io
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
from conftest import KNOWLEDGE_DIR, REPO_ROOT
from fakebotapi import TOKEN

from bot.config import SECTIONS, TOKEN_ENV, ConfigError, load_config
from indexer.cli import main

EXAMPLE = REPO_ROOT / "config.example.toml"


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_and_documents_every_key():
    config = load_config(EXAMPLE, environ={})
    assert config.telegram.mode == "polling" and not config.access.open
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    for section, cls in SECTIONS.items():
        assert set(raw[section]) == {f.name for f in fields(cls)}, section


def test_token_comes_from_the_environment_when_the_file_has_none(tmp_path):
    path = write(tmp_path, "[telegram]\ntoken = \"\"\n")
    assert load_config(path, environ={TOKEN_ENV: TOKEN}).telegram.token == TOKEN
    assert load_config(path, environ={}).telegram.token == ""


def test_relative_paths_are_taken_from_the_config_folder(tmp_path):
    path = write(tmp_path, "[storage]\nfeedback_db = \"state/feedback.db\"\n")
    assert load_config(path, environ={}).storage.feedback_db == tmp_path / "state" / "feedback.db"


@pytest.mark.parametrize("text, key", [
    ("[telegram]\ntokn = \"x\"\n", "telegram.tokn"),
    ("[access]\nallowed_user_ids = [\"alice\"]\n", "access.allowed_user_ids"),
    ("[access]\nopen = \"yes\"\n", "access.open"),
    ("[limits]\nquestions_per_minute = -1\n", "limits.questions_per_minute"),
    ("[telegram]\nmode = \"carrier pigeon\"\n", "telegram.mode"),
    ("[telegram]\nmode = \"webhook\"\nwebhook_url = \"https://x.example/hook\"\n", "telegram.secret_token"),
    ("[telegram]\ntoken = \"not a token\"\n", "telegram.token"),
    ("[telegrm]\n", "[telegrm]"),
    ("[telegram\n", "not valid TOML"),
])
def test_bad_config_names_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), environ={})
    assert key in str(error.value)


def test_missing_config_is_an_error_without_fallback(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["run", "--config", str(tmp_path / "missing.toml")]) == 1
    assert "missing.toml: no such file" in capsys.readouterr().err


def test_config_without_token_is_an_error_without_fallback(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["run", "--config", str(write(tmp_path, "[access]\nopen = true\n"))]) == 1
    assert "no bot token" in capsys.readouterr().err


def test_fallback_starts_the_local_chat_and_says_so(tmp_path, capsys, monkeypatch, knowledge_index):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("/who speed watch\n/quit\n"))
    code = main(["run", "--config", str(tmp_path / "missing.toml"), "--fallback-chat",
                 "--db", str(knowledge_index.db_path), "--knowledge", str(KNOWLEDGE_DIR)])
    out = capsys.readouterr()
    assert code == 0
    assert "starting the local chat" in out.err
    lead = knowledge_index.engine.ask("speed watch", intent="lead").results[0].action.lead
    assert f"Lead: {lead}" in out.out


def test_invalid_token_and_missing_index_are_explained(tmp_path, capsys, fake_api):
    db = tmp_path / "fresh-index.db"
    path = write(tmp_path, f"""
[telegram]
token = "987654321:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
base_url = "{fake_api.base_url}"
[access]
allowed_user_ids = [1]
[storage]
knowledge_dir = "{KNOWLEDGE_DIR}"
index_db = "{db}"
feedback_db = "{tmp_path / 'feedback.db'}"
""")
    assert main(["run", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert "no index at" in err and "building it" in err and db.exists()
    assert "Telegram rejected the bot token" in err and "Traceback" not in err
    assert [c.method for c in fake_api.calls] == ["getMe"]
