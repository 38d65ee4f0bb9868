"""PDF plans: pages as paragraphs and tables, in reading order, with pdfplumber.

Tables are found in one of two ways, the second tried only when the first finds no action
table anywhere in the document:

* ``lines``: ruled tables, from their ruling lines (pdfplumber ``find_tables``). Cells come
  back whole, with the lines they wrap over inside them;
* ``aligned``: tables without rules, from the header row's text. A line whose words name an
  Action and a lead column (``Action  Lead  Measure``) gives the columns, by where each name
  starts; each following line whose words all fall inside those columns is a row, one row per
  printed line, until a line that does not fit (prose, a heading). A cell wrapped over three
  lines is three rows, and it is the empty ref of the second and third that joins them to the
  first, so these tables are only accepted with a ref column. (pdfplumber's own ``text``
  strategy was tried for this and cut words in half.)

The text outside tables becomes paragraphs: lines are grouped by their spacing and style.
Paragraphs and tables are then put in the order they stand on the page.

Page furniture is dropped first: a line in the top or bottom margin that repeats on other
pages (a running header, "Page 3") or is only a page number. Otherwise a running header
between the two parts of a table would be prose, and prose ends a table.

A PDF whose actions are in no table at all (text set in columns without rules and without
refs, the 2018/19 plan) is handed as text to the flowed layout, keeping the page of each
record (:func:`read_flowed`).
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from .blocks import Block, DocParagraph, DocRow, DocTable, flatten_cell
from .glossary import extract_definitions
from .models import ParsedPlan, PlanEntry, PlanError
from .layouts.tabbed import PRIORITY_HEADING
from .tables import RowSource, header_fields
from .textutil import join_wrapped, looks_like_ref

LINES = "lines"
ALIGNED = "aligned"
_RULED = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_COLUMN_GAP = 6.0  # points between two header names that makes them two columns
_TOLERANCE = 3.0  # points a word may start left of its column's header name
_MARGIN = 0.09  # top and bottom share of the page where running headers and footers sit
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?[-–]?\s*\d{1,4}\s*(?:(?:of|/)\s*\d{1,4})?\s*[-–]?\s*$", re.I)
#: A glyph pdfminer cannot map (a symbol-font bullet) at the start of a line: "(cid:127) text".
_CID_BULLET = re.compile(r"^\s*\(cid:\d+\)\s*")
_BULLET_START = re.compile(r"^\s*[\u2022\u25cf\u25aa\uf0b7\uf0a7\-–*]\s")


# -- opening, with errors an officer can act on --------------------------------------------
def check_pdf_bytes(path: Path) -> None:
    """Refuse a file that is not a PDF, or is cut short, before pdfminer guesses at it."""
    name = path.name
    size = path.stat().st_size
    if size == 0:
        raise PlanError(f"{name}: file is empty")
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, size - 2048))
        tail = handle.read()
    if b"%PDF-" not in head:
        raise PlanError(f"{name}: not a PDF file (no %PDF header)")
    if b"%%EOF" not in tail:
        raise PlanError(f"{name}: truncated or damaged PDF (no end-of-file marker); download it again")


def _is_password_error(exc: BaseException | None) -> bool:
    """Whether ``exc`` or an exception it wraps is pdfminer's "password"/"encryption" error."""
    for _ in range(10):  # pdfplumber wraps pdfminer's exception as its first argument
        if exc is None:
            return False
        text = f"{type(exc).__name__} {exc}".lower()
        if "password" in text or "encrypt" in text:
            return True
        wrapped = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = exc.__cause__ or exc.__context__ or wrapped
    return False


def _pdf_error(name: str, exc: BaseException) -> PlanError:
    if _is_password_error(exc):
        return PlanError(f"{name}: the PDF is password-protected (encrypted); save a copy without a password")
    return PlanError(f"{name}: damaged PDF, cannot be read ({type(exc).__name__}: {exc})")


# -- page content -----------------------------------------------------------------------
@dataclass
class _Word:
    text: str
    x0: float
    x1: float


@dataclass
class _Line:
    text: str
    top: float
    bottom: float
    size: float
    bold: bool
    words: list[_Word] = field(default_factory=list)


@dataclass
class _Table:
    top: float
    rows: list[list[str]]
    #: Per row, the columns covered by a cell merged down from a row above (see _ruled_rows).
    merged: list[frozenset[int]] = field(default_factory=list)


