"""Blocks in reading order -> records: the heading rules every tabled layout shares.

A reader turns a plan into a list of blocks: :class:`DocParagraph` (a heading or a paragraph
of prose) and :class:`DocTable` (rows of cells, each row with its provenance). Text plans
(tab-separated rows, :mod:`indexer.layouts.tabbed`), Word documents and PDFs
(:mod:`indexer.docx_reader`, :mod:`indexer.pdf_reader`) all produce blocks, and
:func:`assemble` turns any of them into records through the one
:class:`~indexer.tables.ActionTableBuilder`:

* ``Priority N: Title`` headings (also ``Priority 5 & 6``, and a heading typed in a table row
  merged across the table) start a priority;
* in a plan with no such heading, a short title right above an action header starts a section
  (Tonbridge and Malling 2014/15);
* ``Subsidiary priority N: Title`` and its paragraph, and a bullet list introduced by a
  sentence ending in ":" after the actions, become plan-level items;
* prose ends an open table; tables without an Action/lead header (statistics, contents) are
  not action tables.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .models import ParsedPlan, ParseWarning, PlanEntry, PlanItem
from .tables import ActionTableBuilder, RowSource, describe_where, header_fields
from .textutil import join_wrapped

PRIORITY_HEADING = re.compile(
    r"^\s*Priority\s+(?P<number>\d+(?:\s*(?:&|and)\s*\d+)?)\s*[:.\-–]\s*(?P<title>.*?)[\t ]*$", re.I)
SUBSIDIARY_HEADING = re.compile(r"^\s*Subsidiary priority\s+(?P<number>\d+)\s*[:.\-–]\s*(?P<title>.+?)\s*$", re.I)
BULLET = re.compile(r"^\s*(?:[-•*\uf0b7]|\d+\.)\s+(?P<text>.+)$")


_TITLE_MAX = 120  # a bare section title is at most this long


# -- blocks: what the readers produce ------------------------------------------------------
@dataclass
class DocParagraph:
    """A paragraph outside tables, its text on one line."""

    text: str
    bullet: bool = False  # a list item (Word list style; in PDFs the glyph stays in the text)
    page: int | None = None
    line: int | None = None  # text plans: the line it stands on


@dataclass
class DocRow:
    """One table row: one string per grid column (a cell spanning columns fills the first)."""

    cells: list[str]
    where: RowSource
    #: Columns whose cell continues a cell merged down from the row above (DOCX vMerge, a PDF
    #: cell spanning rows): their text is repeated so each action gets it, unless this row
    #: continues the one above.
    merged_above: frozenset[int] = frozenset()


@dataclass
class DocTable:
    rows: list[DocRow]
    number: int  # as provenance reports it (see the module docstring)
    page: int | None = None


Block = DocParagraph | DocTable


def flatten_cell(text: str | None) -> str:
    """A cell's text on one line: lines wrapped inside the cell (PDF) or paragraphs and line
    breaks inside it (DOCX) joined the way the text plans' wrapped cells are joined."""
    joined = ""
    for line in (text or "").replace("\r", "\n").split("\n"):
        joined = join_wrapped(joined, line)
    return joined


