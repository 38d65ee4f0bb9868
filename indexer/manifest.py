"""The plan manifest: ``knowledge/plans.toml``, one ``[[plan]]`` entry per plan file."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .models import PlanEntry, PlanError

REQUIRED = ("file", "partnership", "period", "title")


def normalise_period(text: str) -> str | None:
    """"2015-16", "2015/2016", "2015 – 2016" -> "2015/16"; None when it is not a period."""
    match = re.match(r"^\s*(20\d\d)\s*[/\-–]\s*(?:20)?(\d\d)\s*$", str(text))
    if not match:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        return None
    return f"{start}/{end:02d}"


def entry_from_dict(data: dict, position: int) -> PlanEntry:
    """Validate one manifest entry; the error names the entry by position and file."""
    label = f"plan entry {position}" + (f" ({data.get('file')})" if isinstance(data, dict) and data.get("file") else "")
    if not isinstance(data, dict):
        raise PlanError(f"{label}: must be a table of keys")
    missing = [key for key in REQUIRED if not str(data.get(key, "")).strip()]
    if missing:
        raise PlanError(f"{label}: missing {', '.join(missing)}")
    period = normalise_period(data["period"])
    if period is None:
        raise PlanError(f"{label}: period {data['period']!r} is not like \"2024/25\"")
    layout = str(data.get("layout", "auto"))
    if layout not in ("auto", "tabbed", "flowed"):
        raise PlanError(f"{label}: layout {layout!r} must be \"tabbed\", \"flowed\" or left out")
    file = str(data["file"])
    if "/" in file or "\\" in file or file.startswith("."):
        raise PlanError(f"{label}: file must be a plain file name inside knowledge/plans/")
    plan_id = str(data.get("id") or Path(file).stem)
    return PlanEntry(id=plan_id, file=file, partnership=str(data["partnership"]).strip(),
                     period=period, title=str(data["title"]).strip(), layout=layout)


def load_manifest(path: Path) -> tuple[list[PlanEntry], list[PlanError]]:
    """All valid entries, and one error per bad entry (the good ones still index).

    A manifest that is missing or not valid TOML is an error for the whole build.
    """
    if not path.exists():
        raise PlanError(f"{path}: manifest not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: not valid TOML: {exc}") from exc
    entries, errors, seen = [], [], set()
    raw = data.get("plan", [])
    if not isinstance(raw, list):
        raise PlanError(f"{path}: expected [[plan]] entries")
    for position, item in enumerate(raw, start=1):
        try:
            entry = entry_from_dict(item, position)
        except PlanError as exc:
            errors.append(exc)
            continue
        if entry.id in seen:
            errors.append(PlanError(f"plan entry {position} ({entry.file}): duplicate id {entry.id!r}"))
            continue
        seen.add(entry.id)
        entries.append(entry)
    return entries, errors
