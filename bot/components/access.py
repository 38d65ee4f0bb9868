"""Who may read the plans: the allowlists, the gate every update passes, and admin checks.

The gate runs before any other handler (group -1). An update from someone not allowed gets a
single polite refusal with their user id (to give an admin), and nothing else: no plan text
in a chat, no inline results, no button actions. An empty allowlist refuses everybody
unless ``access.open = true``.
"""
from __future__ import annotations

import functools
import logging
import time

from telegram import InlineQueryResultsButton, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from ..config import AccessConfig
from .addressing import is_addressed_to_bot
from .context import services

log = logging.getLogger(__name__)

#: A stranger is refused once per this many seconds per chat, then ignored: a refusal per
#: message would let anyone make the bot spam a group.
REFUSAL_INTERVAL = 3600.0


class AccessPolicy:
    """The allowlists, and a memory of whom we have refused lately."""

    def __init__(self, config: AccessConfig, clock=time.monotonic):
        self.config = config
        self.clock = clock
        self._refused: dict[tuple, float] = {}

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.config.admin_user_ids

    def allows(self, user_id: int | None, chat_id: int | None = None) -> bool:
        """May this user (in this chat) read plan content? Admins always may."""
        if self.config.open:
            return True
        if user_id is not None and (user_id in self.config.allowed_user_ids or self.is_admin(user_id)):
            return True
        return chat_id is not None and chat_id in self.config.allowed_chat_ids

    def should_refuse_aloud(self, user_id: int | None, chat_id: int | None) -> bool:
        """True at most once per REFUSAL_INTERVAL for a user in a chat."""
        now = self.clock()
        key = (user_id, chat_id)
        if self._refused.get(key, -REFUSAL_INTERVAL) > now - REFUSAL_INTERVAL:
            return False
        if len(self._refused) > 10_000:
            self._refused = {k: t for k, t in self._refused.items() if t > now - REFUSAL_INTERVAL}
        self._refused[key] = now
        return True


def refusal_text(user_id: int | None, chat_id: int | None, chat_type: str | None) -> str:
    """The one refusal: polite, with the ids an admin needs to let them in."""
    text = ("Sorry, I can only share the partnership plans with partner staff I know. "
            f"To get access, send an admin your Telegram user id: <code>{user_id}</code>")
    if chat_type not in (None, ChatType.PRIVATE, ChatType.SENDER):
        text += f"\nTo allow this whole group, the admin needs its chat id: <code>{chat_id}</code>"
    return text


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let allowed updates through; answer the rest once and stop them (ApplicationHandlerStop)."""
    user = update.effective_user
    chat = update.effective_chat
    policy = services(context).access
    if policy.allows(user.id if user else None, chat.id if chat else None):
        return
    user_id = user.id if user else None
    chat_id = chat.id if chat else None
    log.info("refused an update from someone not on the allowlist (%s chat)", chat.type if chat else "no")
    try:
        if update.inline_query:
            await update.inline_query.answer(
                [], cache_time=0, is_personal=True,
                button=InlineQueryResultsButton(text="Not authorised – tap to see your user id",
                                                start_parameter="access"))
        elif update.callback_query:
            await update.callback_query.answer(
                f"Sorry, I can only share the plans with partner staff I know. Your user id is {user_id}.",
                show_alert=True)
        elif update.message and is_addressed_to_bot(update.message) and (
                _asks_for_id(update) or policy.should_refuse_aloud(user_id, chat_id)):
            await update.message.reply_text(refusal_text(user_id, chat_id, chat.type if chat else None))
    except TelegramError as exc:
        log.warning("could not send a refusal: %s", exc)
    raise ApplicationHandlerStop


def _asks_for_id(update: Update) -> bool:
    """/start in a private chat (also what the inline "not authorised" button sends): always
    answered, since it is how someone finds out their user id."""
    message = update.message
    return message.chat.type == ChatType.PRIVATE and (message.text or "").startswith("/start")


def admin_only(handler):
    """Decorator: run ``handler`` for admins; tell anyone else it is an admin command."""
    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if not services(context).access.is_admin(user.id if user else None):
            if update.effective_message:
                await update.effective_message.reply_text("That command is for the bot's admins.")
            return
        await handler(update, context)
    return wrapper
