"""Plans as councils publish them: DOCX and PDF in, the same records out; add, check, reload.

The fixtures are built in the test run (tests/docfixtures.py) from the seed 2024/25 text
plan's own tables, and the records read back from them are compared with the text version's.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import docx
import pdfplumber
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption

import docfixtures as fx
from indexer.cli import main as cli
from indexer.documents import flag_rows
from indexer.index import open_index
from indexer.manifest import load_manifest
from indexer.models import PlanEntry, PlanError
from indexer.sources import load_plan
from indexer.store import read_store
from indexer.watch import KnowledgeWatcher, knowledge_changed

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def fields(actions) -> list[tuple]:
    """What an officer reads of each action, whitespace-normalised."""
    def norm(text: str) -> str:
        return " ".join(text.split())
    return [(a.priority, a.ref, norm(a.action), norm(a.lead), norm(a.measure)) for a in actions]


def entry_for(path: Path, plan_id: str = "new-plan") -> PlanEntry:
    return PlanEntry(id=plan_id, file=path.name, partnership="Tunbridge Wells", period="2024/25", title="t")


def by_ref(parsed, ref: str):
    return next(a for a in parsed.actions if a.ref == ref)


# -- fixtures, built once per run ---------------------------------------------------------
@pytest.fixture(scope="module")
def seed():
    return fx.seed_plan()


@pytest.fixture(scope="module")
def built(tmp_path_factory, seed):
    folder = tmp_path_factory.mktemp("documents")
    return {
        "docx": fx.build_docx(folder / "plan.docx", seed),
        "pdf": fx.build_pdf(folder / "plan.pdf", seed),
        "folder": folder,
    }


@pytest.fixture(scope="module")
def docx_plan(built):
    return load_plan(built["docx"], entry_for(built["docx"]))


@pytest.fixture(scope="module")
def pdf_plan(built):
    return load_plan(built["pdf"], entry_for(built["pdf"]))


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory):
    """The seed knowledge indexed once; each test gets a copy (building takes seconds)."""
    folder = tmp_path_factory.mktemp("seed-index")
    shutil.copytree(fx.KNOWLEDGE, folder / "knowledge")
    open_index(folder / "knowledge", folder / "data" / "index.db")
    return folder


@pytest.fixture
def knowledge(tmp_path, seed_index):
    """A copy of the seed knowledge folder and of its current index: tests never touch the
    real ones."""
    shutil.copytree(seed_index, tmp_path, dirs_exist_ok=True)
    return tmp_path / "knowledge", tmp_path / "data" / "index.db"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- DOCX ---------------------------------------------------------------------------------
def test_docx_fixture_has_the_awkward_parts(built, seed):
    document = docx.Document(str(built["docx"]))
    body = document.element.body
    assert body.xpath(".//w:gridSpan"), "a heading row merged across the table"
    assert body.xpath(".//w:vMerge"), "a lead cell merged down several rows"
    assert body.xpath('.//w:br[@w:type="page"]')
    assert len(document.tables) == len(seed.priorities) + 1  # priority 2 split in two tables
    second_half = document.tables[2]
    assert [c.text for c in second_half.rows[0].cells] == fx.HEADER
    assert second_half.rows[1].cells[0].text == ""  # the broken row's continuation


def test_docx_records_equal_the_text_version(docx_plan, seed):
    assert fields(docx_plan.actions) == fields(seed.actions)
    assert [(p.number, p.title) for p in docx_plan.priorities] == [(p.number, p.title) for p in seed.priorities]
    assert [(i.kind, i.text) for i in docx_plan.items] == [(i.kind, i.text) for i in seed.items]
    assert docx_plan.warnings == []


def test_docx_row_broken_across_two_tables_is_one_action(docx_plan, seed):
    broken = by_ref(docx_plan, fx.BROKEN_REF)
    assert fields([broken]) == fields([by_ref(seed, fx.BROKEN_REF)])
    assert (broken.page, broken.table) == (1, 2)  # provenance of the row's first part
    after = by_ref(docx_plan, "2.11")
    assert (after.page, after.table, after.row) == (2, 3, 3)  # header, continuation, then 2.11


def test_docx_merged_cells_are_not_duplicated(docx_plan):
    assert docx_plan.priorities[0].title == "Domestic Abuse"  # from the row merged across the table
    merged = fx.vertical_merge_run(fx.seed_plan())
    assert len(merged) == 3
    assert [by_ref(docx_plan, ref).lead for ref in merged] == ["CAP, CST"] * 3


def test_docx_provenance_is_page_table_row(docx_plan):
    for action in docx_plan.actions:
        assert action.source == "plan.docx"
        assert action.page is not None and action.table is not None and action.row is not None
        assert action.line_first is None
    first = docx_plan.actions[0]
    assert (first.page, first.table, first.row) == (1, 1, 3)  # heading row, header row, then 1.1
    assert by_ref(docx_plan, "7.12").to_json()["table"] == 7


def _docx_with_rows(path: Path, tables: list[list[list[str]]]) -> Path:
    """A DOCX with a Priority heading and the given tables (rows of four cells) under it."""
    document = docx.Document()
    document.add_paragraph("Priority 1: Test")
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                table.cell(r, c).text = text
    document.save(str(path))
    return path


def test_docx_vertical_merge_over_a_continuation_row_is_not_repeated(tmp_path):
    path = _docx_with_rows(tmp_path / "merge.docx", [[
        fx.HEADER,
        ["1.1", "Run the first part of", "Kent Police", "Sessions"],
        ["", "a long action.", "", "held."],
        ["1.2", "Another action.", "", "Done."],
    ]])
    document = docx.Document(str(path))
    table = document.tables[0]
    table.cell(1, 2).merge(table.cell(3, 2))  # one lead cell over all three rows
    document.save(str(path))
    parsed = load_plan(path, entry_for(path))
    assert fields(parsed.actions) == [
        ("1", "1.1", "Run the first part of a long action.", "Kent Police", "Sessions held."),
        ("1", "1.2", "Another action.", "Kent Police", "Done."),
    ]


def test_docx_table_continued_without_header_joins_and_other_tables_are_left_out(tmp_path):
    path = _docx_with_rows(tmp_path / "split.docx", [
        [fx.HEADER, ["1.1", "Start of", "KP", "Half"]],
        [["", "the action.", "", "done."], ["1.2", "Next.", "CSU", "Done."]],  # same shape: continues
        [["Name", "Phone"], ["CSU", "01892"]],  # a contacts table: not actions
    ])
    parsed = load_plan(path, entry_for(path))
    assert fields(parsed.actions) == [("1", "1.1", "Start of the action.", "KP", "Half done."),
                                      ("1", "1.2", "Next.", "CSU", "Done.")]


def test_docx_pages_follow_where_word_last_laid_them_out(tmp_path):
    """Word records each page start as w:lastRenderedPageBreak; a row that begins a page is on it."""
    rows = [fx.HEADER] + [[f"1.{n}", f"Action {n}.", "KP", "Done."] for n in range(1, 5)]
    path = _docx_with_rows(tmp_path / "rendered.docx", [rows])
    document = docx.Document(str(path))
    run = document.tables[0].rows[3].cells[0].paragraphs[0].runs[0]._r  # row of 1.3
    run.insert(0, run.makeelement(W + "lastRenderedPageBreak", {}))
    document.add_page_break()  # an explicit break too: Word's layout marks win over it
    document.save(str(path))
    parsed = load_plan(path, entry_for(path))
    assert [(a.ref, a.page) for a in parsed.actions] == [("1.1", 1), ("1.2", 1), ("1.3", 2), ("1.4", 2)]


def test_docx_sections_headed_by_bare_titles_with_all_their_columns(tmp_path):
    entry = next(e for e in load_manifest(fx.KNOWLEDGE / "plans.toml")[0] if e.id == "tm-2014-15")
    text_plan = load_plan(fx.KNOWLEDGE / "plans" / entry.file, entry)
    path = fx.build_titled_docx(tmp_path / "tm.docx", text_plan)
    parsed = load_plan(path, replace(entry, file=path.name))
    assert [(p.number, p.title) for p in parsed.priorities] == [(p.number, p.title) for p in text_plan.priorities]
    assert fields(parsed.actions) == fields(text_plan.actions)
    assert [a.extras for a in parsed.actions] == [a.extras for a in text_plan.actions]


# -- PDF ----------------------------------------------------------------------------------
def test_pdf_fixture_breaks_tables_across_pages(built, pdf_plan):
    pages = sorted({a.page for a in pdf_plan.actions})[1:4]  # a few pages after the first
    firsts = []
    with pdfplumber.open(built["pdf"], pages=pages) as pdf:
        for page in pdf.pages:
            tables = page.find_tables()
            if tables:
                firsts.append(tables[0].extract()[:2])
    repeated_header = [rows for rows in firsts if [c.strip() for c in rows[0]] == fx.HEADER]
    assert len(repeated_header) >= 2  # reportlab repeated the header on the next page
    assert any(rows[1][0] == "" for rows in repeated_header)  # the broken row's continuation


def test_pdf_records_equal_the_text_version(pdf_plan, seed):
    assert fields(pdf_plan.actions) == fields(seed.actions)
    assert [(p.number, p.title) for p in pdf_plan.priorities] == [(p.number, p.title) for p in seed.priorities]
    assert [(i.kind, i.text) for i in pdf_plan.items] == [(i.kind, i.text) for i in seed.items]
    assert pdf_plan.warnings == []


def test_pdf_cell_merged_down_gives_each_action_its_lead(pdf_plan, built):
    merged = fx.vertical_merge_run(fx.seed_plan())
    rows = [by_ref(pdf_plan, ref) for ref in merged]
    with pdfplumber.open(built["pdf"]) as pdf:  # the fixture really has one cell over three rows
        table = pdf.pages[rows[0].page - 1].extract_tables()[rows[0].table - 1]
    assert [cells[2] for cells in table[rows[0].row - 1: rows[0].row + 2]] == ["CAP, CST", None, None]
    assert [a.lead for a in rows] == ["CAP, CST"] * 3


def test_pdf_provenance_is_page_table_row(pdf_plan):
    pages = [a.page for a in pdf_plan.actions]
    assert None not in pages and pages == sorted(pages) and pages[-1] >= 5
    assert all(a.table and a.row and a.line_first is None for a in pdf_plan.actions)
    broken, after = by_ref(pdf_plan, fx.BROKEN_REF), by_ref(pdf_plan, "2.11")
    assert after.page == broken.page + 1  # the row broken at the page end
    assert (after.table, after.row) == (1, 3)  # repeated header, continuation, then 2.11


def test_unruled_pdf_table_is_read_from_its_header_columns(tmp_path, seed):
    part = fx.first_priorities(seed, 2)  # the broken row is in priority 2
    path = fx.build_pdf(tmp_path / "unruled.pdf", part, ruled=False)
    with pdfplumber.open(path, pages=[1]) as pdf:
        assert not pdf.pages[0].find_tables() and not pdf.pages[0].lines  # really no rules
    parsed = load_plan(path, entry_for(path))
    assert fields(parsed.actions) == fields(part.actions)
    assert all(a.page and a.table and a.row for a in parsed.actions)


def test_pdf_without_tables_is_read_as_flowed_text(tmp_path):
    entries = {e.id: e for e in load_manifest(fx.KNOWLEDGE / "plans.toml")[0]}
    entry = entries["tw-2018-19"]
    text_plan = load_plan(fx.KNOWLEDGE / "plans" / entry.file, entry)
    lines = (fx.KNOWLEDGE / "plans" / entry.file).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Priority 1:"))
    end = next(i for i, line in enumerate(lines) if line.strip().startswith("Priority 3:"))
    path = fx.build_text_pdf(tmp_path / "flowed.pdf", lines[start:end])  # priorities 1 and 2
    parsed = load_plan(path, replace(entry, file=path.name, layout="auto"))
    expected = [a for a in text_plan.actions if a.priority in ("1", "2")]
    assert len(expected) > 10 and fields(parsed.actions) == fields(expected)
    pages = [a.page for a in parsed.actions]
    assert None not in pages and pages == sorted(pages) and pages[-1] > 1


# -- malformed files ----------------------------------------------------------------------
def _truncated(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def _no_tables_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Priority 1: Domestic abuse")
    document.add_paragraph("The actions will be agreed at the next meeting.")
    document.save(str(path))
    return path


def _text_file(path: Path) -> Path:
    path.write_text("Priority 1: a text file renamed .docx", encoding="utf-8")
    return path


MALFORMED = {
    "truncated.docx": (lambda b, p: _truncated(b["docx"], p), "truncated"),
    "locked.docx": (lambda b, p: fx.build_encrypted_docx(p, b["docx"]), "password"),
    "notables.docx": (lambda b, p: _no_tables_docx(p), "no tables"),
    "text.docx": (lambda b, p: _text_file(p), "not a Word"),
    "truncated.pdf": (lambda b, p: _truncated(b["pdf"], p), "truncated"),
    "locked.pdf": (lambda b, p: fx.build_text_pdf(p, ["Action Lead Measure"], encrypt=StandardEncryption("pw")),
                   "password"),
    "scanned.pdf": (lambda b, p: fx.build_image_pdf(p), "no text"),
    "letter.pdf": (lambda b, p: fx.build_text_pdf(p, ["Dear colleague,", "", "Please find the plan attached."]),
                   "no action table"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_document_gets_a_clear_error_naming_the_file(name, built, tmp_path):
    make, reason = MALFORMED[name]
    path = make(built, tmp_path / name)
    with pytest.raises(PlanError) as caught:
        load_plan(path, entry_for(path))
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert reason in message.lower() or reason in message


def test_malformed_plan_in_the_manifest_leaves_the_other_plans_indexed(knowledge, built, tmp_path):
    folder, db = knowledge
    before = open_index(folder, db).kb
    _truncated(built["pdf"], folder / "plans" / "broken.pdf")
    with (folder / "plans.toml").open("a", encoding="utf-8") as out:
        out.write('\n[[plan]]\nfile = "broken.pdf"\npartnership = "X"\nperiod = "2025/26"\ntitle = "X"\n')
    after = open_index(folder, db).kb
    assert fields(after.actions) == fields(before.actions)
    assert any(e.startswith("broken.pdf: truncated") for e in after.errors)


# -- cspbot add ---------------------------------------------------------------------------
def test_add_copies_writes_the_manifest_and_reindexes(knowledge, built, capsys):
    folder, db = knowledge
    db.unlink()  # add builds the index whether or not there was one
    code = cli(["add", str(built["docx"]), "--partnership", "Tunbridge Wells", "--period", "2025-26",
                "--knowledge", str(folder), "--db", str(db)])
    assert code == 0, capsys.readouterr().err
    assert "added tunbridge-wells-2025-26: 6 priorities, 93 actions" in capsys.readouterr().out
    assert (folder / "plans" / "tunbridge-wells-2025-26.docx").read_bytes() == built["docx"].read_bytes()
    entries = {e.id: e for e in load_manifest(folder / "plans.toml")[0]}
    added = entries["tunbridge-wells-2025-26"]
    assert (added.period, added.title) == ("2025/26", "Tunbridge Wells Community Safety Partnership Plan 2025/26")
    stored = read_store(db)  # the index add wrote, as the bot loads it
    actions = [a for a in stored.actions if a.plan == "tunbridge-wells-2025-26"]
    assert len(actions) == 93 and actions[0].source == "tunbridge-wells-2025-26.docx"
    assert (actions[0].page, actions[0].table, actions[0].row) == (1, 1, 3)
    assert len(stored.plans) == 6


@pytest.mark.parametrize("argv, message", [
    (["--partnership", "Tunbridge Wells", "--period", "2024/25"], "already in the manifest"),
    (["--partnership", "Tunbridge Wells", "--period", "2025/27"], "is not like"),
])
def test_add_refuses_a_duplicate_or_a_bad_period_and_changes_nothing(knowledge, built, capsys, argv, message):
    folder, db = knowledge
    before, index_before = snapshot(folder), db.read_bytes()
    code = cli(["add", str(built["docx"]), *argv, "--knowledge", str(folder), "--db", str(db)])
    assert code == 1 and message in capsys.readouterr().err
    assert snapshot(folder) == before and db.read_bytes() == index_before


def test_add_refuses_an_unreadable_plan_before_copying(knowledge, built, tmp_path, capsys):
    folder, db = knowledge
    before, index_before = snapshot(folder), db.read_bytes()
    broken = fx.build_image_pdf(tmp_path / "scan.pdf")
    code = cli(["add", str(broken), "--partnership", "Tunbridge Wells", "--period", "2025/26",
                "--knowledge", str(folder), "--db", str(db)])
    assert code == 1 and "scan.pdf: the PDF has no text layer" in capsys.readouterr().err
    assert snapshot(folder) == before and db.read_bytes() == index_before


def test_add_rolls_back_when_the_reindex_fails(knowledge, built, monkeypatch, capsys):
    folder, db = knowledge
    before, index_before = snapshot(folder), db.read_bytes()

    def failing_index(*args, **kwargs):
        db.write_bytes(b"half-written")  # what a crash part-way could leave
        raise PlanError("disk full")
    monkeypatch.setattr("indexer.index.open_index", failing_index)
    code = cli(["add", str(built["docx"]), "--partnership", "Tunbridge Wells", "--period", "2025/26",
                "--knowledge", str(folder), "--db", str(db)])
    assert code == 1 and "disk full" in capsys.readouterr().err
    assert snapshot(folder) == before and db.read_bytes() == index_before


# -- cspbot check -------------------------------------------------------------------------
def test_check_prints_priorities_and_actions_and_exits_0_when_clean(built, capsys):
    assert cli(["check", str(built["docx"])]) == 0
    out = capsys.readouterr().out
    assert "6 priorities, 93 actions" in out
    assert "Priority 5 & 6: Violence, Stalking, Harassment, and VAWG (27 actions)" in out
    assert "2.11" in out and "page 2, table 3, row 3" in out
    assert "no rows flagged" in out


def test_check_flags_rows_that_look_split_or_merged(tmp_path, capsys):
    long_action = ("Run two actions in one row because the table lost a row border: deliver the training "
                   "and also review every licensed venue and report on the result to the partnership board.")
    path = _docx_with_rows(tmp_path / "suspect.docx", [[
        fx.HEADER,
        ["1.1", "Provide a helpline.", "DAVSS", "Calls answered."],
        ["1.2", "Hold a forum.", "", "Forum held."],
        ["1.4", "Fund a worker.", "CSU", "Worker in post."],
        ["1.5", long_action, "KP", "Sessions held."],
        ["1.6", "Train staff.", "KP", ""],
    ]])
    assert cli(["check", str(path)]) == 1
    out = capsys.readouterr().out
    flagged = dict(re.findall(r"^! (\S+) \([^)]*\): (.*)$", out, re.M))  # ref -> reasons
    assert "empty lead" in flagged["1.2"]
    assert "out of sequence (expected 1.3)" in flagged["1.4"]
    assert "action" in flagged["1.5"] and "median" in flagged["1.5"]
    assert "empty measure" in flagged["1.6"]
    assert "1.1" not in flagged


def test_check_exits_2_on_an_unreadable_file(built, tmp_path, capsys):
    path = _truncated(built["docx"], tmp_path / "cut.docx")
    assert cli(["check", str(path)]) == 2
    assert "cut.docx: truncated" in capsys.readouterr().err


def test_seed_plans_are_not_flagged_for_sequence():
    """The seed text plans number their rows in order: no false alarms on refs."""
    for entry in load_manifest(fx.KNOWLEDGE / "plans.toml")[0]:
        parsed = load_plan(fx.KNOWLEDGE / "plans" / entry.file, entry)
        assert not [f for f in flag_rows(parsed.actions) if any("sequence" in r for r in f.reasons)], entry.file


# -- reload -------------------------------------------------------------------------------
def test_watcher_reloads_a_changed_knowledge_folder_after_it_settles(knowledge, built):
    folder, db = knowledge
    index = open_index(folder, db)
    watcher = KnowledgeWatcher(index, folder, db)
    assert watcher.poll() is None and not knowledge_changed(folder, index.report.content_hash)

    shutil.copyfile(built["docx"], folder / "plans" / "tw-2025-26.docx")
    with (folder / "plans.toml").open("a", encoding="utf-8") as out:
        out.write('\n[[plan]]\nfile = "tw-2025-26.docx"\npartnership = "Tunbridge Wells"\n'
                  'period = "2025/26"\ntitle = "Plan 2025/26"\n')
    assert knowledge_changed(folder, index.report.content_hash)
    assert watcher.poll() is None  # changed since the last look: wait one more poll
    result = watcher.poll()
    assert result is not None and result.changed and result.error is None
    assert result.index is watcher.index is not index
    assert sum(a.plan == "tw-2025-26" for a in result.index.kb.actions) == 93
    assert not any(a.plan == "tw-2025-26" for a in index.kb.actions)  # the old index was not touched
    assert watcher.poll() is None


def test_watcher_keeps_the_old_index_when_the_new_knowledge_cannot_be_indexed(knowledge):
    folder, db = knowledge
    index = open_index(folder, db)
    watcher = KnowledgeWatcher(index, folder, db)
    (folder / "plans.toml").write_text("[[plan]\nthis is not toml", encoding="utf-8")
    result = watcher.reload()
    assert result.index is index and not result.changed
    assert "not valid TOML" in result.error
    assert watcher.poll() is None  # a failed build is not retried until the files change again
