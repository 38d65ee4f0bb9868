"""Plans whose action tables are tab-separated text (layouts 1, 2, 3 and 5).

The text is cut into blocks (a run of tab-separated lines is a table, any other line a
paragraph) and handed to :func:`indexer.blocks.assemble`, the same assembly Word and PDF plans
use. What differs between the text layouts (columns from the header row's names, continuation
rows with an empty ref, repeated headers, ruler rows, ``Priority N:`` or bare section headings,
a crime-statistics table that is not an action table) is handled there and in the table
builder.
"""
from __future__ import annotations

from ..blocks import PRIORITY_HEADING, Block, DocParagraph, DocRow, DocTable, assemble
from ..models import ParsedPlan, PlanEntry
from ..tables import RowSource, header_fields


def looks_tabbed(text: str) -> bool:
    """True when the plan has at least one tab-separated action header row."""
    return any("\t" in line and header_fields(line.split("\t")) for line in text.splitlines())


def text_blocks(text: str) -> list[Block]:
    """Consecutive tab-separated lines as one table (blank lines inside it are page gaps, not
    ends), every other line as a paragraph; a ``Priority N:`` heading padded with tabs is a
    paragraph."""
    blocks: list[Block] = []
    table: DocTable | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if "\t" in line and not PRIORITY_HEADING.match(line):
            if table is None:
                table = DocTable([], number=sum(isinstance(b, DocTable) for b in blocks) + 1)
                blocks.append(table)
            table.rows.append(DocRow(line.split("\t"), RowSource(line=number)))
        else:
            table = None
            blocks.append(DocParagraph(line.strip(), line=number))
    return blocks


def parse_tabbed(text: str, entry: PlanEntry, source: str) -> ParsedPlan:
    """Parse a plan whose action tables are tab-separated rows."""
    return assemble(text_blocks(text), entry, source)
