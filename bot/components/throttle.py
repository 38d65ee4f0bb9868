"""Per-user throttle: at most N questions in a sliding minute.

Telegram's flood limits protect Telegram; this protects the engine (and the partnership's
group chat) from one person, or one script, asking hundreds of questions.
"""
from __future__ import annotations

import time
from collections import deque


class Throttle:
    """A sliding-window counter per key (a user id)."""

    def __init__(self, limit: int, period: float = 60.0, clock=time.monotonic):
        self.limit = limit
        self.period = period
        self.clock = clock
        self._hits: dict[object, deque[float]] = {}
        self._warned_until: dict[object, float] = {}
        self._calls = 0

    def hit(self, key) -> float:
        """Count one question for ``key``. Returns 0 when allowed, else the seconds to wait."""
        now = self.clock()
        self._calls += 1
        if self._calls % 1000 == 0:
            self._forget_idle(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.period:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return 0.0
        return max(0.1, hits[0] + self.period - now)

    def should_warn(self, key, wait: float) -> bool:
        """True the first time ``key`` is held back in a spell: one "slow down" message, not one
        per message sent while throttled."""
        now = self.clock()
        if self._warned_until.get(key, 0.0) > now:
            return False
        self._warned_until[key] = now + wait
        return True

    def _forget_idle(self, now: float) -> None:
        """Drop users with no question in the window, so memory stays small."""
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.period]:
            del self._hits[key]
        for key in [k for k, until in self._warned_until.items() if until <= now]:
            del self._warned_until[key]
