"""Build DOCX and PDF plans in the test run, from the seed text plan's own tables.

The 2024/25 Tunbridge Wells plan (``knowledge/plans/tunbridge-wells-2024-25-action-plan.txt``)
is parsed with the text parser; its priorities and actions are then written out the way a
council's Word document or PDF holds them, with the awkward parts the text version shows:

DOCX (python-docx), one table per priority, header row ``"", Action, Lead, Measure``:

* Priority 1's heading is not a paragraph but the table's first row, one cell merged across
  all four columns (``gridSpan``);
* Priority 2's table is split by its author into two tables, with a page break between them,
  the header repeated, and the row :data:`BROKEN_REF` cut in two: its first half ends table
  one, its second half opens table two as a row with an empty ref (as in the text version);
* the first run of rows sharing a lead (3.8-3.10, "CAP, CST") has that lead cell merged
  vertically (``vMerge``); each of those actions is expected to keep the lead, as in the text;
* each priority's longest action is typed as several paragraphs inside its cell, and each
  priority's longest measure has a soft line break: wrapped cells.

PDF (reportlab platypus): a heading paragraph per priority and a ruled ``Table`` of
``Paragraph`` cells (so long cells wrap over several lines) with ``repeatRows=1``; the tables
are long enough that reportlab breaks them across pages and repeats the header. reportlab
only breaks a table between rows, so the row broken at the page end is made explicitly: the
same cut of :data:`BROKEN_REF` as in the DOCX, with a ``PageBreak`` after the first half and a
second table (header, then the continuation row with an empty ref). The same run of rows
sharing a lead as in the DOCX has its lead cell spanning those rows (``SPAN``). Every page has
a running header and a page-number footer, which the reader must not take for headings.
``ruled=False`` draws the same tables with no rules at all.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape

from indexer.manifest import load_manifest
from indexer.models import ActionRecord, ParsedPlan
from indexer.sources import load_plan

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
SEED_FILE = "tunbridge-wells-2024-25-action-plan.txt"
BROKEN_REF = "2.10"  # the row the text version shows broken by a page break
HEADER = ["", "Action", "Lead", "Measure"]
TITLE = "Community Safety Partnership Action Plan 2024/25"
RUNNING_HEADER = "Tunbridge Wells CSP - Action Plan 2024/25"


def seed_plan() -> ParsedPlan:
    """The 2024/25 text plan, parsed by the text parser: the expected records."""
    entries, _ = load_manifest(KNOWLEDGE / "plans.toml")
    entry = next(e for e in entries if e.file == SEED_FILE)
    return load_plan(KNOWLEDGE / "plans" / SEED_FILE, entry)


def first_priorities(plan: ParsedPlan, count: int) -> ParsedPlan:
    """The plan cut to its first ``count`` priorities (a smaller, faster fixture)."""
    keep = [p.number for p in plan.priorities[:count]]
    return replace(plan, priorities=plan.priorities[:count],
                   actions=[a for a in plan.actions if a.priority in keep])


def split_words(text: str) -> tuple[str, str]:
    """``text`` cut at the word boundary nearest its middle (the rest may be empty)."""
    words = text.split()
    middle = (len(words) + 1) // 2
    return " ".join(words[:middle]), " ".join(words[middle:])


def wrap_words(text: str, width: int = 40) -> list[str]:
    """``text`` as lines of about ``width`` characters, cut at spaces."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return lines + ([current] if current else [])


@dataclass
class Section:
    """One priority of the seed plan: heading and rows."""

    number: str
    title: str
    actions: list[ActionRecord]

    @property
    def heading(self) -> str:
        return f"Priority {self.number}: {self.title}"


def sections(plan: ParsedPlan) -> list[Section]:
    return [Section(p.number, p.title, [a for a in plan.actions if a.priority == p.number])
            for p in plan.priorities]


def trailing_items(plan: ParsedPlan) -> tuple[str, list[str]]:
    """The "In addition ... around:" paragraph and its bullets."""
    intro = next(i.text for i in plan.items if i.kind == "other commitments heading")
    return intro, [i.text for i in plan.items if i.kind == "other commitment"]


def _row_cells(action: ActionRecord) -> list[str]:
    return [action.ref, action.action, action.lead, action.measure]


def broken_halves(action: ActionRecord) -> tuple[list[str], list[str]]:
    """The row cut at a page end: its first part, and the continuation (empty ref)."""
    halves = [split_words(text) for text in (action.action, action.lead, action.measure)]
    return [action.ref] + [h[0] for h in halves], [""] + [h[1] for h in halves]


def vertical_merge_run(plan: ParsedPlan) -> list[str]:
    """Refs of the first run of 3+ consecutive rows (same priority) sharing one lead, or []."""
    for section in sections(plan):
        run: list[ActionRecord] = []
        for action in section.actions:
            if run and action.lead == run[-1].lead:
                run.append(action)
                continue
            if len(run) >= 3:
                break
            run = [action]
        if len(run) >= 3:
            return [a.ref for a in run]
    return []


