"""The Telegram bot: build the Application, register every handler (here and only here), run it.

``cspbot run --config PATH`` calls :func:`run_from_cli`. Tests and the benchmark use
:func:`build_application` and :func:`running`, the same start-up and shutdown the command runs.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
from contextlib import asynccontextmanager
from pathlib import Path

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, Defaults, InlineQueryHandler, MessageHandler, TypeHandler, filters)
from telegram.request import BaseRequest

from indexer.index import DEFAULT_DB, DEFAULT_KNOWLEDGE, Index
from indexer.models import PlanError
from indexer.watch import KnowledgeWatcher

from .components import admin, callbacks, keyboards
from .components.access import AccessPolicy, gate
from .components.addressing import ADDRESSED_TO_BOT
from .components.commands import ADMIN_COMMANDS, COMMANDS
from .components.context import SEARCH_KEY, SERVICES_KEY, Services
from .components.errorhandler import on_error
from .components.feedback import FeedbackStore
from .components.help import on_help
from .components.inlinequeries import on_inline_query
from .components.loadedindex import LoadedIndex, load_index
from .components.processor import PerChatUpdateProcessor
from .components.request import RetryingRequest
from .components.search import QUESTION_COMMANDS, on_non_text, on_text, on_unknown_command
from .components.throttle import Throttle
from .config import TOKEN_ENV, BotConfig, ConfigError, default_config, load_config, with_changes

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
LONG_POLL_SECONDS = 10
# Updates in progress at once (one per chat at a time), and HTTP connections to the Bot API.
# Measured with benchmarks/bench_bot.py: more of either made it slower, because httpcore checks
# every pooled connection on each request.
MAX_CONCURRENT_UPDATES = 8
CONNECTION_POOL_SIZE = 4


def build_application(config: BotConfig, index: Index, feedback: FeedbackStore | None = None,
                      requests: tuple[BaseRequest, BaseRequest] | None = None) -> Application:
    """An Application over ``index`` with every handler registered; not started yet.

    ``requests`` (for the benchmark) replaces the HTTP layer: (request, get_updates_request).
    """
    telegram, limits = config.telegram, config.limits
    timeout = telegram.request_timeout
    request, get_updates_request = requests or (
        RetryingRequest(retries=telegram.retries, connection_pool_size=CONNECTION_POOL_SIZE, connect_timeout=timeout,
                        read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout),
        RetryingRequest(retries=telegram.retries, connect_timeout=timeout, read_timeout=timeout,
                        write_timeout=timeout))
    builder = (
        ApplicationBuilder()
        .token(telegram.token)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .request(request)
        .get_updates_request(get_updates_request)
        # Telegram's flood limits; max_retries > 0 makes a 429 wait out retry_after and try again.
        .rate_limiter(AIORateLimiter(overall_max_rate=limits.overall_messages_per_second,
                                     group_max_rate=limits.group_messages_per_minute,
                                     max_retries=max(1, telegram.retries)))
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
    )
    if telegram.base_url:
        builder = builder.base_url(telegram.base_url).base_file_url(telegram.base_file_url)
    application = builder.build()
    application.bot_data[SEARCH_KEY] = LoadedIndex(index)
    application.bot_data[SERVICES_KEY] = Services(
        config=config,
        access=AccessPolicy(config.access),
        throttle=Throttle(limits.questions_per_minute),
        # Telegram sends an inline query per pause in typing: a looser limit of its own.
        inline_throttle=Throttle(limits.questions_per_minute * 3),
        feedback=feedback or FeedbackStore(config.storage.feedback_db),
        watcher=KnowledgeWatcher(index, config.storage.knowledge_dir, config.storage.index_db),
    )
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    """Every handler, in one place. Group -1: the access gate, which stops strangers' updates."""
    application.add_handler(TypeHandler(Update, gate), group=-1)
    new_message = filters.UpdateType.MESSAGE  # not edits: an edited question is not asked again
    application.add_handler(CommandHandler(["start", "help"], on_help, filters=new_message))
    for name, callback in QUESTION_COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=new_message))
    application.add_handler(CommandHandler("reload", admin.on_reload, filters=new_message))
    application.add_handler(CommandHandler("stats", admin.on_stats, filters=new_message))
    application.add_handler(CommandHandler("reports", admin.on_reports, filters=new_message))
    application.add_handler(MessageHandler(new_message & filters.COMMAND & ADDRESSED_TO_BOT, on_unknown_command))
    application.add_handler(MessageHandler(new_message & filters.TEXT & ~filters.COMMAND & ADDRESSED_TO_BOT, on_text))
    application.add_handler(MessageHandler(
        new_message & ~filters.TEXT & ~filters.StatusUpdate.ALL & ADDRESSED_TO_BOT, on_non_text))
    application.add_handler(InlineQueryHandler(on_inline_query))
    application.add_handler(CallbackQueryHandler(callbacks.on_more, pattern=keyboards.MORE))
    application.add_handler(CallbackQueryHandler(callbacks.on_measure, pattern=keyboards.MEASURE))
    application.add_handler(CallbackQueryHandler(callbacks.on_history, pattern=keyboards.HISTORY))
    application.add_handler(CallbackQueryHandler(callbacks.on_vote, pattern=keyboards.VOTE))
    application.add_handler(CallbackQueryHandler(callbacks.on_reason, pattern=keyboards.WHY))
    application.add_handler(CallbackQueryHandler(on_unknown_button))
    application.add_error_handler(on_error)


