"""Word plans: the body of a ``.docx`` as paragraphs and tables, in reading order.

python-docx gives the parts; the body is walked element by element (``w:p`` and ``w:tbl``,
and the content of ``w:sdt`` content controls) so that the ``Priority N: Title`` paragraphs
come before the tables they head. Table rows are read from their ``w:tc`` elements so that
merged cells are handled explicitly:

* a cell spanning columns (``gridSpan``) gives its text once, in its first grid column, and
  empty strings for the others, so the columns stay aligned with the header;
* a vertically merged cell (``vMerge``) keeps its text in the first row; the rows it spans
  below are given the same text (each action gets the lead they share) and are marked, so a
  row that only continues the one above does not repeat it.

Word documents have no fixed pages; the page of a row is 1 + the page breaks before it:
``w:lastRenderedPageBreak`` (where Word last laid out a page) when the file has them, else
explicit breaks (``w:br w:type="page"``, ``w:pageBreakBefore``). With neither it is None.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from .blocks import Block, DocParagraph, DocRow, DocTable, flatten_cell
from .models import PlanError
from .tables import RowSource

#: Compound File Binary signature: what a password-protected .docx (and an old .doc) starts with.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_docx(path: Path):
    """The python-docx Document, or a :class:`PlanError` saying plainly what is wrong."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    name = path.name
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise PlanError(f"{name}: file is empty")
    if head.startswith(OLE_SIGNATURE):
        raise PlanError(f"{name}: password-protected (encrypted) Word file, or an old .doc; "
                        "save it without a password as .docx")
    if not head.startswith(b"PK"):
        raise PlanError(f"{name}: not a Word .docx file (it is not a zip package)")
    if not zipfile.is_zipfile(path):
        raise PlanError(f"{name}: truncated or damaged .docx (its zip directory is missing); download it again")
    try:
        return docx.Document(str(path))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise PlanError(f"{name}: damaged or truncated .docx ({exc})") from exc
    except (PackageNotFoundError, KeyError) as exc:
        raise PlanError(f"{name}: not a Word document (the zip has no Word document part)") from exc
    except ValueError as exc:
        raise PlanError(f"{name}: not a Word document ({exc})") from exc
    except XMLSyntaxError as exc:
        raise PlanError(f"{name}: damaged .docx (its XML cannot be read: {exc})") from exc


class _Pages:
    """Running page number through the body (see the module docstring)."""

    def __init__(self, body):
        rendered = body.xpath(".//w:lastRenderedPageBreak")
        self._rendered = bool(rendered)
        self._xpath = (".//w:lastRenderedPageBreak" if rendered
                       else './/w:br[@w:type="page"] | .//w:pageBreakBefore[not(@w:val="0") and not(@w:val="false")]')
        self.known = bool(body.xpath(self._xpath))
        self.breaks = 0

    @property
    def page(self) -> int | None:
        return self.breaks + 1 if self.known else None

    def breaks_in(self, element) -> int:
        return len(element.xpath(self._xpath)) if self.known else 0

    def is_break(self, element) -> bool:
        """Whether ``element`` is one of the breaks this document's pages are counted by."""
        if not self.known:
            return False
        if self._rendered:
            return element.tag == _W + "lastRenderedPageBreak"
        if element.tag == _W + "br":
            return element.get(_W + "type") == "page"
        return element.tag == _W + "pageBreakBefore" and element.get(_W + "val") not in ("0", "false")


def _body_elements(container):
    """``w:p`` and ``w:tbl`` children in order, looking inside content controls."""
    from docx.oxml.ns import qn

    for child in container.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_elements(content)


def _starts_with_break(row, pages: _Pages) -> bool:
    """True when a page break comes before any text of the row (the row begins a page)."""
    for element in row.iter():
        if pages.is_break(element):
            return True
        if element.tag == _W + "t" and (element.text or "").strip():
            return False
    return False


def _paragraph(p, document, style_names: dict[str, str], pages: _Pages) -> DocParagraph:
    from docx.text.paragraph import Paragraph

    p_pr = p.pPr
    style_id = p_pr.pStyle.val if p_pr is not None and p_pr.pStyle is not None else ""
    style = style_names.get(style_id, style_id).lower()
    # A list item is styled as one ("List Bullet") or numbered directly (w:numPr).
    bullet = "list" in style or (p_pr is not None and p_pr.numPr is not None)
    pages.breaks += pages.breaks_in(p)
    return DocParagraph(flatten_cell(Paragraph(p, document).text), bullet=bullet, page=pages.page)


def _table(tbl, number: int, document, pages: _Pages) -> DocTable:
    from docx.table import Table, _Cell

    table = Table(tbl, document)
    rows: list[DocRow] = []
    first_page = pages.page
    above: dict[int, str] = {}  # grid column -> text of the vertically merged cell started there
    for row_number, tr in enumerate(tbl.tr_lst, start=1):
        breaks = min(1, pages.breaks_in(tr))  # a row longer than a page is rare: count one break
        leading = breaks and _starts_with_break(tr, pages)
        pages.breaks += 1 if leading else 0
        column = tr.grid_before
        cells: list[str] = [""] * column
        merged: set[int] = set()
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span)
            if tc.vMerge == "continue":
                text = above.get(column, "")
                merged.add(column)
            else:
                text = flatten_cell(_Cell(tc, table).text)
                if tc.vMerge == "restart":
                    above[column] = text
                else:
                    above.pop(column, None)
            cells += [text] + [""] * (span - 1)
            column += span
        rows.append(DocRow(cells, RowSource(page=pages.page, table=number, row=row_number), frozenset(merged)))
        pages.breaks += 0 if leading else breaks
    return DocTable(rows, number, first_page)


def read_docx(path: Path) -> list[Block]:
    """The paragraphs and tables of a Word plan, in reading order."""
    document = open_docx(path)
    body = document.element.body
    style_names = {style.style_id: style.name or "" for style in document.styles}
    pages = _Pages(body)
    blocks: list[Block] = []
    tables = 0
    for element in _body_elements(body):
        if element.tag.endswith("}tbl"):
            tables += 1
            blocks.append(_table(element, tables, document, pages))
        else:
            blocks.append(_paragraph(element, document, style_names, pages))
    return blocks