# -- DOCX ---------------------------------------------------------------------------------
def _set_cell(cell, text: str, paragraphs: bool = False, soft_break: bool = False) -> None:
    """Write ``text`` into a table cell: one paragraph, several (wrapped), or a line break."""
    if paragraphs:
        lines = wrap_words(text, 30)
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    elif soft_break and len(text.split()) > 1:
        first, rest = split_words(text)
        cell.text = ""
        run = cell.paragraphs[0].add_run(first)
        run.add_break()
        cell.paragraphs[0].add_run(rest)
    else:
        cell.text = text


def _docx_table(document, rows: list[list[str]], wrapped: set[int] = frozenset(),
                soft: set[int] = frozenset(), heading: str | None = None):
    """A table with the header row, optionally a merged heading row above it."""
    offset = 1 if heading else 0
    table = document.add_table(rows=len(rows) + 1 + offset, cols=4)
    table.style = "Table Grid"
    if heading:
        merged = table.cell(0, 0).merge(table.cell(0, 3))
        merged.text = heading
        merged.paragraphs[0].runs[0].bold = True
    word_rows = table.rows[offset:]  # row.cells: table.cell() rescans the whole table
    for cell, name in zip(word_rows[0].cells, HEADER):
        cell.text = name
    for index, (word_row, cells) in enumerate(zip(word_rows[1:], rows)):
        for column, (cell, text) in enumerate(zip(word_row.cells, cells)):
            _set_cell(cell, text, paragraphs=(index, column) in wrapped, soft_break=(index, column) in soft)
    return table


def _longest(actions: list[ActionRecord], field: str) -> int:
    return max(range(len(actions)), key=lambda i: len(getattr(actions[i], field)))


def build_docx(path: Path, plan: ParsedPlan | None = None) -> Path:
    """Write the seed plan as a Word document (see the module docstring for what is in it)."""
    import docx

    plan = plan or seed_plan()
    document = docx.Document()
    document.add_heading(TITLE, level=0)
    document.add_paragraph("This plan sets out how partners will address crime and anti-social behaviour.")
    merge_refs = vertical_merge_run(plan)
    for number, section in enumerate(sections(plan)):
        rows = [_row_cells(a) for a in section.actions]
        wrapped = {(_longest(section.actions, "action"), 1)}
        soft = {(_longest(section.actions, "measure"), 3)}
        if number == 0:
            _docx_table(document, rows, wrapped, soft, heading=section.heading)
            continue
        document.add_heading(section.heading, level=2)
        refs = [a.ref for a in section.actions]
        if BROKEN_REF in refs:
            cut = refs.index(BROKEN_REF)
            first, rest = broken_halves(section.actions[cut])
            _docx_table(document, rows[:cut] + [first], {w for w in wrapped if w[0] < cut})
            document.add_page_break()
            _docx_table(document, [rest] + rows[cut + 1:], {(w[0] - cut, w[1]) for w in wrapped if w[0] > cut},
                        {(s[0] - cut, s[1]) for s in soft if s[0] > cut})
            continue
        table = _docx_table(document, rows, wrapped, soft)
        if merge_refs and merge_refs[0] in refs:
            top, bottom = refs.index(merge_refs[0]) + 1, refs.index(merge_refs[-1]) + 1
            for row in range(top + 1, bottom + 1):
                table.cell(row, 2).text = ""
            table.cell(top, 2).merge(table.cell(bottom, 2))
    intro, bullets = trailing_items(plan)
    document.add_paragraph(intro)
    for bullet in bullets:
        document.add_paragraph(bullet, style="List Bullet")
    document.save(str(path))
    return path


def plan_header(plan: ParsedPlan) -> list[str]:
    """The first action header row of a tab-separated text plan, as its cells."""
    from indexer.tables import header_fields

    text = (KNOWLEDGE / "plans" / plan.entry.file).read_text(encoding="utf-8")
    return next(line.split("\t") for line in text.splitlines() if header_fields(line.split("\t")))


def _column_text(action: ActionRecord, field: str | None) -> str:
    if field in ("ref", "action", "lead", "measure"):
        return getattr(action, field)
    return action.extras.get(field, "") if field else ""


def build_titled_docx(path: Path, plan: ParsedPlan) -> Path:
    """A plan whose sections are headed by a bare title, no "Priority N:" (Tonbridge and
    Malling 2014/15), as a DOCX: title paragraph, then a table with the text plan's own header
    row and every column it has (baseline, target, quarters, progress)."""
    import docx
    from indexer.tables import header_fields

    header = plan_header(plan)
    columns = header_fields(header)
    document = docx.Document()
    document.add_paragraph(plan.entry.title)
    for section in sections(plan):
        document.add_paragraph(section.title)
        table = document.add_table(rows=len(section.actions) + 1, cols=len(header))
        rows = [header] + [[_column_text(action, field) for field in columns] for action in section.actions]
        for row, texts in zip(table.rows, rows):  # row.cells: table.cell() rescans the table
            for cell, text in zip(row.cells, texts):
                cell.text = text
    document.save(str(path))
    return path


