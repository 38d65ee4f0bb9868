"""Open the index: load it when it is current, build it when the knowledge has changed.

The build is idempotent: the ``meta`` table records the schema version and a hash of the
knowledge files (and the indexer's code); an unchanged knowledge base loads from disk, a
changed one is rebuilt. The fitted search model is pickled beside the database and refitted
when it is missing or stale.
"""
from __future__ import annotations

import os
import pickle
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .knowledge import KnowledgeBase, build_knowledge, content_hash
from .models import PlanError
from .search.engine import SearchEngine
from .store import SCHEMA_VERSION, read_meta, read_store, write_store

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_KNOWLEDGE = REPO_ROOT / "knowledge"
DEFAULT_DB = REPO_ROOT / "data" / "index.db"


@dataclass
class BuildReport:
    built: bool  # False when the existing index was current and was loaded
    seconds: float
    content_hash: str
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Index:
    """The knowledge base and its fitted search engine, as one object the front ends share."""

    kb: KnowledgeBase
    engine: SearchEngine
    report: BuildReport
    db_path: Path


def model_path(db_path: Path) -> Path:
    return db_path.with_suffix(".model")


def _save_model(engine: SearchEngine, path: Path, digest: str) -> None:
    handle, temp_name = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        pickle.dump((digest, engine), out, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temp_name, path)


def _load_model(path: Path, digest: str) -> SearchEngine | None:
    try:
        with path.open("rb") as handle:
            saved_digest, engine = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
    return engine if saved_digest == digest and isinstance(engine, SearchEngine) else None


_build_lock = threading.Lock()


def open_index(knowledge_dir: Path = DEFAULT_KNOWLEDGE, db_path: Path = DEFAULT_DB,
               rebuild: bool = False) -> Index:
    """Load the index, building it first when missing, stale, or ``rebuild`` is asked for.

    Raises :class:`PlanError` when nothing at all could be indexed (a bad manifest, or no plan
    parsed); the previous index on disk is then left as it was.
    """
    started = time.perf_counter()
    knowledge_dir, db_path = Path(knowledge_dir), Path(db_path)
    with _build_lock:
        digest = f"{SCHEMA_VERSION}:{content_hash(knowledge_dir)}"
        meta = read_meta(db_path)
        current = meta.get("content_hash") == digest and meta.get("schema_version") == str(SCHEMA_VERSION)
        if current and not rebuild:
            kb = read_store(db_path)
            engine = _load_model(model_path(db_path), digest)
            if engine is None:
                engine = SearchEngine().fit(kb)
                _save_model(engine, model_path(db_path), digest)
            report = BuildReport(False, time.perf_counter() - started, digest, kb.warnings, kb.errors)
            return Index(kb, engine, report, db_path)
        kb = build_knowledge(knowledge_dir)
        if not kb.actions:
            raise PlanError("no plan could be indexed: " + "; ".join(kb.errors or ["the manifest lists no plans"]))
        engine = SearchEngine().fit(kb)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        # The model first: a reader that sees the new database then finds a matching model.
        _save_model(engine, model_path(db_path), digest)
        write_store(kb, db_path, digest)
        report = BuildReport(True, time.perf_counter() - started, digest, kb.warnings, kb.errors)
        return Index(kb, engine, report, db_path)
