"""The bot's settings: ``config.toml`` read with :mod:`tomllib` into frozen dataclasses.

Every key is optional except a token (which may come from ``TELEGRAM_BOT_TOKEN`` instead);
``config.example.toml`` documents them all. Anything wrong (a typo in a key name, a string
where a number belongs) raises :class:`ConfigError` with a message naming the file and the
key, so ``cspbot run`` can print it and stop instead of misbehaving later.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlparse

from indexer.index import DEFAULT_DB, DEFAULT_KNOWLEDGE

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
# What @BotFather hands out: the bot's numeric id, a colon, then a 35-character secret.
_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
# Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in a webhook secret token.
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MODES = ("polling", "webhook")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """The configuration cannot be used; the message says which key and why."""


@dataclass(frozen=True)
class TelegramConfig:
    token: str = ""
    base_url: str = ""  # a self-hosted Bot API server; empty = api.telegram.org
    mode: str = "polling"
    webhook_url: str = ""
    listen: str = "0.0.0.0"
    port: int = 8443
    secret_token: str = ""
    request_timeout: float = 10.0  # seconds for one Bot API call (connect, read, write)
    retries: int = 3  # re-tries of a call Telegram did not carry out (5xx, 429, no connection)

    @property
    def base_file_url(self) -> str:
        """File URL of a self-hosted server: ``.../bot`` becomes ``.../file/bot``."""
        if not self.base_url:
            return ""
        root = self.base_url[:-len("bot")] if self.base_url.endswith("bot") else self.base_url.rstrip("/") + "/"
        return root + "file/bot"

    @property
    def webhook_path(self) -> str:
        """The path the webhook server listens on: the path of ``webhook_url``."""
        return urlparse(self.webhook_url).path.lstrip("/")


@dataclass(frozen=True)
class AccessConfig:
    allowed_user_ids: frozenset[int] = frozenset()
    allowed_chat_ids: frozenset[int] = frozenset()
    admin_user_ids: frozenset[int] = frozenset()
    open: bool = False  # True: anyone may ask (needed on purpose; an empty allowlist refuses all)


@dataclass(frozen=True)
class LimitsConfig:
    questions_per_minute: int = 20
    max_question_chars: int = 500
    results_per_page: int = 5
    # Telegram's own flood limits, enforced by AIORateLimiter; 0 switches a limit off.
    overall_messages_per_second: float = 30.0
    group_messages_per_minute: float = 20.0


@dataclass(frozen=True)
class StorageConfig:
    knowledge_dir: Path = DEFAULT_KNOWLEDGE
    index_db: Path = DEFAULT_DB
    feedback_db: Path = DEFAULT_DB.parent / "feedback.db"
    watch_seconds: float = 15.0  # how often knowledge_dir is checked for changed plans (0: only /reload)


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"


@dataclass(frozen=True)
class BotConfig:
    """All settings; ``path`` is the file they came from (None for the built-in defaults)."""

    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    access: AccessConfig = field(default_factory=AccessConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    path: Path | None = None


SECTIONS = {"telegram": TelegramConfig, "access": AccessConfig, "limits": LimitsConfig,
            "storage": StorageConfig, "logging": LoggingConfig}


def load_config(path: Path, environ: dict[str, str] | None = None) -> BotConfig:
    """Read and check ``path``; fill the token from ``TELEGRAM_BOT_TOKEN`` when the file has none.

    Raises :class:`ConfigError` for a missing or unreadable file, bad TOML, an unknown key or
    a value of the wrong type or shape.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (copy config.example.toml to {path.name} and edit it)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return config_from_dict(raw, path, environ)


def default_config(environ: dict[str, str] | None = None) -> BotConfig:
    """The built-in defaults (no file), with the token from the environment if set."""
    return config_from_dict({}, None, environ)


def config_from_dict(raw: dict, path: Path | None, environ: dict[str, str] | None = None) -> BotConfig:
    """Build a :class:`BotConfig` from parsed TOML; relative paths are taken from ``path``'s folder."""
    where = str(path) if path else "config"
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{where}: unknown section [{unknown[0]}] (known: {', '.join(SECTIONS)})")
    base_dir = path.resolve().parent if path else Path.cwd()
    parts = {}
    for name, cls in SECTIONS.items():
        table = raw.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: {name} must be a table ([{name}])")
        parts[name] = _section(cls, name, table, where, base_dir)
    config = BotConfig(**parts, path=path)
    env = os.environ if environ is None else environ
    if not config.telegram.token and env.get(TOKEN_ENV, "").strip():
        config = _replace(config, "telegram", token=env[TOKEN_ENV].strip())
    _check(config, where)
    return config