def _is_bold(fontname: str) -> bool:
    return bool(re.search(r"bold|black|heavy|semibold|demi", fontname, re.I))


def _page_tables(page) -> list:
    """Ruled tables of two or more columns on the page, top to bottom."""
    tables = [t for t in page.find_tables(table_settings=_RULED) if len(t.columns) >= 2 and t.rows]
    return sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))


def _outside(bboxes: list[tuple]):
    def keep(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in bboxes)
    return keep


def _page_lines(page, bboxes: list[tuple]) -> list[_Line]:
    lines = []
    for line in page.filter(_outside(bboxes)).extract_text_lines(return_chars=True):
        chars = [c for c in line["chars"] if c["text"].strip()]
        if not chars or not line["text"].strip():
            continue
        lines.append(_Line(_CID_BULLET.sub("\u2022 ", line["text"]).strip(), line["top"], line["bottom"],
                           statistics.median(c["size"] for c in chars),
                           all(_is_bold(c.get("fontname", "")) for c in chars), _words(line["chars"])))
    return lines


def _words(chars: list[dict]) -> list[_Word]:
    """A line's words with their horizontal extent (a space or a gap ends a word)."""
    words: list[_Word] = []
    previous = None
    for char in sorted(chars, key=lambda c: c["x0"]):
        if not char["text"].strip():
            previous = None
            continue
        gap = char["x0"] - previous["x1"] if previous else None
        if previous is not None and gap <= 0.2 * char["size"]:
            words[-1].text += char["text"]
            words[-1].x1 = char["x1"]
        else:
            words.append(_Word(char["text"], char["x0"], char["x1"]))
        previous = char
    return words


@dataclass
class _Page:
    number: int
    height: float
    lines: list[_Line]
    tables: list[_Table]
    chars: int


def _ruled_rows(table) -> _Table:
    """A ruled table's rows, merged cells resolved.

    pdfplumber returns None for a grid position no cell starts at. Under a cell spanning
    columns that is just the rest of that cell (""); under a cell merged down over several
    rows (a lead shared by three actions) each row is given the merged text, and the column
    is marked so a row that continues the one above does not repeat it (as for DOCX vMerge).
    """
    xs = sorted({cell[0] for cell in table.cells})
    rows: list[list[str]] = []
    merged: list[frozenset[int]] = []
    above: dict[int, str] = {}
    for row, texts in zip(table.rows, table.extract()):
        starts = [cell for cell in row.cells if cell is not None]
        cells, down = [], set()
        for column, text in enumerate(texts):
            if text is not None:
                above[column] = text
                cells.append(text)
            elif any(cell[0] < xs[column] < cell[2] for cell in starts):
                cells.append("")  # covered by a cell spanning columns in this row
            else:
                cells.append(above.get(column, ""))
                down.add(column)
        rows.append(cells)
        merged.append(frozenset(down))
    return _Table(table.bbox[1], rows, merged)


def _read_page(page, ruled: bool) -> _Page:
    tables = _page_tables(page) if ruled else []
    found = [_ruled_rows(t) for t in tables]
    lines = _page_lines(page, [t.bbox for t in tables])
    return _Page(page.page_number, float(page.height), lines, found, len(page.chars))


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def drop_furniture(pages: list[_Page]) -> None:
    """Remove running headers/footers and page numbers (lines in the margins that repeat)."""
    def in_margin(line: _Line, page: _Page) -> bool:
        return line.top < page.height * _MARGIN or line.bottom > page.height * (1 - _MARGIN)

    seen = Counter()
    for page in pages:
        seen.update({_furniture_key(l.text) for l in page.lines if in_margin(l, page)})
    for page in pages:
        page.lines = [l for l in page.lines if not (in_margin(l, page) and (
            _PAGE_NUMBER.match(l.text) or (len(pages) > 1 and seen[_furniture_key(l.text)] > 1)))]


