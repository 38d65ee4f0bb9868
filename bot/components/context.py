"""What the handlers share, kept in ``application.bot_data``.

``bot_data["search"]`` is the :class:`~bot.components.loadedindex.LoadedIndex` (replaced whole
on /reload); ``bot_data["services"]`` holds the rest. Handlers read the index once at the
start, so one update is answered from one index even if a reload lands meanwhile.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telegram.ext import CallbackContext

    from indexer.watch import KnowledgeWatcher

    from ..config import BotConfig
    from .access import AccessPolicy
    from .feedback import FeedbackStore
    from .loadedindex import LoadedIndex
    from .throttle import Throttle

SEARCH_KEY = "search"
SERVICES_KEY = "services"


@dataclass
class Services:
    config: "BotConfig"
    access: "AccessPolicy"
    throttle: "Throttle"  # questions, buttons
    inline_throttle: "Throttle"  # inline queries (one per keystroke, so kept apart)
    feedback: "FeedbackStore"
    watcher: "KnowledgeWatcher"  # the one path to a new index: /reload and the background check
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # update ids we have replied to, so the error handler does not apologise after a reply
    replied: "OrderedDict[int, None]" = field(default_factory=OrderedDict)


def services(context: "CallbackContext") -> Services:
    return context.bot_data[SERVICES_KEY]


def search_index(context: "CallbackContext") -> "LoadedIndex":
    return context.bot_data[SEARCH_KEY]


def note_replied(context: "CallbackContext", update_id: int) -> None:
    """Remember that ``update_id`` got its reply (bounded memory)."""
    replied = services(context).replied
    replied[update_id] = None
    while len(replied) > 1000:
        replied.popitem(last=False)


def was_replied(bot_data: dict, update_id: int) -> bool:
    return update_id in bot_data[SERVICES_KEY].replied
