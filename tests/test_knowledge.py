"""Building the knowledge base and the index: manifest, glossary, bad input, storage, CLI."""
import json
import shutil
import sqlite3

import pytest
from indexfixtures import KNOWLEDGE, copy_knowledge

from indexer.agencies import AgencyResolver
from indexer.cli import main
from indexer.glossary import Glossary, extract_definitions
from indexer.index import model_path, open_index
from indexer.knowledge import build_knowledge
from indexer.manifest import load_manifest, normalise_period
from indexer.models import PlanError

EXPECTED = {"2024/25": 93, "2022/23": 71, "2018/19": 44, "2015/16": 42, "2014/15": 39}


@pytest.fixture
def knowledge(tmp_path):
    return copy_knowledge(tmp_path / "knowledge")


def counts(kb):
    out = {}
    for action in kb.actions:
        out[action.period] = out.get(action.period, 0) + 1
    return out


# ---------------------------------------------------------------- the real plans
def test_every_plan_indexes_with_the_published_counts(real_index):
    assert counts(real_index.kb) == EXPECTED
    assert real_index.kb.errors == []
    assert len({a.uid for a in real_index.kb.actions}) == sum(EXPECTED.values())


def test_every_action_has_text_lead_and_citation(real_index):
    for a in real_index.kb.actions:
        assert a.action and a.lead and a.leads, a.uid
        assert a.source.endswith(".txt") and a.line_first <= a.line_last
        assert a.measure or a.extras.get("target"), a.uid


def test_manifest_entries_describe_each_plan():
    entries, errors = load_manifest(KNOWLEDGE / "plans.toml")
    assert errors == []
    assert {e.period for e in entries} == set(EXPECTED)
    assert all((KNOWLEDGE / "plans" / e.file).exists() for e in entries)


# ---------------------------------------------------------------- glossary and agencies
def test_definitions_are_extracted_both_ways_with_line():
    text = "We fund Protection Against Stalking (PAS) here.\nCGL (Change, Grow, Live) runs it.\nThe (UK) thing."
    found = {d.term: d for d in extract_definitions(text, "plan.txt")}
    assert found["PAS"].meaning == "Protection Against Stalking" and found["PAS"].line == 1
    assert found["CGL"].meaning == "Change, Grow, Live" and found["CGL"].line == 2
    assert "UK" not in found


def test_glossary_holds_hand_written_and_extracted_terms(real_index):
    terms = {d.term: d for d in real_index.kb.definitions}
    assert terms["KP"].source == "glossary.toml" and terms["KP"].meaning == "Kent Police"
    assert terms["PAS"].meaning == "Protection Against Stalking" and terms["PAS"].source.endswith(".txt")
    assert terms["PAS"].line


def test_leads_split_and_resolve_aliases():
    resolver = AgencyResolver(Glossary.load(KNOWLEDGE / "glossary.toml"))
    assert resolver.split("CSM, IAG, KP, TWBC Insight Officer") == [
        "Community Safety Manager", "Independent Advisory Group", "Kent Police", "TWBC Insight Officer"]
    assert resolver.split("Look Ahead / KIDAS") == ["Look Ahead", "Kent Integrated Domestic Abuse Service"]
    assert resolver.split("TWBC Comms & Community Safety Team") == ["TWBC Comms", "TWBC Community Safety Team"]
    assert resolver.split("Safe Town Partnership (STP), CCTV and Kent Police") == [
        "Safe Town Partnership", "CCTV", "Kent Police"]
    assert resolver.canonical("Kent Polce") == "Kent Police"  # rapidfuzz near-miss


def test_period_spellings():
    assert normalise_period("2015-16") == "2015/16"
    assert normalise_period("2015/2016") == "2015/16"
    assert normalise_period("2015/17") is None


# ---------------------------------------------------------------- bad input
def _entry_for(knowledge, plan_file):
    return next(e for e in load_manifest(knowledge / "plans.toml")[0] if e.file == plan_file)