# -- tables without rules, from the header row ------------------------------------------
def _clusters(words: list[_Word], gap: float = _COLUMN_GAP) -> list[list[_Word]]:
    groups: list[list[_Word]] = []
    for word in words:
        if groups and word.x0 - groups[-1][-1].x1 <= gap:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def header_columns(line: _Line, following: list[_Line]) -> tuple[list[str], list[float]] | None:
    """An action header line's cells and the left edge of each column, or None.

    Most plans print the ref with no column name: when the lines below the header start with
    an action number left of the first named column, a ref column is put in front.
    """
    clusters = _clusters(line.words)
    names = [" ".join(w.text for w in c) for c in clusters]
    starts = [c[0].x0 for c in clusters]
    if header_fields(names) is None:
        return None
    first = starts[0]
    if any(l.words and looks_like_ref(l.words[0].text) and l.words[0].x1 < first - _TOLERANCE
           for l in following[:5]):
        names, starts = [""] + names, [float("-inf")] + starts
    starts[0] = float("-inf")  # anything left of the second column is in the first
    return names, starts


def fit_columns(line: _Line, starts: list[float]) -> list[str] | None:
    """The line's words as cells of the columns, or None when a word straddles two columns
    (then the line is prose, not a table row)."""
    cells = [""] * len(starts)
    for word in line.words:
        column = max(i for i, start in enumerate(starts) if start <= word.x0 + _TOLERANCE)
        if column + 1 < len(starts) and word.x1 > starts[column + 1] + _TOLERANCE:
            return None
        cells[column] = f"{cells[column]} {word.text}".strip()
    return cells


def aligned_tables(pages: list[_Page]) -> list[_Page]:
    """Pages with the rows of unruled action tables moved from their lines into tables.

    A table runs from its header line over every following line that fits its columns, across
    a page break too (furniture is gone by then), and ends at a line that does not fit or at
    a ``Priority N:`` heading.
    """
    out: list[_Page] = []
    columns: list[float] | None = None
    for page in pages:
        lines: list[_Line] = []
        tables: list[_Table] = []
        current: _Table | None = None
        ordered = sorted(page.lines, key=lambda l: l.top)
        for index, line in enumerate(ordered):
            header = header_columns(line, ordered[index + 1:])
            if header is not None:
                names, columns = header
                current = _Table(line.top, [names])
                tables.append(current)
                continue
            cells = None
            if columns is not None and not PRIORITY_HEADING.match(line.text):
                cells = fit_columns(line, columns)
            if cells is None:
                columns, current = None, None
                lines.append(line)
                continue
            if current is None:  # the table goes on from the page before
                current = _Table(line.top, [])
                tables.append(current)
            current.rows.append(cells)
        out.append(replace(page, lines=lines, tables=tables))
    return out


def _paragraphs(lines: list[_Line], page: int) -> list[tuple[float, DocParagraph]]:
    """Lines grouped into paragraphs by spacing and style (a bold heading does not run into
    the text below it); each with the top it starts at."""
    out: list[tuple[float, DocParagraph]] = []
    previous: _Line | None = None
    for line in lines:
        height = max(line.bottom - line.top, 1.0)
        joins = (previous is not None and line.top - previous.bottom <= 0.6 * height
                 and abs(line.size - previous.size) < 0.5 and line.bold == previous.bold
                 and not _BULLET_START.match(line.text))
        if joins:
            paragraph = out[-1][1]
            paragraph.text = join_wrapped(paragraph.text, line.text)
        else:
            out.append((line.top, DocParagraph(line.text, page=page)))
        previous = line
    return out


def _blocks(pages: list[_Page]) -> list[Block]:
    """Paragraphs and tables of every page, in the order they stand on the page."""
    blocks: list[Block] = []
    for page in pages:
        placed: list[tuple[float, int, Block]] = []
        for number, table in enumerate(page.tables, start=1):
            merged = table.merged or [frozenset()] * len(table.rows)
            rows = [DocRow([flatten_cell(c) for c in cells], RowSource(page=page.number, table=number, row=index), down)
                    for index, (cells, down) in enumerate(zip(table.rows, merged), start=1)]
            placed.append((table.top, 1, DocTable(rows, number, page.number)))
        # Lines between two tables must not run into one paragraph across the table.
        edges = sorted(t.top for t in page.tables)
        groups: dict[int, list[_Line]] = {}
        for line in page.lines:
            groups.setdefault(sum(1 for e in edges if e < line.top), []).append(line)
        for group in groups.values():
            for top, paragraph in _paragraphs(sorted(group, key=lambda l: l.top), page.number):
                placed.append((top, 0, paragraph))
        blocks += [block for _, _, block in sorted(placed, key=lambda item: (item[0], item[1]))]
    return blocks


