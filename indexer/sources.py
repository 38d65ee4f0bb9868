"""Reading a plan file, whatever its format, into a :class:`ParsedPlan`.

Text plans are decoded (UTF-8, else cp1252 with a warning) and handed to
:func:`indexer.layouts.parse_plan`. Every problem is a :class:`PlanError` naming the file.
"""
from __future__ import annotations

from pathlib import Path

from .agencies import AgencyResolver
from .glossary import extract_definitions
from .layouts import parse_plan
from .models import ParsedPlan, ParseWarning, PlanEntry, PlanError

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}


def decode_text(data: bytes, name: str) -> tuple[str, list[ParseWarning]]:
    """Bytes of a text plan -> text, refusing empty and binary files."""
    if not data.strip():
        raise PlanError(f"{name}: file is empty")
    sample = data[:4096]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) * 0.05:
        raise PlanError(f"{name}: looks like a binary file, not a text plan")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise PlanError(f"{name}:{line}: not UTF-8 text (and not cp1252 either)") from exc
        return text, [ParseWarning(name, "not UTF-8; read as cp1252 (Windows) text", line)]


def load_plan(path: Path, entry: PlanEntry, resolver: "AgencyResolver | None" = None) -> ParsedPlan:
    """Read and parse one plan file named by a manifest entry.

    With a ``resolver``, each action's ``leads`` (the individual agencies, canonical) is filled.
    """
    parsed = _load(path, entry)
    if resolver is not None:
        for action in parsed.actions:
            action.leads = resolver.split(action.lead)
    return parsed


def _load(path: Path, entry: PlanEntry) -> ParsedPlan:
    name = path.name
    if not path.exists():
        raise PlanError(f"{name}: file not found (listed in the manifest)")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from .documents import parse_docx
        return parse_docx(path, entry)
    if suffix == ".pdf":
        from .documents import parse_pdf
        return parse_pdf(path, entry)
    if suffix not in TEXT_SUFFIXES:
        raise PlanError(f"{name}: unsupported file type {suffix!r} (use .txt, .docx or .pdf)")
    text, warnings = decode_text(path.read_bytes(), name)
    parsed = parse_plan(text, entry, name)
    parsed.warnings[:0] = warnings
    parsed.definitions = extract_definitions(text, name)
    return parsed
