"""A fake Telegram Bot API server for offline tests: a small asyncio HTTP/1.1 server running in
its own thread (and event loop) on 127.0.0.1, so it never blocks the test's event loop.

It serves the methods the bot uses (getMe, deleteWebhook, setWebhook, getUpdates,
sendMessage, editMessageText, answerCallbackQuery, answerInlineQuery, setMyCommands), checks
what Telegram checks (4096-character texts, well-formed HTML, 64-byte callback data, a
callback query answered once), records every call, and can fail the next N calls of a method
with a 429 (``parameters.retry_after``), a 5xx, or a slow answer (a client-side timeout).

getUpdates behaves like Telegram's: an update is served again until a later call confirms it
with ``offset``, and a long poll returns as soon as an update arrives.

Point an Application at it with ``base_url(api.base_url)``, ``base_file_url(api.base_file_url)``.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import parse_qsl

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-test"
BOT_ID = 123456789
BOT_USERNAME = "csp_commitments_bot"

# Parameters PTB sends as JSON text; everything else is a plain string (or a number).
_JSON_PARAMS = {"reply_markup", "results", "commands", "scope", "allowed_updates", "entities",
                "reply_parameters", "link_preview_options", "button", "chat_id", "message_id", "offset",
                "limit", "timeout", "cache_time", "is_personal", "show_alert", "drop_pending_updates",
                "message_thread_id", "max_connections"}
_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
              "tg-spoiler", "blockquote", "tg-emoji", "br"}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    status: int  # 429, 500, 502...; 200 with delay = a slow success
    retry_after: int | None = None
    delay: float = 0.0


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


class _HtmlChecker(HTMLParser):
    """Telegram's HTML rules, roughly: known tags only, properly nested."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag not in _HTML_TAGS:
            self.error = self.error or f"Unsupported start tag \"{tag}\""
        elif tag != "br":
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f"Unmatched end tag \"{tag}\""
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees; raises ApiError like Telegram for bad HTML."""
    if (parse_mode or "").upper() != "HTML":
        return text
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.error or checker.stack:
        raise ApiError(400, f"Bad Request: can't parse entities: {checker.error or 'unclosed tag'}")
    return "".join(checker.text)


class FakeBotAPI:
    """The fake server; use as a context manager or call start()/stop()."""

    def __init__(self, token: str = TOKEN, bot_id: int = BOT_ID, username: str = BOT_USERNAME):
        self.token = token
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "CSP Commitments", "username": username,
                         "can_join_groups": True, "can_read_all_group_messages": False,
                         "supports_inline_queries": True}
        self.calls: list[Call] = []
        self.updates: list[dict] = []  # pending, not yet confirmed
        self.deliveries: dict[int, int] = {}  # update_id -> times served by getUpdates
        self.chats: dict[int, dict] = {}
        self.messages: dict[tuple[int, int], dict] = {}  # (chat_id, message_id) -> message
        self.sent: list[dict] = []  # sendMessage deliveries, in order, as first sent (edits: self.edits, self.messages)
        self.edits: list[dict] = []
        self.callback_answers: dict[str, dict] = {}
        self.inline_answers: dict[str, dict] = {}
        self.webhook: dict | None = None
        self._failures: dict[str, list[Failure]] = {}
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._lock = threading.RLock()  # guards the state above; tests read it from their thread
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None  # set when an update arrives (long polls wait on it)
        self._stop: asyncio.Event | None = None
        self._port = 0
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ life cycle
    def start(self) -> "FakeBotAPI":
        ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve(ready)), name="fake-bot-api",
                                        daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Bot API did not start")
        return self

    async def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake, self._stop = asyncio.Event(), asyncio.Event()
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self._port = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            await self._stop.wait()
            server.close()

    def stop(self) -> None:
        if self._loop and self._thread and self._thread.is_alive():
            def wind_down():
                self._stop.set()
                self._wake.set()  # end long polls now
            self._loop.call_soon_threadsafe(wind_down)
            self._thread.join(10)

    def __enter__(self) -> "FakeBotAPI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ test controls
    def fail(self, method: str, times: int = 1, status: int = 500, retry_after: int | None = None,
             delay: float = 0.0) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (429 carries
        ``retry_after``). ``status=200`` with a ``delay`` makes them succeed slowly instead."""
        with self._lock:
            self._failures.setdefault(method, []).extend(Failure(status, retry_after, delay) for _ in range(times))

    def add_update(self, update: dict) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        with self._lock:
            update_id = next(self._update_ids)
            update = {"update_id": update_id, **update}
            for part in ("message", "callback_query", "inline_query"):
                body = update.get(part)
                if body:
                    chat = (body.get("message") or body).get("chat") if part != "inline_query" else None
                    if chat:
                        self.chats[chat["id"]] = chat
            if "message" in update:
                message = update["message"]
                self.messages[(message["chat"]["id"], message["message_id"])] = message
            self.updates.append(update)
        if self._loop:
            self._loop.call_soon_threadsafe(self._wake.set)
        return update_id

    def new_message_id(self) -> int:
        with self._lock:
            return next(self._message_ids)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def sent_to(self, chat_id: int) -> list[dict]:
        """Messages delivered to a chat, oldest first."""
        with self._lock:
            return [m for m in self.sent if m["chat"]["id"] == chat_id]

    async def wait_for(self, predicate, timeout: float = 5.0, interval: float = 0.01):
        """Wait (without blocking the event loop) until ``predicate()`` is truthy; return it.
        Raises AssertionError on timeout, so a test never hangs."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                what = getattr(predicate, "__name__", predicate)
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            await asyncio.sleep(interval)

    async def quiet(self, seconds: float = 0.3) -> None:
        """Let the bot run a little (to check that it does *not* reply)."""
        await asyncio.sleep(seconds)

    # ------------------------------------------------------------------ HTTP
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One keep-alive connection: read requests, answer each, until the client closes."""
        try:
            while True:
                request_line = await reader.readline()
                if not request_line.strip():
                    break
                headers = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                path = request_line.decode("latin-1").split()[1]
                status, payload = await self._handle(path, body, headers.get("content-type", ""))
                data = json.dumps(payload).encode()
                writer.write(f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client gave up (a timeout test) or went away, or the server is stopping
        finally:
            writer.close()

    async def _handle(self, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
        """Route one Bot API call; returns (HTTP status, JSON payload)."""
        if path.startswith("/control/"):
            return 200, self._control(path.split("?")[0], json.loads(body or b"null"))
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", path.split("?")[0])
        if not match:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = match.groups()
        params = self._parse(body, content_type)
        if token != self.token:
            self._record(method, params, 401)
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        with self._lock:
            failure = self._failures.get(method, []).pop(0) if self._failures.get(method) else None
        if failure and failure.status != 200:
            await asyncio.sleep(failure.delay)
            self._record(method, params, failure.status)
            payload = {"ok": False, "error_code": failure.status,
                       "description": "Too Many Requests: retry after %s" % failure.retry_after
                       if failure.status == 429 else HTTPStatus(failure.status).phrase}
            if failure.retry_after is not None:
                payload["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, payload
        try:
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = getattr(self, f"_api_{method}", self._api_unknown)(params)
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status = exc.status
            payload = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                payload["parameters"] = exc.parameters
        self._record(method, params, status)
        if failure:  # a slow success: done, but the answer comes late (the client may time out)
            await asyncio.sleep(failure.delay)
        return status, payload

    def _control(self, path: str, body) -> dict:
        """Test controls over HTTP, for a fake running in another process (the benchmark):
        ``/control/queue`` takes [[user_id, text], ...]; ``/control/count`` {"chat_id": id or null}."""
        if path == "/control/queue":
            for user_id, text in body:
                self.message(user_id, text)
            return {"queued": len(body)}
        if path == "/control/count":
            chat_id = (body or {}).get("chat_id")
            with self._lock:
                sent = self.sent if chat_id is None else [m for m in self.sent if m["chat"]["id"] == chat_id]
                return {"sent": len(sent), "errors": sum(1 for m in sent if "went wrong" in m["text"])}
        return {"error": f"unknown control {path}"}

    @staticmethod
    def _parse(body: bytes, content_type: str) -> dict:
        if not body:
            return {}
        if "application/json" in content_type:
            return json.loads(body)
        params = {}
        for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            if key in _JSON_PARAMS:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            params[key] = value
        return params

    def _record(self, method: str, params: dict, status: int) -> None:
        with self._lock:
            self.calls.append(Call(method, params, status))

    # ------------------------------------------------------------------ methods
    def _api_unknown(self, params: dict):
        raise ApiError(404, "Not Found: method not found")

    def _api_getMe(self, params: dict):  # noqa: N802 - Bot API names
        return self.bot_user

    def _api_deleteWebhook(self, params: dict):  # noqa: N802
        with self._lock:
            self.webhook = None
            if params.get("drop_pending_updates"):
                self.updates.clear()
        return True

    def _api_setWebhook(self, params: dict):  # noqa: N802
        with self._lock:
            self.webhook = params
        return True

    def _api_setMyCommands(self, params: dict):  # noqa: N802
        for command in params.get("commands", []):
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")) \
                    or not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        return True

    async def _get_updates(self, params: dict) -> list[dict]:
        """Pending updates from ``offset`` on (confirming the earlier ones); a long poll waits
        up to ``timeout`` seconds for one to arrive."""
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                if offset:
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                batch = self.updates[:limit]
                if batch or time.monotonic() >= deadline or self._stop.is_set():
                    for update in batch:
                        self.deliveries[update["update_id"]] = self.deliveries.get(update["update_id"], 0) + 1
                    return batch
                self._wake.clear()  # under the lock: an update added after this sets it again
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass

    def _chat(self, chat_id) -> dict:
        chat = self.chats.get(int(chat_id))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    @staticmethod
    def _check_markup(markup: dict | None) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _api_sendMessage(self, params: dict):  # noqa: N802
        text = params.get("text", "")
        with self._lock:
            chat = self._chat(params["chat_id"])
            shown = visible_text(text, params.get("parse_mode"))
            if not shown.strip():
                raise ApiError(400, "Bad Request: message text is empty")
            if len(shown.encode("utf-16-le")) // 2 > 4096:
                raise ApiError(400, "Bad Request: message is too long")
            self._check_markup(params.get("reply_markup"))
            reply_to = (params.get("reply_parameters") or {}).get("message_id")
            message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                       "from": self.bot_user, "text": shown}
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            self.messages[(chat["id"], message["message_id"])] = message
            self.sent.append({**message, "html": text, "reply_to": reply_to})
            message = dict(message)
            return message

    def _api_editMessageText(self, params: dict):  # noqa: N802
        with self._lock:
            key = (int(params["chat_id"]), int(params["message_id"]))
            message = self.messages.get(key)
            if message is None or message.get("from", {}).get("id") != self.bot_user["id"]:
                raise ApiError(400, "Bad Request: message to edit not found")
            shown = visible_text(params.get("text", ""), params.get("parse_mode"))
            if len(shown.encode("utf-16-le")) // 2 > 4096:
                raise ApiError(400, "Bad Request: message is too long")
            self._check_markup(params.get("reply_markup"))
            if shown == message["text"] and params.get("reply_markup") == message.get("reply_markup"):
                raise ApiError(400, "Bad Request: message is not modified")
            message.update(text=shown, edit_date=int(time.time()))
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            else:
                message.pop("reply_markup", None)
            self.edits.append({"chat_id": key[0], "message_id": key[1], "text": shown, "html": params.get("text"),
                               "reply_markup": params.get("reply_markup")})
            return message

    def _api_answerCallbackQuery(self, params: dict):  # noqa: N802
        with self._lock:
            query_id = str(params["callback_query_id"])
            if query_id in self.callback_answers:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self.callback_answers[query_id] = params
            return True

    def _api_answerInlineQuery(self, params: dict):  # noqa: N802
        results = params.get("results", [])
        if len(results) > 50 or len({r["id"] for r in results}) != len(results) \
                or any(len(r["id"].encode()) > 64 for r in results):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        with self._lock:
            query_id = str(params["inline_query_id"])
            if query_id in self.inline_answers:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self.inline_answers[query_id] = params
            return True

    # ------------------------------------------------------------------ update builders
    def message(self, user_id: int, text: str, chat_id: int | None = None, chat_type: str = "private",
                reply_to: dict | None = None, first_name: str = "Sam") -> dict:
        """Queue a text message (entities for commands and @mentions are worked out like
        Telegram does); returns the update."""
        chat_id = user_id if chat_id is None else chat_id
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Partnership group"
        message = {"message_id": self.new_message_id(), "date": int(time.time()), "chat": chat,
                   "from": {"id": user_id, "is_bot": False, "first_name": first_name}, "text": text}
        entities = entities_for(text)
        if entities:
            message["entities"] = entities
        if reply_to:
            message["reply_to_message"] = reply_to
        return self._queued(self.add_update({"message": message}))

    def click(self, user_id: int, message: dict, data: str) -> dict:
        """Queue a button press on ``message`` (one the bot sent); returns the update."""
        with self._lock:
            stored = self.messages[(message["chat"]["id"], message["message_id"])]
            query = {"id": str(next(self._ids)), "chat_instance": "1", "data": data,
                     "from": {"id": user_id, "is_bot": False, "first_name": "Sam"},
                     "message": dict(stored)}
        return self._queued(self.add_update({"callback_query": query}))

    def inline(self, user_id: int, query: str) -> dict:
        """Queue an inline query; returns the update (its ``inline_query.id`` keys inline_answers)."""
        query_id = str(next(self._ids))
        return self._queued(self.add_update({"inline_query": {
            "id": query_id, "from": {"id": user_id, "is_bot": False, "first_name": "Sam"},
            "query": query, "offset": "", "chat_type": "private"}}))

    def _queued(self, update_id: int) -> dict:
        with self._lock:
            return next(u for u in self.updates if u["update_id"] == update_id)

    def buttons(self, message: dict) -> dict[str, str]:
        """A sent message's buttons: text -> callback data."""
        markup = message.get("reply_markup") or {}
        return {b["text"]: b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row}


def entities_for(text: str) -> list[dict]:
    """bot_command and mention entities as Telegram would mark them (offsets in UTF-16 units)."""
    entities = []
    for match in re.finditer(r"(?<![\w/@])(/[A-Za-z0-9_]{1,32}(?:@\w+)?)|(?<![\w@])(@\w{5,32})", text):
        kind = "bot_command" if match.group(1) else "mention"
        offset = len(text[:match.start()].encode("utf-16-le")) // 2
        length = len(match.group(0).encode("utf-16-le")) // 2
        entities.append({"type": kind, "offset": offset, "length": length})
    return entities
