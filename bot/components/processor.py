"""Updates processed concurrently across chats, in order within a chat.

With PTB's default (one update at a time) one slow question holds up every other chat; with
plain ``concurrent_updates`` two quick messages from one person may be answered in the wrong
order. This processor takes the middle way: a lock per chat (per user for inline queries).
"""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most ``max_concurrent_updates`` at once; one at a time per chat."""

    __slots__ = ("_locks",)

    def __init__(self, max_concurrent_updates: int = 64):
        super().__init__(max_concurrent_updates)
        self._locks: dict[object, list] = {}  # key -> [lock, number of updates using it]

    @staticmethod
    def _key(update: object) -> object:
        if not isinstance(update, Update):
            return None
        if update.effective_chat:
            return ("chat", update.effective_chat.id)
        if update.effective_user:
            return ("user", update.effective_user.id)
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        if key is None:
            await coroutine
            return
        entry = self._locks.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                await coroutine
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
