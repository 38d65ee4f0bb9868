"""Plans as councils publish them: Word documents and PDFs, and the ``cspbot add`` / ``check`` commands.

A DOCX or PDF plan is read in two steps:

1. a *reader* (:mod:`indexer.docx_reader`, :mod:`indexer.pdf_reader`) turns the file into a
   list of blocks in reading order: :class:`DocParagraph` (a heading or a paragraph of prose)
   and :class:`DocTable` (rows of cells, each row with its page/table/row provenance). The
   readers know the format (merged cells, page breaks, ruling lines, running headers); they
   know nothing about action plans.
2. :func:`assemble` feeds those blocks to the same :class:`~indexer.tables.ActionTableBuilder`
   the text layouts use, with the heading rules of the tabbed layout (``Priority N: Title``
   headings; a bare title right above an action header starts a section). The builder already
   stitches what a page break does to a table: a repeated header row is skipped and a row
   whose ref cell is empty continues the row above. So a table split over two pages (a PDF)
   or split by its author into two tables (a DOCX) becomes one table, with no second
   table-assembly algorithm here.

Provenance of a record from a document, all 1-based:

* ``page``: PDF, the page; DOCX, 1 + the page breaks before the row (None when the document
  records no page breaks at all);
* ``table``: DOCX, the table's number in the document; PDF, the table's number on its page;
* ``row``: the row's number in that table, header row included (a PDF table without rules
  has one row per printed line, so there it is the line of the table).

A record stitched from several rows keeps the provenance of its first row. A PDF read as
flowed text has only ``page``. ``line_first``/``line_last`` stay None: they are for text plans.
"""
from __future__ import annotations

import json
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from .glossary import extract_definitions
from .manifest import entry_from_dict, load_manifest, normalise_period
from .models import ActionRecord, ParsedPlan, PlanEntry, PlanError
from .blocks import Block, DocParagraph, DocRow, DocTable, assemble, flatten_cell  # noqa: F401 (the readers' vocabulary)
from .tables import describe_where
from .textutil import looks_like_ref


def _document_text(blocks: list[Block]) -> str:
    """Every paragraph and cell of a document as text, one per line (for its own glossary)."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, DocTable):
            lines += [" ".join(c for c in row.cells if c) for row in block.rows]
        else:
            lines.append(block.text)
    return "\n".join(lines)


def finish(blocks: list[Block], entry: PlanEntry, source: str) -> ParsedPlan:
    """Assemble a document's blocks; refuse one with no action table (naming the file)."""
    if not any(isinstance(b, DocTable) for b in blocks):
        raise PlanError(f"{source}: no tables found (a plan's actions are read from its tables)")
    parsed = assemble(blocks, entry, source)
    if not parsed.actions:
        raise PlanError(f"{source}: no action table recognised (looked for a header row naming "
                        f"an Action column and a Lead/Primary agency column)")
    parsed.definitions = [replace(d, line=None) for d in extract_definitions(_document_text(blocks), source)]
    return parsed


def parse_docx(path: Path, entry: PlanEntry) -> ParsedPlan:
    """Parse a Word plan (called by :func:`indexer.sources.load_plan` for ``.docx``)."""
    from .docx_reader import read_docx
    return finish(read_docx(path), entry, path.name)


def parse_pdf(path: Path, entry: PlanEntry) -> ParsedPlan:
    """Parse a PDF plan (called by :func:`indexer.sources.load_plan` for ``.pdf``).

    Ruled tables first; then unruled tables found from their header row, accepted only when
    they have a ref column (they give one row per printed line, and it is the empty ref of a
    wrapped line that joins it to its row); last, a PDF whose actions are not
    in tables at all (text flowed in columns, like the 2018/19 plan) is read by the flowed
    layout.
    """
    from .pdf_reader import ALIGNED, LINES, PdfPlan

    with PdfPlan(path) as pdf:
        for strategy, needs_refs in ((LINES, False), (ALIGNED, True)):
            blocks = pdf.blocks(strategy)
            if blocks is None:
                continue
            try:
                parsed = finish(blocks, entry, path.name)
            except PlanError:
                continue  # tables, but none of them an action table
            if needs_refs and any(a.ref_generated for a in parsed.actions):
                continue
            return parsed
        return pdf.flowed(entry)


# -- cspbot check ---------------------------------------------------------------------------
@dataclass
class RowFlag:
    record: ActionRecord
    reasons: list[str] = field(default_factory=list)


def _ref_key(ref: str) -> tuple[int, ...] | None:
    """``"2.10"`` -> ``(2, 10)``, ``"7"`` -> ``(7,)``; None for anything else."""
    return tuple(int(p) for p in ref.strip().split(".")) if looks_like_ref(ref) else None


def _next_ref(key: tuple[int, ...]) -> tuple[int, ...]:
    return key[:-1] + (key[-1] + 1,)