# -- assembly: blocks -> records, shared by DOCX and PDF ----------------------------------
class _Assembler:
    """Walks the blocks of one document and feeds the shared table builder.

    ``bare_titles``: whether a short title right above an action header starts a section.
    Only in documents with no ``Priority N:`` heading at all (like the Tonbridge and Malling
    plan): where there are priority headings, a line such as "Continued" between the two
    parts of a table must not start a section.
    """

    def __init__(self, entry: PlanEntry, source: str, bare_titles: bool):
        self.builder = ActionTableBuilder(entry, source)
        self.entry, self.source = entry, source
        self.bare_titles = bare_titles
        self.items: list[PlanItem] = []
        self._title: tuple[str, int | None] | None = None  # a possible section title (text, line)
        self._subsidiary: PlanItem | None = None
        self._intro = False  # a "...:" paragraph after the actions: bullets follow

    def paragraph(self, block: DocParagraph) -> None:
        text = block.text.strip()
        if not text:
            return  # an empty paragraph (a page break, spacing) changes nothing
        heading = PRIORITY_HEADING.match(text)
        if heading and len(heading.group("title")) < 160:
            self._start_priority(heading.group("number"), heading.group("title"), block.line)
            return
        # Prose ends an open table, as in the text layouts: a table after it continues the
        # one before only if it repeats the header.
        self.builder.end_table()
        self._title = (text, block.line) if self.bare_titles and _looks_like_title(text) else None
        subsidiary = SUBSIDIARY_HEADING.match(text)
        if subsidiary:
            self._subsidiary = PlanItem(self.entry.id, "subsidiary priority", subsidiary.group("number"),
                                        subsidiary.group("title"), self.source, block.line, block.line)
            self.items.append(self._subsidiary)
            return
        if self._subsidiary is not None:
            # The paragraph under a subsidiary-priority heading belongs to it.
            self._subsidiary.text = f"{self._subsidiary.text}: {text}"
            self._subsidiary.line_last = block.line
            self._subsidiary = None
            return
        bullet = BULLET.match(text)
        if (block.bullet or bullet) and self._intro:
            body = bullet.group("text").strip() if bullet and not block.bullet else text
            self.items.append(PlanItem(self.entry.id, "other commitment", None, body, self.source, block.line, block.line))
            return
        # A sentence ending in ":" after the actions introduces a list of other commitments.
        self._intro = bool(self.builder.actions) and text.endswith(":")
        if self._intro:
            self.items.append(PlanItem(self.entry.id, "other commitments heading", None, text, self.source,
                                       block.line, block.line))

    def table(self, table: DocTable) -> None:
        builder = self.builder
        for index, row in enumerate(table.rows):
            cells = row.cells
            filled = [c for c in cells if c.strip()]
            if not filled:
                continue
            heading = PRIORITY_HEADING.match(filled[0]) if len(filled) == 1 else None
            if heading and len(heading.group("title")) < 160:
                # "Priority 1: Domestic abuse" typed in a row merged across the table.
                self._start_priority(heading.group("number"), heading.group("title"), row.where.line)
                continue
            if header_fields(cells) is not None:
                if not builder.in_table and self._title:
                    builder.start_priority(builder.next_section_number(), *self._title)
                builder.header(cells)
                self._title = None
                continue
            if not builder.in_table:
                # A title typed in a row merged across the table may name the section below;
                # other rows before any header are not an action table (statistics, contacts).
                if self.bare_titles and len(filled) == 1 and _looks_like_title(filled[0]):
                    self._title = (filled[0], row.where.line)
                continue
            if index == 0 and len(cells) != len(builder.fields or []):
                # A new table with no header and another shape does not continue the last one.
                builder.end_table()
                builder.warnings.append(self._warning(
                    row, f"table of {len(cells)} columns after one of {len(builder.fields or [])} "
                         "and without a header row: skipped"))
                return
            builder.add_row(self._unmerged(cells, row), row.where)
        self._title = None

    def result(self) -> ParsedPlan:
        b = self.builder
        return ParsedPlan(entry=self.entry, priorities=b.priorities, actions=b.actions,
                          items=self.items, warnings=b.warnings)

    # -- helpers --------------------------------------------------------------------------
    def _start_priority(self, number: str, title: str, line: int | None = None) -> None:
        number = re.sub(r"\s*(?:&|and)\s*", " & ", number)
        self.builder.start_priority(number, title, line)
        self._title, self._subsidiary, self._intro = None, None, False

    def _unmerged(self, cells: list[str], row: DocRow) -> list[str]:
        """Blank the vertically merged cells of a row that continues the row above, so the
        merged text is not appended to the record a second time."""
        fields = self.builder.fields or []
        if not row.merged_above or "ref" not in fields:
            return cells
        ref_column = fields.index("ref")
        if ref_column < len(cells) and cells[ref_column].strip():
            return cells
        return ["" if i in row.merged_above else c for i, c in enumerate(cells)]

    def _warning(self, row: DocRow, message: str) -> ParseWarning:
        return ParseWarning(self.source, f"{describe_where(row.where)}: {message}")


def _looks_like_title(text: str) -> bool:
    """Short, and not a sentence ("The actions for this priority are:")."""
    return len(text) <= _TITLE_MAX and not text.rstrip().endswith((":", ".", ";", ","))


def _has_priority_headings(blocks: list[Block]) -> bool:
    texts = (b.text for b in blocks if isinstance(b, DocParagraph))
    cells = (c for b in blocks if isinstance(b, DocTable) for r in b.rows for c in r.cells if c)
    return any(PRIORITY_HEADING.match(t) for t in (*texts, *cells))


def assemble(blocks: list[Block], entry: PlanEntry, source: str) -> ParsedPlan:
    """Records from the blocks of a document, through the shared table builder."""
    assembler = _Assembler(entry, source, bare_titles=not _has_priority_headings(blocks))
    for block in blocks:
        if isinstance(block, DocTable):
            assembler.table(block)
        else:
            assembler.paragraph(block)
    return assembler.result()


