"""From table rows to action records, whatever the file format.

Every layout that has real table cells (tab-separated text, DOCX tables, PDF tables) reduces
to the same events: a priority heading, a header row, data rows. :class:`ActionTableBuilder`
turns those events into :class:`~indexer.models.ActionRecord` objects:

* columns are found from the header row's names, not their position, so a new plan with a
  similar table needs no new code;
* a row whose ref cell is empty continues the row above (a page break, or a cell wrapped
  over several lines) and its cells are appended field by field;
* repeated header rows and ruler rows are skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .models import EXTRA_FIELDS, ActionRecord, ParseWarning, PlanEntry, Priority
from .textutil import clean_cell, is_ruler, join_wrapped, looks_like_ref

# Header cell text -> record field. Matched on the lower-cased cell with spaces folded;
# the first pattern that matches wins, so the more specific names come first.
_HEADER_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("ref", re.compile(r"^(ref|no\.?|number|#|action (no|ref)\.?)$")),
    ("action", re.compile(r"^actions?$")),
    ("measure", re.compile(r"^(outcome\s*/\s*measure|measures?|measure of success|performance measure)")),
    ("lead", re.compile(r"^(lead|primary agency|proposed primary agency|responsible|owner|partner agency)")),
    ("baseline", re.compile(r"^baseline")),
    ("target", re.compile(r"^target")),
    ("q1", re.compile(r"^(qrt|qtr|quarter|q)\s*1$")),
    ("q2", re.compile(r"^(qrt|qtr|quarter|q)\s*2$")),
    ("progress", re.compile(r"^(progress|update|status)")),
    ("outcome", re.compile(r"^outcomes?$")),
]


def header_fields(cells: list[str]) -> list[str | None] | None:
    """Map a header row's cells to field names, or None if this is not an action header.

    An action header names an Action column and a lead column. An empty first cell is the
    ref column (plans print the number there without a heading).
    """
    fields: list[str | None] = []
    for index, cell in enumerate(cells):
        name = re.sub(r"\s+", " ", clean_cell(cell).lower().rstrip("*: ")).strip()
        found = None
        if not name:
            found = "ref" if index == 0 else None
        else:
            for field_name, pattern in _HEADER_PATTERNS:
                if pattern.search(name) and field_name not in fields:
                    found = field_name
                    break
        fields.append(found)
    if "action" in fields and "lead" in fields:
        return fields
    return None


@dataclass
class RowSource:
    """Where a row was read: text line, or page/table/row of a document."""

    line: int | None = None
    page: int | None = None
    table: int | None = None
    row: int | None = None


class ActionTableBuilder:
    """Collects the rows of one plan's action tables into records."""

    def __init__(self, entry: PlanEntry, source: str):
        self.entry = entry
        self.source = source
        self.priorities: list[Priority] = []
        self.actions: list[ActionRecord] = []
        self.warnings: list[ParseWarning] = []
        self.fields: list[str | None] | None = None
        self._priority: Priority | None = None
        self._generated = 0

    # -- events ---------------------------------------------------------------------------
    def start_priority(self, number: str, title: str, line: int | None = None) -> None:
        """A priority (or section) heading: following rows belong to it."""
        self._priority = Priority(self.entry.id, number, clean_cell(title), line)
        self.priorities.append(self._priority)
        self._generated = 0
        self.fields = None

    def next_section_number(self) -> str:
        """Number for a section headed by a bare title (sections counted from 1)."""
        return str(len(self.priorities) + 1)

    def header(self, cells: list[str]) -> bool:
        """Try ``cells`` as a header row; True if it was one (and columns are now known)."""
        fields = header_fields(cells)
        if fields is None:
            return False
        self.fields = fields
        return True

    @property
    def in_table(self) -> bool:
        return self.fields is not None

    def end_table(self) -> None:
        self.fields = None

    def add_row(self, cells: list[str], where: RowSource) -> None:
        """A data row under the current header: a new action, or the rest of the last one."""
        if self.fields is None:
            return
        if is_ruler(cells) or not any(c.strip() for c in cells):
            return
        if header_fields(cells) is not None:  # header repeated after a page break
            self.fields = header_fields(cells)
            return
        values = self._cells_by_field(cells, where)
        if values is None:
            return
        has_ref_column = "ref" in self.fields
        ref = values.pop("ref", "").strip()
        continues = has_ref_column and not ref and self.actions and self._same_table_as_last()
        if continues:
            self._extend_last(values, where)
            return
        if has_ref_column and ref and not looks_like_ref(ref):
            self.warnings.append(ParseWarning(self.source, f"unexpected action number {ref!r}", where.line))
        self._new_record(ref, values, where)

    # -- helpers --------------------------------------------------------------------------
    def _cells_by_field(self, cells: list[str], where: RowSource) -> dict[str, str] | None:
        fields = self.fields or []
        if len(cells) > len(fields):
            extra = [c for c in cells[len(fields):] if c.strip()]
            if extra:
                self.warnings.append(ParseWarning(
                    self.source, f"row has {len(cells)} cells, header has {len(fields)}; extra cells kept in the last column",
                    where.line))
                cells = cells[: len(fields) - 1] + [" ".join(cells[len(fields) - 1:])]
        values: dict[str, str] = {}
        for name, cell in zip(fields, cells):
            if name is None:
                continue
            values[name] = clean_cell(cell)
        return values

    def _same_table_as_last(self) -> bool:
        last = self.actions[-1]
        return self._priority is not None and last.priority == self._priority.number

    def _extend_last(self, values: dict[str, str], where: RowSource) -> None:
        record = self.actions[-1]
        for name, text in values.items():
            if not text:
                continue
            if name in ("action", "lead", "measure"):
                setattr(record, name, join_wrapped(getattr(record, name), text))
            else:
                record.extras[name] = join_wrapped(record.extras.get(name, ""), text)
        if where.line is not None:
            record.line_last = where.line

    def _new_record(self, ref: str, values: dict[str, str], where: RowSource) -> None:
        if self._priority is None:
            self.start_priority(self.next_section_number(), "Actions", where.line)
        priority = self._priority
        generated = False
        if not ref:
            self._generated += 1
            ref = f"{priority.number}.{self._generated}"
            generated = True
        extras = {name: values[name] for name in EXTRA_FIELDS if values.get(name)}
        self.actions.append(ActionRecord(
            plan=self.entry.id,
            partnership=self.entry.partnership,
            period=self.entry.period,
            priority=priority.number,
            priority_title=priority.title,
            ref=ref,
            ref_generated=generated,
            action=values.get("action", ""),
            lead=values.get("lead", ""),
            measure=values.get("measure", ""),
            extras=extras,
            source=self.source,
            line_first=where.line,
            line_last=where.line,
            page=where.page,
            table=where.table,
            row=where.row,
        ))


def describe_where(where: RowSource | ActionRecord) -> str:
    """``page 3, table 1, row 4`` or ``line 27``: provenance as an officer reads it."""
    parts = []
    line = getattr(where, "line", None) if isinstance(where, RowSource) else where.line_first
    if line is not None:
        last = None if isinstance(where, RowSource) else where.line_last
        parts.append(f"line {line}" + (f"-{last}" if last and last != line else ""))
    for name in ("page", "table", "row"):
        value = getattr(where, name)
        if value is not None:
            parts.append(f"{name} {value}")
    return ", ".join(parts) or "unknown position"