def flag_rows(actions: list[ActionRecord], ratio: float = 3.0, min_length: int = 60) -> list[RowFlag]:
    """Rows that look split or merged, with the reasons an officer should look at them.

    * an empty lead or measure (when the plan has that column at all): a cell lost, or a row
      split so that its lead/measure went to the next row;
    * a ref out of sequence within its priority (repeated, skipped, or going backwards): a
      row merged into another, or a continuation given a ref of its own;
    * a cell more than ``ratio`` times longer than the median of its column (and at least
      ``min_length`` characters): two rows run together.
    """
    flags = {id(a): RowFlag(a) for a in actions}
    for column in ("lead", "measure"):
        if any(getattr(a, column) for a in actions):
            for action in actions:
                if not getattr(action, column).strip():
                    flags[id(action)].reasons.append(f"empty {column}")
    previous: dict[str, tuple[int, ...]] = {}
    for action in actions:
        if action.ref_generated:
            continue
        key = _ref_key(action.ref)
        if key is None:
            flags[id(action)].reasons.append(f"odd ref {action.ref!r}")
            continue
        last = previous.get(action.priority)
        if last is not None and key != _next_ref(last):
            expected = ".".join(str(n) for n in _next_ref(last))
            flags[id(action)].reasons.append(f"ref out of sequence (expected {expected})")
        previous[action.priority] = key
    for column in ("action", "lead", "measure"):
        lengths = [len(getattr(a, column)) for a in actions if getattr(a, column)]
        if len(lengths) < 3:
            continue
        median = statistics.median(lengths)
        for action in actions:
            length = len(getattr(action, column))
            if length >= min_length and length > ratio * median:
                flags[id(action)].reasons.append(f"{column} {length} chars, {length / median:.1f}x its column's median")
    return [f for f in flags.values() if f.reasons]


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_check(parsed: ParsedPlan, flags: list[RowFlag], out=None) -> None:
    """The dry-run report: priorities, a table of actions, then the flagged rows."""
    out = out or sys.stdout
    print(f"{parsed.entry.file}: {len(parsed.priorities)} priorities, {len(parsed.actions)} actions", file=out)
    for priority in parsed.priorities:
        count = sum(1 for a in parsed.actions if a.priority == priority.number)
        print(f"  Priority {priority.number}: {priority.title} ({count} actions)", file=out)
    flagged = {id(f.record) for f in flags}
    widths = (7, 46, 28, 36)
    print(file=out)
    print(f"  {'ref':<{widths[0]}} {'action':<{widths[1]}} {'lead':<{widths[2]}} {'measure':<{widths[3]}} where",
          file=out)
    for a in parsed.actions:
        mark = "!" if id(a) in flagged else " "
        print(f"{mark} {_cut(a.ref, widths[0]):<{widths[0]}} {_cut(a.action, widths[1]):<{widths[1]}} "
              f"{_cut(a.lead, widths[2]):<{widths[2]}} {_cut(a.measure, widths[3]):<{widths[3]}} {describe_where(a)}",
              file=out)
    for warning in parsed.warnings:
        print(f"warning: {warning}", file=out)
    if flags:
        print(f"\n{len(flags)} row(s) look split or merged; check them in the source before adding it:", file=out)
        for flag in flags:
            print(f"! {flag.record.ref} ({describe_where(flag.record)}): {'; '.join(flag.reasons)}", file=out)
    else:
        print("\nno rows flagged", file=out)


def check_plan(args) -> int:
    """``cspbot check FILE``: what the plan would index, and rows that look split or merged.

    Nothing is copied or indexed. Exit status: 0 when no row is flagged, 1 when some rows are
    flagged (the plan still parses; an officer should look at those rows), 2 when the file
    cannot be read as a plan at all.
    """
    from .sources import load_plan

    path = Path(args.file)
    period = normalise_period(getattr(args, "period", "") or "") or "2000/01"
    entry = PlanEntry(id="check", file=path.name, partnership=getattr(args, "partnership", "(check)"),
                      period=period, title=path.name)
    try:
        parsed = load_plan(path, entry)
    except PlanError as exc:
        print(f"cspbot check: {exc}", file=sys.stderr)
        return 2
    flags = flag_rows(parsed.actions)
    print_check(parsed, flags)
    return 1 if flags else 0


# -- cspbot add -----------------------------------------------------------------------------
ADDABLE_SUFFIXES = {".txt", ".docx", ".pdf"}