class PdfPlan:
    """One PDF, each page parsed once whatever the strategies tried on it (a context manager).

    Each page is read in one pass into what every strategy needs (ruled tables and the lines
    outside them; all the lines, for the aligned tables and the text flow) and then released,
    so a long plan does not keep pdfminer's objects for all its pages in memory.
    """

    def __init__(self, path: Path):
        import pdfplumber

        self.path, self.name = path, path.name
        check_pdf_bytes(path)
        try:
            self._pdf = pdfplumber.open(path)
            count = len(self._pdf.pages)
        except Exception as exc:  # pdfminer raises many types for damaged and encrypted files
            raise _pdf_error(self.name, exc) from exc
        if not count:
            raise PlanError(f"{self.name}: the PDF has no pages")
        self._pages: dict[bool, list[_Page]] | None = None

    def __enter__(self) -> "PdfPlan":
        return self

    def __exit__(self, *exc) -> None:
        self._pdf.close()

    def pages(self, ruled: bool) -> list[_Page]:
        """Every page's ruled tables and the lines outside them (``ruled``), or all its lines."""
        if self._pages is None:
            self._pages = self._read_all()
        return self._pages[ruled]

    def _read_all(self) -> dict[bool, list[_Page]]:
        with_tables, plain = [], []
        try:
            for page in self._pdf.pages:
                ruled = _read_page(page, ruled=True)
                with_tables.append(ruled)
                plain.append(replace(ruled, tables=[], lines=_page_lines(page, [])) if ruled.tables
                             else replace(ruled))
                page.close()  # its parsed objects are no longer needed
        except PlanError:
            raise
        except Exception as exc:
            raise _pdf_error(self.name, exc) from exc
        if not any(p.chars for p in plain):
            raise PlanError(f"{self.name}: the PDF has no text layer (a scanned image?); "
                            "it needs OCR, or the original document")
        drop_furniture(with_tables)
        drop_furniture(plain)
        return {True: with_tables, False: plain}

    def blocks(self, strategy: str = LINES) -> list[Block] | None:
        """The paragraphs and tables of the plan, or None when no page has a table."""
        if strategy == LINES:
            pages = self.pages(ruled=True)
        else:
            pages = aligned_tables(self.pages(ruled=False))
        if not any(p.tables for p in pages):
            return None
        return _blocks(pages)

    def flowed(self, entry: PlanEntry) -> ParsedPlan:
        """The plan read as flowed text (see :func:`read_flowed`)."""
        return read_flowed(self.pages(ruled=False), entry, self.name)


# -- the text-flow fallback ---------------------------------------------------------------
def page_text(pages: list[_Page]) -> tuple[str, list[int]]:
    """All pages as text, a blank line between paragraphs; and the page of each line."""
    lines: list[str] = []
    page_of: list[int] = []
    for page in pages:
        previous: _Line | None = None
        for line in sorted(page.lines, key=lambda l: l.top):
            height = max(line.bottom - line.top, 1.0)
            if previous is not None and line.top - previous.bottom > 0.6 * height:
                lines.append("")
                page_of.append(page.number)
            lines.append(line.text)
            page_of.append(page.number)
            previous = line
        # A page break falls inside a paragraph (or a table cell) as often as between two, and
        # the flowed layout reads a blank line as a break: one is put only after a page
        # whose last line ends a sentence.
        if previous is not None and previous.text.rstrip().endswith((".", "!", "?", ":")):
            lines.append("")
            page_of.append(page.number)
    return "\n".join(lines), page_of


def read_flowed(pages: list[_Page], entry: PlanEntry, name: str) -> ParsedPlan:
    """A PDF with no action table, read as flowed text (layout "flowed"), with pages kept."""
    from .layouts import parse_plan

    text, page_of = page_text(pages)
    try:
        parsed = parse_plan(text, replace(entry, layout="flowed"), name)
    except PlanError as exc:
        raise PlanError(f"{name}: no action table found (no table with an Action and a Lead column, "
                        f"and the text does not read as an action table either)") from exc

    def page(line: int | None) -> int | None:
        return page_of[line - 1] if line and 0 < line <= len(page_of) else None

    for action in parsed.actions:
        # Lines of text extracted from a PDF mean nothing to a reader: give the page instead.
        action.page = page(action.line_first)
        action.line_first = action.line_last = None
    for priority in parsed.priorities:
        priority.line = None
    for item in parsed.items:
        item.line_first = item.line_last = None
    parsed.definitions = [replace(d, line=None) for d in extract_definitions(text, name)]
    return parsed
