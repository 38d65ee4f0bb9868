"""What the search engine returns: an :class:`Answer` with ranked :class:`Result` objects.

The same object serves the CLI (``cspbot ask --json`` prints :meth:`Answer.to_json`), the local
chat (:meth:`Answer.text`) and the bot (which renders HTML from the fields).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import EXTRA_FIELDS, ActionRecord

# Intents the engine understands; the bot's commands force one of them.
INTENTS = ("lead", "agency", "measure", "ref", "plans", "priorities", "glossary", "history", "search", "help")


@dataclass
class Result:
    """One matching action with its rank, score, citation and an optional note."""

    rank: int
    score: float
    action: ActionRecord
    plan_title: str
    note: str = ""  # e.g. "lead changed from X" in a history answer, "2018/19 plan" label

    def citation(self) -> str:
        """Plan title, period, priority, ref, source file and lines, as one line."""
        a = self.action
        ref = f"action {a.ref}" + (" (numbered by the bot)" if a.ref_generated else "")
        where = a.source
        if a.lines:
            first, last = a.lines
            where += f", line {first}" if first == last else f", lines {first}-{last}"
        if a.page is not None:
            where += f", page {a.page}"
        return f"{self.plan_title} ({a.period}), Priority {a.priority}: {a.priority_title}, {ref}; {where}"

    def to_json(self) -> dict:
        a = self.action
        out = {"rank": self.rank, "score": round(float(self.score), 4), "plan": a.plan,
               "plan_title": self.plan_title, "partnership": a.partnership, "period": a.period,
               "priority": a.priority, "priority_title": a.priority_title, "ref": a.ref,
               "action": a.action, "lead": a.lead, "leads": list(a.leads), "measure": a.measure,
               "source": a.source, "lines": a.lines, "citation": self.citation()}
        for name in EXTRA_FIELDS:
            if a.extras.get(name):
                out[name] = a.extras[name]
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Answer:
    """The engine's reply to one question."""

    query: str
    intent: str
    scope: dict = field(default_factory=lambda: {"period": None, "partnership": None})
    results: list[Result] = field(default_factory=list)  # the page asked for
    total: int = 0  # all matching results (for "More")
    offset: int = 0
    heading: str = ""  # first line of the reply ("Who leads graffiti work: 5 actions")
    lines: list[str] = field(default_factory=list)  # listing intents: plans, priorities, glossary
    suggestions: list[str] = field(default_factory=list)  # "did you mean" / nearest priorities
    agency: str | None = None  # the agency an agency question resolved to
    topic: str = ""  # the question with intent and scope words removed
    covered: bool = True  # False when the plans do not answer it (the reply says so)

    @property
    def found(self) -> bool:
        """Did the plans answer the question (actions, or a listing)?"""
        return self.covered and bool(self.results or self.lines)

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.results) < self.total

    def text(self) -> str:
        """The reply as a person reads it, plain text (the bot sends the same as HTML)."""
        from .render import PLAIN, render_answer
        return render_answer(self, PLAIN)

    def to_json(self) -> dict:
        return {"query": self.query, "intent": self.intent, "scope": dict(self.scope),
                "answer": self.text(), "results": [r.to_json() for r in self.results],
                "total": self.total, "offset": self.offset}