def slug(text: str) -> str:
    """``"Tunbridge Wells"`` -> ``"tunbridge-wells"``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def new_entry(file: Path, partnership: str, period: str, title: str | None) -> PlanEntry:
    """The manifest entry ``cspbot add`` writes: id and file name from partnership and period."""
    normalised = normalise_period(period)
    if normalised is None:
        raise PlanError(f"period {period!r} is not like \"2025/26\"")
    if not partnership.strip():
        raise PlanError("--partnership must not be empty")
    suffix = file.suffix.lower()
    if suffix not in ADDABLE_SUFFIXES:
        raise PlanError(f"{file.name}: unsupported file type {suffix or '(none)'!r} (use .txt, .docx or .pdf)")
    plan_id = f"{slug(partnership)}-{normalised.replace('/', '-')}"
    title = (title or "").strip() or f"{partnership.strip()} Community Safety Partnership Plan {normalised}"
    return PlanEntry(id=plan_id, file=f"{plan_id}{suffix}", partnership=partnership.strip(),
                     period=normalised, title=title)


def manifest_block(entry: PlanEntry) -> str:
    """The ``[[plan]]`` TOML text for ``entry`` (JSON string escapes are valid TOML)."""
    def value(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)
    return (f"\n[[plan]]\nid = {value(entry.id)}\nfile = {value(entry.file)}\n"
            f"partnership = {value(entry.partnership)}\nperiod = {value(entry.period)}\n"
            f"title = {value(entry.title)}\n")


def _refuse_duplicate(entry: PlanEntry, knowledge_dir: Path) -> None:
    """A plan for the same partnership and period, or the same file, is not added twice."""
    entries, _ = load_manifest(knowledge_dir / "plans.toml")
    for existing in entries:
        same_plan = (existing.partnership.lower() == entry.partnership.lower() and existing.period == entry.period)
        if existing.id == entry.id or same_plan:
            raise PlanError(f"{entry.partnership} {entry.period} is already in the manifest as {existing.id!r} "
                            f"({existing.file}); to replace it, edit knowledge/plans.toml and the file by hand")
    if (knowledge_dir / "plans" / entry.file).exists():
        raise PlanError(f"knowledge/plans/{entry.file} already exists; remove it or choose another period")


class _Rollback:
    """Undo for ``cspbot add``: the manifest's bytes, the copied plan, the index files."""

    def __init__(self, manifest: Path, index_files: list[Path]):
        self.manifest, self.manifest_bytes = manifest, manifest.read_bytes()
        self.copied: Path | None = None
        self._backup = Path(tempfile.mkdtemp(prefix="cspbot-add-"))
        self.index_files = {p: (self._backup / p.name if p.exists() else None) for p in index_files}
        for path, saved in self.index_files.items():
            if saved is not None:
                shutil.copy2(path, saved)

    def undo(self) -> None:
        self.manifest.write_bytes(self.manifest_bytes)
        if self.copied is not None:
            self.copied.unlink(missing_ok=True)
        for path, saved in self.index_files.items():
            if saved is None:
                path.unlink(missing_ok=True)
            else:
                shutil.copy2(saved, path)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self._backup, ignore_errors=True)


def add_plan(args) -> int:
    """``cspbot add FILE --partnership NAME --period 2025/26 [--title T]``.

    Parses the file first (a plan that cannot be read is refused before anything changes),
    then copies it into ``knowledge/plans/`` as ``<partnership>-<period>.<ext>``, appends its
    ``[[plan]]`` entry to ``plans.toml`` and rebuilds the index. A plan for a partnership and
    period already in the manifest is refused (replacing one is a hand edit). On any failure
    the copy, the manifest and the index files are put back as they were.
    """
    from .index import DEFAULT_DB, DEFAULT_KNOWLEDGE, model_path, open_index
    from .sources import load_plan

    source = Path(args.file)
    knowledge_dir = Path(getattr(args, "knowledge", None) or DEFAULT_KNOWLEDGE)
    db_path = Path(getattr(args, "db", None) or DEFAULT_DB)
    if not source.is_file():
        raise PlanError(f"{source}: file not found")
    entry = new_entry(source, args.partnership, args.period, getattr(args, "title", None))
    entry_from_dict({"id": entry.id, "file": entry.file, "partnership": entry.partnership,
                     "period": entry.period, "title": entry.title}, 0)  # the manifest's own checks
    _refuse_duplicate(entry, knowledge_dir)
    try:
        parsed = load_plan(source, replace(entry, file=source.name))
    except PlanError as exc:
        raise PlanError(f"not added: {exc}") from exc

    manifest = knowledge_dir / "plans.toml"
    rollback = _Rollback(manifest, [db_path, model_path(db_path)])
    try:
        target = knowledge_dir / "plans" / entry.file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        rollback.copied = target
        with manifest.open("a", encoding="utf-8") as out:
            out.write(manifest_block(entry))
        entries, _ = load_manifest(manifest)
        if entry.id not in {e.id for e in entries}:
            raise PlanError(f"{manifest}: the new entry for {entry.id!r} did not read back")
        index = open_index(knowledge_dir, db_path, rebuild=True)
        if index.kb.plan(entry.id) is None:
            errors = [e for e in index.report.errors if entry.file in e] or index.report.errors
            raise PlanError(f"{entry.file}: not indexed: {'; '.join(errors) or 'unknown reason'}")
    except BaseException:
        rollback.undo()
        raise
    rollback.discard()

    actions = [a for a in index.kb.actions if a.plan == entry.id]
    priorities = [p for p in index.kb.priorities if p.plan == entry.id]
    print(f"added {entry.id}: {len(priorities)} priorities, {len(actions)} actions from {source.name}")
    print(f"  copied to {target}")
    print(f"  manifest {manifest}; index {db_path} rebuilt in {index.report.seconds:.2f}s")
    for warning in parsed.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    flags = flag_rows(parsed.actions)
    if flags:
        print(f"note: {len(flags)} row(s) look split or merged; `cspbot check {source}` lists them", file=sys.stderr)
    return 0