# -- PDF ----------------------------------------------------------------------------------
def _pdf_styles():
    from reportlab.lib.styles import getSampleStyleSheet

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8.5, leading=10.5)
    return styles, cell


def _pdf_table(rows: list[list[str]], cell_style, ruled: bool = True, merge: tuple[int, int] | None = None):
    """A platypus table under the header row; ``merge``: first and last row index (into
    ``rows``) of a lead cell spanning those rows."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(f"<b>{escape(h)}</b>", cell_style) for h in HEADER]]
    data += [[Paragraph(escape(text), cell_style) for text in cells] for cells in rows]
    if merge:
        for index in range(merge[0] + 1, merge[1] + 1):
            data[index + 1][2] = ""  # the span's text is the first row's
    table = Table(data, colWidths=[12 * mm, 70 * mm, 45 * mm, 50 * mm], repeatRows=1)
    style = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    if ruled:
        style += [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]
    if merge:
        style.append(("SPAN", (2, merge[0] + 1), (2, merge[1] + 1)))
    table.setStyle(TableStyle(style))
    return table


def _page_furniture(canvas, document) -> None:
    """Running header and page number on every page."""
    from reportlab.lib.pagesizes import A4

    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(document.leftMargin, A4[1] - 30, RUNNING_HEADER)
    canvas.drawRightString(A4[0] - document.rightMargin, 25, f"Page {document.page}")
    canvas.restoreState()


def pdf_story(plan: ParsedPlan, ruled: bool = True):
    """The platypus flowables of the seed plan (see the module docstring); ``ruled=False``
    draws the tables without any rules, as many exported plans are."""
    from reportlab.platypus import ListFlowable, ListItem, PageBreak, Paragraph, Spacer

    styles, cell = _pdf_styles()
    merge_refs = vertical_merge_run(plan)
    story = [Paragraph(escape(TITLE), styles["Title"]),
             Paragraph("This plan sets out how partners will address crime and anti-social behaviour.",
                       styles["BodyText"])]
    for section in sections(plan):
        story.append(Paragraph(escape(section.heading), styles["Heading2"]))
        rows = [_row_cells(a) for a in section.actions]
        refs = [a.ref for a in section.actions]
        if BROKEN_REF in refs:
            cut = refs.index(BROKEN_REF)
            first, rest = broken_halves(section.actions[cut])
            story += [_pdf_table(rows[:cut] + [first], cell, ruled), PageBreak(),
                      _pdf_table([rest] + rows[cut + 1:], cell, ruled)]
        elif merge_refs and merge_refs[0] in refs:
            merge = (refs.index(merge_refs[0]), refs.index(merge_refs[-1]))
            story.append(_pdf_table(rows, cell, ruled, merge))
        else:
            story.append(_pdf_table(rows, cell, ruled))
        story.append(Spacer(1, 6))
    intro, bullets = trailing_items(plan)
    story.append(Paragraph(escape(intro), styles["BodyText"]))
    story.append(ListFlowable([ListItem(Paragraph(escape(b), styles["BodyText"])) for b in bullets],
                              bulletType="bullet"))
    return story


def build_pdf(path: Path, plan: ParsedPlan | None = None, ruled: bool = True, **doc_options) -> Path:
    """Write the seed plan as a PDF with reportlab (``doc_options``: e.g. ``encrypt``)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    plan = plan or seed_plan()
    document = SimpleDocTemplate(str(path), pagesize=A4, title=TITLE, **doc_options)
    document.build(pdf_story(plan, ruled),
                   onFirstPage=_page_furniture, onLaterPages=_page_furniture)
    return path


def build_text_pdf(path: Path, lines: list[str], **canvas_options) -> Path:
    """A PDF of plain lines of text, no tables (a blank line leaves a paragraph gap).

    ``canvas_options`` go to reportlab's Canvas (``encrypt=`` makes a password-protected PDF).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as pdf_canvas

    canvas = pdf_canvas.Canvas(str(path), pagesize=A4, **canvas_options)
    y = A4[1] - 60
    for line in lines:
        if y < 60:
            canvas.showPage()
            y = A4[1] - 60
        if line.strip():
            canvas.setFont("Helvetica", 10)
            canvas.drawString(50, y, line.strip())
            y -= 12
        else:
            y -= 8
    canvas.save()
    return path


def build_encrypted_docx(path: Path, source: Path, password: str = "secret") -> Path:
    """``source`` saved with a password, the way Word encrypts it (msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with source.open("rb") as plain, path.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return path


def build_image_pdf(path: Path) -> Path:
    """A "scanned" plan: one page holding only an image, no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas as pdf_canvas

    # A tiny grey PNG built by hand (no imaging library needed): 2x2 pixels.
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 2 for _ in range(2))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    canvas = pdf_canvas.Canvas(str(path), pagesize=A4)
    canvas.drawImage(ImageReader(io.BytesIO(png)), 50, 200, width=480, height=600)
    canvas.save()
    return path
