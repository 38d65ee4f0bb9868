"""The index on disk: SQLite through sqlite-utils, written atomically.

Tables: ``plans``, ``priorities``, ``actions``, ``agencies``, ``glossary``, ``plan_items`` and
``meta`` (schema version, content hash, the glossary settings the search needs). A build
writes a new file beside the old one and renames it into place, so a failed build leaves the
previous index usable.
"""
from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from dataclasses import asdict
from pathlib import Path

import sqlite_utils

from .glossary import Glossary
from .knowledge import KnowledgeBase
from .models import ActionRecord, Definition, PlanEntry, PlanItem, Priority

SCHEMA_VERSION = 3

# Column types sqlite-utils cannot infer when the first rows hold None (a text plan has no
# page, a DOCX no line): declared, so provenance numbers come back as numbers.
_LINES = {"line_first": int, "line_last": int}
_ACTION_COLUMNS = {**_LINES, "page": int, "table": int, "row": int}


def write_store(kb: KnowledgeBase, db_path: Path, content_hash: str) -> None:
    """Write ``kb`` to ``db_path`` atomically (temporary file, then rename)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=db_path.name, suffix=".tmp", dir=db_path.parent)
    os.close(handle)
    try:
        db = sqlite_utils.Database(temp_name)
        db["plans"].insert_all((asdict(p) for p in kb.plans), pk="id")
        db["priorities"].insert_all((asdict(p) for p in kb.priorities), pk=("plan", "number"), columns={"line": int})
        db["actions"].insert_all((a.to_row() for a in kb.actions), pk="uid", columns=_ACTION_COLUMNS)
        db["agencies"].insert_all(kb.agency_rows(), pk="name")
        db["glossary"].insert_all((asdict(d) for d in kb.definitions), pk=("term", "source"), columns={"line": int})
        db["plan_items"].insert_all((asdict(i) for i in kb.items), columns=_LINES)
        db["meta"].insert_all([
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "content_hash", "value": content_hash},
            {"key": "glossary", "value": json.dumps(asdict(kb.glossary))},
            {"key": "warnings", "value": json.dumps(kb.warnings)},
            {"key": "errors", "value": json.dumps(kb.errors)},
        ], pk="key")
        db.conn.commit()
        db.conn.close()
        os.replace(temp_name, db_path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def read_meta(db_path: Path) -> dict[str, str]:
    """The ``meta`` table as a dict; empty when the file is missing or not an index."""
    if not db_path.exists():
        return {}
    try:
        db = sqlite_utils.Database(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True))
        if "meta" not in db.table_names():
            return {}
        return {row["key"]: row["value"] for row in db["meta"].rows}
    except sqlite3.DatabaseError:
        return {}


def read_store(db_path: Path) -> KnowledgeBase:
    """Load a whole index written by :func:`write_store`."""
    db = sqlite_utils.Database(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True))
    meta = {row["key"]: row["value"] for row in db["meta"].rows}
    glossary = Glossary(**json.loads(meta.get("glossary", "{}")))
    known = set(PlanEntry.__dataclass_fields__)
    return KnowledgeBase(
        plans=[PlanEntry(**{k: v for k, v in row.items() if k in known}) for row in db["plans"].rows],
        priorities=[Priority(**row) for row in db["priorities"].rows],
        actions=[ActionRecord.from_row(row) for row in db["actions"].rows_where(order_by="rowid")],
        items=[PlanItem(**row) for row in db["plan_items"].rows],
        definitions=[Definition(**row) for row in db["glossary"].rows],
        glossary=glossary,
        warnings=json.loads(meta.get("warnings", "[]")),
        errors=json.loads(meta.get("errors", "[]")),
    )