def _section(cls, name: str, table: dict, where: str, base_dir: Path):
    """One [section]: check each key against the dataclass field's type."""
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {name}.{key} (known: {', '.join(known)})")
        values[key] = _convert(value, known[key].type, f"{name}.{key}", where, base_dir)
    return cls(**values)


def _convert(value, type_name: str, key: str, where: str, base_dir: Path):
    """Check ``value`` against a field type (annotations are strings here) and convert it."""
    def fail(expected: str):
        raise ConfigError(f"{where}: {key} must be {expected}, got {value!r}")

    if type_name == "str":
        if not isinstance(value, str):
            fail("a string")
        return value.strip()
    if type_name == "bool":
        if not isinstance(value, bool):
            fail("true or false")
        return value
    if type_name == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            fail("a whole number, 0 or more")
        return value
    if type_name == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            fail("a number, 0 or more")
        return float(value)
    if type_name == "frozenset[int]":
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            fail("a list of numeric Telegram ids, e.g. [123456789]")
        return frozenset(value)
    if type_name == "Path":
        if not isinstance(value, str) or not value.strip():
            fail("a path")
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else base_dir / candidate
    raise AssertionError(f"no converter for {type_name}")  # a new field type needs a branch above


def _check(config: BotConfig, where: str) -> None:
    """Rules across keys: token shape, mode, webhook settings, sensible limits."""
    telegram = config.telegram
    if telegram.token and not _TOKEN_SHAPE.match(telegram.token):
        raise ConfigError(f"{where}: telegram.token (or {TOKEN_ENV}) does not look like a bot token "
                          "from @BotFather (digits, a colon, then about 35 letters)")
    if telegram.base_url and urlparse(telegram.base_url).scheme not in ("http", "https"):
        raise ConfigError(f"{where}: telegram.base_url must start with http:// or https://, "
                          f"e.g. \"http://127.0.0.1:8081/bot\"")
    if telegram.mode not in MODES:
        raise ConfigError(f"{where}: telegram.mode must be \"polling\" or \"webhook\", got {telegram.mode!r}")
    if telegram.mode == "webhook":
        if urlparse(telegram.webhook_url).scheme not in ("http", "https") or not urlparse(telegram.webhook_url).netloc:
            raise ConfigError(f"{where}: telegram.mode = \"webhook\" needs telegram.webhook_url, "
                              "the public https:// address Telegram should post updates to")
        # Without a secret anyone who finds the URL could post updates pretending to be an
        # allowed user, so webhook mode insists on one.
        if not _SECRET_SHAPE.match(telegram.secret_token):
            raise ConfigError(f"{where}: telegram.mode = \"webhook\" needs telegram.secret_token: "
                              "1-256 characters from A-Z, a-z, 0-9, _ and -")
    if not 0 < telegram.port < 65536:
        raise ConfigError(f"{where}: telegram.port must be between 1 and 65535")
    if telegram.request_timeout <= 0:
        raise ConfigError(f"{where}: telegram.request_timeout must be more than 0 seconds")
    limits = config.limits
    if limits.questions_per_minute < 1:
        raise ConfigError(f"{where}: limits.questions_per_minute must be at least 1")
    if not 1 <= limits.results_per_page <= 50:
        raise ConfigError(f"{where}: limits.results_per_page must be between 1 and 50")
    if limits.max_question_chars < 20:
        raise ConfigError(f"{where}: limits.max_question_chars must be at least 20")
    if config.logging.level.upper() not in LOG_LEVELS:
        raise ConfigError(f"{where}: logging.level must be one of {', '.join(LOG_LEVELS)}")


def _replace(config: BotConfig, section: str, **changes) -> BotConfig:
    """A copy of ``config`` with some keys of one section changed."""
    from dataclasses import replace
    return replace(config, **{section: replace(getattr(config, section), **changes)})


def with_changes(config: BotConfig, **sections: dict) -> BotConfig:
    """A copy with keys changed per section: ``with_changes(c, limits={"results_per_page": 9})``."""
    for section, changes in sections.items():
        config = _replace(config, section, **changes)
    return config
