"""The records the indexer produces: plans, priorities, actions, plan-level items.

Plain dataclasses so the parsers, the store, the search engine and the bot share one
vocabulary. ``to_dict`` gives the row that sqlite-utils stores and ``cspbot actions --json``
prints.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: Columns an action table may have beyond ref/action/lead/measure, in display order.
EXTRA_FIELDS = ("baseline", "target", "outcome", "q1", "q2", "progress")


@dataclass
class PlanEntry:
    """One plan as the manifest (``knowledge/plans.toml``) describes it."""

    id: str
    file: str
    partnership: str
    period: str
    title: str
    layout: str = "auto"

    @property
    def start_year(self) -> int:
        """First calendar year of the period ("2024/25" -> 2024), for ordering plans."""
        return int(self.period[:4])


@dataclass
class Priority:
    plan: str
    number: str
    title: str
    line: int | None = None


@dataclass
class ActionRecord:
    """One action (one row of an action table)."""

    plan: str
    partnership: str
    period: str
    priority: str
    priority_title: str
    ref: str
    action: str
    lead: str
    measure: str
    source: str
    line_first: int | None = None
    line_last: int | None = None
    ref_generated: bool = False
    leads: list[str] = field(default_factory=list)
    extras: dict[str, str] = field(default_factory=dict)
    page: int | None = None
    table: int | None = None
    row: int | None = None

    @property
    def lines(self) -> list[int]:
        """First and last source line, as ``[first, last]`` (empty when unknown)."""
        if self.line_first is None:
            return []
        return [self.line_first, self.line_last if self.line_last is not None else self.line_first]

    @property
    def uid(self) -> str:
        """Unique key of the action across all plans."""
        return f"{self.plan}:{self.priority}:{self.ref}"

    def to_json(self) -> dict:
        """The public JSON shape (``cspbot actions --json``)."""
        out = {
            "plan": self.plan,
            "partnership": self.partnership,
            "period": self.period,
            "priority": self.priority,
            "priority_title": self.priority_title,
            "ref": self.ref,
            "ref_generated": self.ref_generated,
            "action": self.action,
            "lead": self.lead,
            "leads": list(self.leads),
            "measure": self.measure,
            "source": self.source,
            "lines": self.lines,
        }
        for name in EXTRA_FIELDS:
            if name in self.extras:
                out[name] = self.extras[name]
        for name in ("page", "table", "row"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    def to_row(self) -> dict:
        """A flat dict for the ``actions`` table."""
        row = asdict(self)
        row.pop("extras")
        row["leads"] = list(self.leads)
        for name in EXTRA_FIELDS:
            row[name] = self.extras.get(name)
        row["uid"] = self.uid
        return row

    @classmethod
    def from_row(cls, row: dict) -> "ActionRecord":
        """Inverse of :meth:`to_row` (``leads`` may come back as a JSON string)."""
        import json

        data = dict(row)
        data.pop("uid", None)
        leads = data.get("leads") or []
        if isinstance(leads, str):
            leads = json.loads(leads)
        data["leads"] = leads
        extras = {name: data.pop(name) for name in EXTRA_FIELDS if name in data}
        data["extras"] = {k: v for k, v in extras.items() if v is not None}
        data["ref_generated"] = bool(data.get("ref_generated"))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class PlanItem:
    """A plan-level statement that is not an action row: "Other recommendations",
    "Overall target", "Specific target", subsidiary priorities, closing notes."""

    plan: str
    kind: str
    priority: str | None
    text: str
    source: str
    line_first: int | None = None
    line_last: int | None = None


@dataclass
class ParseWarning:
    """Something a parser noticed but could work around; ``--strict`` makes these fatal."""

    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


@dataclass
class ParsedPlan:
    """Everything one parser returns for one plan."""

    entry: PlanEntry
    priorities: list[Priority] = field(default_factory=list)
    actions: list[ActionRecord] = field(default_factory=list)
    items: list[PlanItem] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    definitions: list["Definition"] = field(default_factory=list)


@dataclass
class Definition:
    """What an acronym stands for, from the glossary file or from a plan's own text."""

    term: str
    meaning: str
    source: str  # "glossary.toml" or the plan file
    line: int | None = None


class PlanError(Exception):
    """A plan (or manifest entry) that cannot be indexed; the message names the file."""
