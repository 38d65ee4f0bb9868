"""One function from plan text to records, whatever the layout.

``parse_plan(text, entry)`` picks the parser for the plan's layout: the manifest may name it
(``layout = "tabbed"`` or ``"flowed"``); otherwise a plan with a tab-separated action header is
parsed as tabbed, anything else as text flowed out of a PDF.
"""
from __future__ import annotations

from ..models import ParsedPlan, PlanEntry, PlanError
from .flowed import parse_flowed
from .tabbed import looks_tabbed, parse_tabbed

PARSERS = {"tabbed": parse_tabbed, "flowed": parse_flowed}


def detect_layout(text: str) -> str:
    """Name of the layout that fits ``text``."""
    return "tabbed" if looks_tabbed(text) else "flowed"


def parse_plan(text: str, entry: PlanEntry, source: str | None = None) -> ParsedPlan:
    """Parse one plan's text into priorities, actions and plan-level items.

    Raises :class:`PlanError` naming the file when no action table can be recognised.
    """
    source = source or entry.file
    layout = entry.layout if entry.layout and entry.layout != "auto" else detect_layout(text)
    if layout not in PARSERS:
        raise PlanError(f"{source}: unknown layout {layout!r} (known: {', '.join(sorted(PARSERS))})")
    parsed = PARSERS[layout](text, entry, source)
    if not parsed.actions:
        raise PlanError(f"{source}: no action table recognised (looked for a header row naming "
                        f"an Action column and a Lead/Primary agency column)")
    return parsed