async def on_unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Callback data we do not know (an older version's button): stop the spinner."""
    await update.callback_query.answer("This button no longer works. Please ask again.")


async def on_startup(application: Application) -> None:
    """Register the command menu with Telegram (admins get theirs in their private chat)."""
    public = [BotCommand("help", "What to ask, with examples")] + [BotCommand(c.name, c.description) for c in COMMANDS]
    try:
        await application.bot.set_my_commands(public, scope=BotCommandScopeDefault())
    except (BadRequest, Forbidden) as exc:  # the menu is a convenience; answer questions anyway
        log.warning("could not set the command menu: %s", exc)
    admin_menu = public + [BotCommand(name, text) for name, text in ADMIN_COMMANDS]
    for admin_id in sorted(application.bot_data[SERVICES_KEY].config.access.admin_user_ids):
        try:
            await application.bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # e.g. the admin has not opened a chat with the bot yet
            log.warning("could not set the admin command menu for %s: %s", admin_id, exc)
    log.info("running as @%s", application.bot.username)


@asynccontextmanager
async def running(application: Application, poll_timeout: float = LONG_POLL_SECONDS, poll_interval: float = 0.0):
    """Start the bot (getMe, command menu, polling or webhook) and stop it cleanly on exit.

    Raises :class:`telegram.error.InvalidToken` when getMe fails with the token.
    """
    config: BotConfig = application.bot_data[SERVICES_KEY].config
    telegram = config.telegram
    await application.initialize()  # getMe
    try:
        await on_startup(application)
        if telegram.mode == "webhook":
            await application.updater.start_webhook(
                listen=telegram.listen, port=telegram.port, url_path=telegram.webhook_path,
                webhook_url=telegram.webhook_url, secret_token=telegram.secret_token,
                allowed_updates=ALLOWED_UPDATES)
        else:
            await application.updater.start_polling(
                poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
        await application.start()
        watching = asyncio.create_task(admin.watch_knowledge(application)) if config.storage.watch_seconds else None
        try:
            yield application
        finally:
            if watching is not None:
                watching.cancel()
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
    finally:
        await application.shutdown()
        application.bot_data[SERVICES_KEY].feedback.close()


async def serve(application: Application) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not on this platform / not the main thread
            pass
    async with running(application):
        config = application.bot_data[SERVICES_KEY].config
        mode = "webhook on " + config.telegram.webhook_url if config.telegram.mode == "webhook" else "polling"
        print(f"cspbot: @{application.bot.username} is running ({mode}); Ctrl-C stops it", file=sys.stderr)
        await stop.wait()


def setup_logging(level: str) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level.upper())
    # httpx logs every request at INFO: one line per getUpdates is noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def config_for_run(args, environ=None) -> BotConfig | None:
    """The configuration ``cspbot run`` uses, or None when it should start the local chat instead
    (``--fallback-chat`` and no token anywhere). Raises :class:`ConfigError` otherwise."""
    path = Path(args.config)
    fallback = getattr(args, "fallback_chat", False)
    if path.exists():
        config = load_config(path, environ)
    elif fallback:
        config = default_config(environ)
    else:
        raise ConfigError(f"{path}: no such file (copy config.example.toml to {path} and put the bot token in it)")
    changes = {}
    # --knowledge / --db given on the command line win over the file.
    if getattr(args, "knowledge", None) and Path(args.knowledge) != DEFAULT_KNOWLEDGE:
        changes["knowledge_dir"] = Path(args.knowledge)
    if getattr(args, "db", None) and Path(args.db) != DEFAULT_DB:
        changes["index_db"] = Path(args.db)
    if changes:
        config = with_changes(config, storage=changes)
    if not config.telegram.token:
        if fallback:
            return None
        raise ConfigError(f"{path}: no bot token; set telegram.token there or the {TOKEN_ENV} environment variable")
    return config


def run_from_cli(args) -> int:
    """``cspbot run``: exit code 0 after a clean stop, 1 with a clear message for any set-up problem."""
    try:
        config = config_for_run(args)
    except ConfigError as exc:
        print(f"cspbot run: {exc}", file=sys.stderr)
        return 1
    if config is None:
        print(f"cspbot run: no Telegram token (neither in {args.config} nor {TOKEN_ENV}); "
              "starting the local chat instead", file=sys.stderr)
        from indexer.chat import run_chat
        try:
            return run_chat(load_index(args.knowledge, args.db))
        except PlanError as exc:
            print(f"cspbot chat: {exc}", file=sys.stderr)
            return 1
    setup_logging(config.logging.level)
    access = config.access
    if not access.open and not (access.allowed_user_ids or access.allowed_chat_ids or access.admin_user_ids):
        print("cspbot run: warning: the allowlists are empty and access.open is false, so the bot will "
              "refuse everybody (it tells each person their user id to add)", file=sys.stderr)
    try:
        index = load_index(config.storage.knowledge_dir, config.storage.index_db)
    except PlanError as exc:
        print(f"cspbot run: cannot build the index: {exc}", file=sys.stderr)
        return 1
    application = build_application(config, index)
    api = config.telegram.base_url or "https://api.telegram.org/bot"
    try:
        asyncio.run(serve(application))
    except InvalidToken as exc:
        print(f"cspbot run: Telegram rejected the bot token (getMe failed: {exc.message}); check telegram.token "
              f"in {config.path or 'the config'} or {TOKEN_ENV}", file=sys.stderr)
        return 1
    except NetworkError as exc:
        print(f"cspbot run: cannot reach the Telegram Bot API at {api}: {exc.message}", file=sys.stderr)
        return 1
    except TelegramError as exc:
        print(f"cspbot run: the Telegram Bot API refused to start the bot: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. the webhook port is taken
        print(f"cspbot run: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
