"""Plans whose action tables are tab-separated text (layouts 1, 2, 3 and 5).

What differs between those layouts is handled by the shared table builder (columns from the
header row's names, continuation rows with an empty ref) and by the headings recognised here:

* ``Priority N: Title`` (also ``Priority 5 & 6: Title`` and a heading padded with tabs);
* a bare section title on the line before an action header (Tonbridge and Malling 2014/15);
* ``Subsidiary priority N: Title`` followed by a paragraph, kept as a plan-level item;
* a bullet list after the last table, kept as plan-level items.

Tab-separated tables whose header has no Action and lead column (a crime-statistics table in
a strategic assessment) are not action tables and are skipped.
"""
from __future__ import annotations

import re

from ..models import ParsedPlan, PlanEntry, PlanItem
from ..tables import ActionTableBuilder, RowSource, header_fields

PRIORITY_HEADING = re.compile(
    r"^\s*Priority\s+(?P<number>\d+(?:\s*(?:&|and)\s*\d+)?)\s*[:.\-–]\s*(?P<title>.*?)[\t ]*$", re.I)
SUBSIDIARY_HEADING = re.compile(r"^\s*Subsidiary priority\s+(?P<number>\d+)\s*[:.\-–]\s*(?P<title>.+?)\s*$", re.I)
BULLET = re.compile(r"^\s*(?:[-•*\uf0b7]|\d+\.)\s+(?P<text>.+)$")


def looks_tabbed(text: str) -> bool:
    """True when the plan has at least one tab-separated action header row."""
    return any("\t" in line and header_fields(line.split("\t")) for line in text.splitlines())


def parse_tabbed(text: str, entry: PlanEntry, source: str) -> ParsedPlan:
    """Parse a plan whose action tables are tab-separated rows."""
    builder = ActionTableBuilder(entry, source)
    items: list[PlanItem] = []
    lines = text.splitlines()
    previous_text: tuple[int, str] | None = None  # last non-blank line that was not a table row
    previous_was_row = False
    subsidiary: PlanItem | None = None
    intro: tuple[int, str] | None = None  # sentence before a trailing bullet list

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        heading = PRIORITY_HEADING.match(line)
        if heading and len(heading.group("title")) < 160:
            priority_number = re.sub(r"\s*(?:&|and)\s*", " & ", heading.group("number"))
            builder.start_priority(priority_number, heading.group("title"), number)
            previous_text, previous_was_row, subsidiary, intro = None, False, None, None
            continue
        if "\t" in line:
            cells = line.split("\t")
            if header_fields(cells) is not None:
                if not builder.in_table and previous_text is not None and not previous_was_row:
                    # A bare title right above an action header names a new section.
                    builder.start_priority(builder.next_section_number(), previous_text[1].strip(), previous_text[0])
                builder.header(cells)
                previous_was_row = True
                continue
            if builder.in_table:
                builder.add_row(cells, RowSource(line=number))
                previous_was_row = True
                continue
            previous_text, previous_was_row = None, False
            continue

        # A line of prose: it ends any open table.
        builder.end_table()
        previous_was_row = False
        sub = SUBSIDIARY_HEADING.match(line)
        if sub:
            subsidiary = PlanItem(entry.id, "subsidiary priority", sub.group("number"),
                                  sub.group("title"), source, number, number)
            items.append(subsidiary)
            previous_text = (number, line)
            continue
        if subsidiary is not None:
            # The paragraph under a subsidiary-priority heading belongs to it.
            subsidiary.text = f"{subsidiary.text}: {line.strip()}"
            subsidiary.line_last = number
            subsidiary = None
            continue
        bullet = BULLET.match(line)
        if bullet and builder.actions and intro is not None:
            items.append(PlanItem(entry.id, "other commitment", None,
                                  bullet.group("text").strip(), source, number, number))
            continue
        if builder.actions and line.rstrip().endswith(":"):
            intro = (number, line.strip())
            items.append(PlanItem(entry.id, "other commitments heading", None, line.strip(), source, number, number))
        else:
            intro = None
        subsidiary = None
        previous_text = (number, line)

    return ParsedPlan(entry=entry, priorities=builder.priorities, actions=builder.actions,
                      items=items, warnings=builder.warnings)
