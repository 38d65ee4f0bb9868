"""Noticing that ``knowledge/`` changed while the bot runs, and reloading without a restart.

No extra dependency and no thread of its own: the bot calls :meth:`KnowledgeWatcher.poll`
every few seconds (a job queue entry, through ``asyncio.to_thread`` since a rebuild takes a
second or two) and :meth:`KnowledgeWatcher.reload` for an admin's ``/reload``. Both return a
:class:`ReloadResult` whose ``index`` is the one to answer from from then on.

The bot never answers from a half-built index: :func:`~indexer.index.open_index` builds a
complete new :class:`~indexer.index.Index` (and writes the database beside the old one and
renames it into place) before it returns, and the bot swaps its reference to the new object in
one assignment. While a build runs, questions go on being answered from the old index. When
the new knowledge cannot be indexed at all (a broken manifest), the old index is kept and the
error is reported, once per change.

Polling is cheap: a ``stat`` of the manifest, the glossary and each plan file. Only when those
change is the content hashed; a file still being copied in (its size or time still changing
between two polls) is waited for before anything is rebuilt.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from .index import DEFAULT_DB, DEFAULT_KNOWLEDGE, Index, open_index
from .knowledge import content_hash, knowledge_files
from .models import PlanError
from .store import SCHEMA_VERSION


def knowledge_digest(knowledge_dir: Path) -> str:
    """The digest :func:`open_index` records for this knowledge (``Index.report.content_hash``)."""
    return f"{SCHEMA_VERSION}:{content_hash(Path(knowledge_dir))}"


def knowledge_changed(knowledge_dir: Path, since_hash: str) -> bool:
    """True when the knowledge folder no longer matches ``since_hash``.

    ``since_hash`` is ``index.report.content_hash`` of the index being served.
    """
    return knowledge_digest(knowledge_dir) != since_hash


def fingerprint(knowledge_dir: Path) -> tuple:
    """Name, size and modification time of every knowledge file: cheap to compare."""
    out = []
    for path in knowledge_files(Path(knowledge_dir)):
        try:
            stat = path.stat()
            out.append((path.name, stat.st_size, stat.st_mtime_ns))
        except OSError:
            out.append((path.name, None, None))
    return tuple(out)


@dataclass
class ReloadResult:
    index: Index  # the index to answer from now: the new one, or the old one kept
    changed: bool  # True when ``index`` is a new index
    error: str | None = None  # why the changed knowledge could not be indexed (old index kept)
    warnings: list[str] | None = None  # the new index's parse warnings and per-plan errors


class KnowledgeWatcher:
    """Keeps the index in step with the knowledge folder; safe to call from several threads."""

    def __init__(self, index: Index, knowledge_dir: Path = DEFAULT_KNOWLEDGE, db_path: Path | None = None):
        self.index = index
        self.knowledge_dir = Path(knowledge_dir)
        self.db_path = Path(db_path) if db_path is not None else Path(getattr(index, "db_path", DEFAULT_DB))
        self._lock = threading.Lock()
        self._seen = fingerprint(self.knowledge_dir)  # what the index (or the last attempt) was built from
        self._settling: tuple | None = None  # a changed fingerprint waiting for one more poll

    def poll(self) -> ReloadResult | None:
        """Reload when the folder changed and has settled; None when there is nothing to do."""
        with self._lock:
            now = fingerprint(self.knowledge_dir)
            if now == self._seen:
                self._settling = None
                return None
            if now != self._settling:
                self._settling = now  # changed since the last poll: a copy may be under way
                return None
            self._settling = None
            return self._reload(now)

    def reload(self, force: bool = False) -> ReloadResult:
        """Reload now if the knowledge changed, without waiting; ``force`` rebuilds even when it
        did not (the admin ``/reload``: the same index, freshly built)."""
        with self._lock:
            return self._reload(fingerprint(self.knowledge_dir), force)

    def _reload(self, now: tuple, force: bool = False) -> ReloadResult:
        self._seen = now  # a failed build is not retried until the files change again
        if not force and not knowledge_changed(self.knowledge_dir, self.index.report.content_hash):
            return ReloadResult(self.index, changed=False)
        try:
            index = open_index(self.knowledge_dir, self.db_path, rebuild=force)
        except PlanError as exc:
            return ReloadResult(self.index, changed=False, error=str(exc))
        except Exception as exc:  # the bot must go on answering from the old index
            return ReloadResult(self.index, changed=False, error=f"{type(exc).__name__}: {exc}")
        self.index = index
        return ReloadResult(index, changed=True,
                            warnings=list(index.report.warnings) + list(index.report.errors))
