"""Is a message meant for the bot? In a private chat always; in a group only one of our commands
(bare, or any command as ``/cmd@ourbot``), a message that mentions the bot, or a reply to one of
the bot's messages. Other group chatter, and other bots' commands, get no reply at all.
"""
from __future__ import annotations

from telegram import Message, MessageEntity
from telegram.constants import ChatType
from telegram.ext import filters

from .commands import KNOWN_COMMANDS


def is_addressed_to_bot(message: Message) -> bool:
    """True when ``message`` asks the bot something (see the module docstring)."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    bot = message.get_bot()
    username = (bot.username or "").lower()
    # parse_entity, not slicing: entity offsets count UTF-16 units (an emoji is two).
    if message.text:
        entities, parse = message.entities, message.parse_entity
    else:
        entities, parse = message.caption_entities, message.parse_caption_entity
    for entity in entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            name, _, target = parse(entity)[1:].partition("@")
            return target.lower() == username if target else name.lower() in KNOWN_COMMANDS
        if entity.type == MessageEntity.MENTION and username and parse(entity).lower() == f"@{username}":
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            return True
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot.id)


class AddressedToBot(filters.MessageFilter):
    """Filter form of :func:`is_addressed_to_bot`, for the handlers."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return is_addressed_to_bot(message)


ADDRESSED_TO_BOT = AddressedToBot(name="AddressedToBot")