@pytest.mark.parametrize("problem, content, message", [
    ("empty", b"   \n\n", "file is empty"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
    ("no tables", b"Community Safety Plan\n\nWe will keep everyone safe.\n", "no action table recognised"),
])
def test_a_bad_plan_names_the_file_and_the_others_still_index(knowledge, problem, content, message):
    target = knowledge / "plans" / "tunbridge-wells-2022-23-plan-and-strategic-assessment.txt"
    target.write_bytes(content)
    kb = build_knowledge(knowledge)
    assert len(kb.errors) == 1 and target.name in kb.errors[0] and message in kb.errors[0]
    assert counts(kb) == {k: v for k, v in EXPECTED.items() if k != "2022/23"}


def test_missing_plan_file(knowledge):
    (knowledge / "plans" / "tunbridge-wells-2015-16-partnership-plan.txt").unlink()
    kb = build_knowledge(knowledge)
    assert kb.errors == ["tunbridge-wells-2015-16-partnership-plan.txt: file not found (listed in the manifest)"]
    assert "2015/16" not in counts(kb)


def test_cp1252_plan_is_read_with_a_warning(knowledge):
    target = knowledge / "plans" / "tunbridge-wells-2024-25-action-plan.txt"
    target.write_bytes(target.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    kb = build_knowledge(knowledge)
    assert counts(kb)["2024/25"] == 93
    assert any(target.name in w and "cp1252" in w for w in kb.warnings)
    assert any("Café" in a.lead for a in kb.actions if a.period == "2024/25")


def test_a_bad_manifest_entry_is_named(knowledge):
    manifest = knowledge / "plans.toml"
    manifest.write_text(manifest.read_text() + '\n[[plan]]\nfile = "new.txt"\npartnership = "X"\nperiod = "next year"\ntitle = "T"\n')
    kb = build_knowledge(knowledge)
    assert kb.errors == ['plan entry 6 (new.txt): period \'next year\' is not like "2024/25"']
    assert counts(kb) == EXPECTED


def test_a_broken_manifest_fails_the_build_and_keeps_the_previous_index(knowledge, tmp_path):
    db = tmp_path / "index.db"
    first = open_index(knowledge, db)
    (knowledge / "plans.toml").write_text("[[plan]\nfile = ")
    with pytest.raises(PlanError, match="plans.toml: not valid TOML"):
        open_index(knowledge, db)
    # the previous index is intact and still answers
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from actions").fetchone()[0] == len(first.kb.actions)


def test_strict_turns_warnings_into_a_failing_exit(knowledge, tmp_path, capsys):
    target = knowledge / "plans" / "tunbridge-wells-2024-25-action-plan.txt"
    target.write_bytes(target.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    db = tmp_path / "index.db"
    assert main(["index", "--knowledge", str(knowledge), "--db", str(db)]) == 0
    assert main(["index", "--knowledge", str(knowledge), "--db", str(db), "--strict"]) == 1
    assert "cp1252" in capsys.readouterr().err


# ---------------------------------------------------------------- storage
def test_build_is_idempotent_and_a_change_rebuilds(knowledge, tmp_path):
    db = tmp_path / "index.db"
    assert open_index(knowledge, db).report.built
    again = open_index(knowledge, db)
    assert not again.report.built and len(again.kb.actions) == sum(EXPECTED.values())
    assert again.engine.ask("who leads graffiti work").results
    plan = knowledge / "plans" / "tunbridge-wells-2024-25-action-plan.txt"
    plan.write_text(plan.read_text().replace("Develop and agree on a policy for graffiti removal",
                                             "Develop and agree on a policy for graffiti and fly-poster removal"))
    changed = open_index(knowledge, db)
    assert changed.report.built
    assert any("fly-poster" in a.action for a in changed.kb.actions)


def test_a_missing_model_is_refitted(knowledge, tmp_path):
    db = tmp_path / "index.db"
    open_index(knowledge, db)
    model_path(db).unlink()
    index = open_index(knowledge, db)
    assert not index.report.built and index.engine.ask("who leads graffiti work").results
    assert model_path(db).exists()


def test_store_has_the_tables(real_index):
    con = sqlite3.connect(real_index.db_path)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert {"plans", "priorities", "actions", "agencies", "glossary", "plan_items", "meta"} <= tables
    meta = dict(con.execute("select key, value from meta"))
    assert meta["schema_version"] and meta["content_hash"]
    kent = con.execute("select actions from agencies where name = 'Kent Police'").fetchone()[0]
    assert kent > 20


# ---------------------------------------------------------------- CLI
def test_cli_actions_json(tmp_path, capsys):
    db = tmp_path / "index.db"
    assert main(["actions", "--json", "--knowledge", str(KNOWLEDGE), "--db", str(db)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == sum(EXPECTED.values())
    required = {"plan", "partnership", "period", "priority", "ref", "action", "lead", "leads", "measure", "source", "lines"}
    assert all(required <= set(r) for r in rows)
    tm = next(r for r in rows if r["period"] == "2014/15")
    assert {"baseline", "target", "q1"} <= set(tm)


def test_cli_index_summary(tmp_path, capsys):
    db = tmp_path / "index.db"
    assert main(["index", "--knowledge", str(KNOWLEDGE), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "built" in out and "289 actions" in out
    assert main(["index", "--knowledge", str(KNOWLEDGE), "--db", str(db)]) == 0
    assert "loaded (unchanged)" in capsys.readouterr().out


def test_cli_reports_an_unusable_knowledge_folder(tmp_path, capsys):
    empty = tmp_path / "knowledge"
    empty.mkdir()
    assert main(["index", "--knowledge", str(empty), "--db", str(tmp_path / "i.db")]) == 1
    assert "manifest not found" in capsys.readouterr().err
    shutil.rmtree(empty)
