"""The index the bot answers from: an :class:`~indexer.index.Index` plus a small answer cache.

The bot keeps one :class:`LoadedIndex` in ``application.bot_data`` and replaces the whole
object on ``/reload``, so a question is answered either from the old index or from the new
one, never from a half-built mix; and the cache goes with its index.
"""
from __future__ import annotations

import asyncio
import sys
import threading
from collections import OrderedDict
from pathlib import Path

from indexer.index import Index, open_index
from indexer.search.answer import Answer

CACHE_SIZE = 512


class LoadedIndex:
    """An Index with a thread-safe ``ask`` that caches answers.

    The cache pays off for the buttons ("More" and "Measure and progress" ask the same
    question again) and for the questions a partnership keeps asking. The engine is not
    documented as thread-safe, so questions reach it one at a time.
    """

    def __init__(self, index: Index, cache_size: int = CACHE_SIZE):
        self.index = index
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._engine_lock = threading.Lock()

    def cached(self, question: str, intent: str | None = None, offset: int = 0, limit: int = 5) -> Answer | None:
        """The answer if it is in the cache, else None; quick enough for the event loop."""
        key = (question, intent, offset, limit)
        with self._cache_lock:
            answer = self._cache.get(key)
            if answer is not None:
                self._cache.move_to_end(key)
            return answer

    def ask(self, question: str, intent: str | None = None, offset: int = 0, limit: int = 5) -> Answer:
        """The engine's answer (cached); call it in a worker thread, not on the event loop."""
        answer = self.cached(question, intent, offset, limit)
        if answer is not None:
            return answer
        key = (question, intent, offset, limit)
        with self._engine_lock:
            answer = self.index.engine.ask(question, intent=intent, offset=offset, limit=limit)
        if self.cache_size:
            with self._cache_lock:
                self._cache[key] = answer
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return answer

    async def ask_async(self, question: str, intent: str | None = None, offset: int = 0, limit: int = 5) -> Answer:
        """:meth:`ask` for the event loop: a cached answer at once, else the engine in a worker
        thread (a thread hop costs milliseconds, wasted on a cache hit)."""
        answer = self.cached(question, intent, offset, limit)
        if answer is not None:
            return answer
        return await asyncio.to_thread(self.ask, question, intent, offset, limit)

    def summary(self) -> str:
        """How many plans and actions, e.g. for /reload and /stats."""
        kb = self.index.kb
        return f"{len(kb.plans)} plans, {len(kb.actions)} actions"


def is_answered(answer: Answer) -> bool:
    """Did the plans answer the question? (For the unanswered-questions report and buttons.)"""
    return answer.found


def load_index(knowledge_dir: Path, db_path: Path, rebuild: bool = False, say=None) -> Index:
    """Open the index, saying on stderr (or through ``say``) when it has to be built first.

    Raises :class:`~indexer.models.PlanError` when nothing could be indexed.
    """
    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    if rebuild:
        say(f"cspbot: rebuilding the index from {knowledge_dir} ...")
    elif not Path(db_path).exists():
        say(f"cspbot: no index at {db_path} yet; building it from {knowledge_dir} ...")
    index = open_index(knowledge_dir, db_path, rebuild=rebuild)
    if index.report.built:
        say(f"cspbot: index built in {index.report.seconds:.1f}s: "
            f"{len(index.kb.plans)} plans, {len(index.kb.actions)} actions ({db_path})")
    for error in index.report.errors:
        say(f"cspbot: index error: {error}")
    return index
