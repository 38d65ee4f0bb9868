"""Answers per second, end to end: the real Application polling the fake Bot API.

    .venv/bin/python -m benchmarks.bench_bot [--messages 2000] [--users 200] [--no-cache]

N private messages from U allowed users are queued on the fake server (tests/fakebotapi.py,
run in a child process so it does not share the bot's interpreter); the bot fetches them with
getUpdates, asks the engine, logs each answer to SQLite, renders the HTML and sends it with
sendMessage. The clock runs from queueing to the last reply delivered. Then the median round
trip of single questions asked one at a time.

A second figure, "bot side only", answers the Bot API calls in-process (no HTTP) and feeds the
same updates to ``Application.process_update`` one after another: what the bot's own code
(PTB, access, engine, SQLite log, rendering) costs, apart from the HTTP client and the network.

Telegram's flood limits (AIORateLimiter: 30 messages/s overall) are switched off here: they
cap what Telegram accepts, not what the bot can do, and would make this measure Telegram's
limit instead of the bot. ``--no-cache`` turns the answer cache off, so every message costs a
full engine search (the worst case: no two questions alike).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from telegram import Update
from telegram.request import BaseRequest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))  # the fake Bot API lives with the tests

from fakebotapi import TOKEN, FakeBotAPI  # noqa: E402

from bot.components.context import SEARCH_KEY  # noqa: E402
from bot.components.loadedindex import LoadedIndex  # noqa: E402
from bot.config import config_from_dict  # noqa: E402
from bot.main import build_application, running  # noqa: E402
from indexer.index import DEFAULT_DB, DEFAULT_KNOWLEDGE, open_index  # noqa: E402

# Questions of every kind the bot gets (topic, lead, agency, ref, measure, listing, miss).
QUESTIONS = [
    "who is in charge of graffiti removal", "who runs the speed watch groups", "/who street pastors",
    "/lead Community Safety Team", "what does the BID lead on", "/action 2.3", "/action 4.1 2022/23",
    "how is shoplifting measured", "/priorities", "/plans", "/glossary ASB", "who deals with fly tipping",
    "who supports victims of stalking", "/history night time economy", "who organises the knife amnesty",
    "who leads on mosquito devices", "what is the target for domestic abuse referrals", "who handles hate crime",
    "who looks after young people at risk of exploitation", "who funds the hi-vis patrols",
    "/who CCTV", "who runs the safer socialising scheme", "who works with licensed premises",
    "qwerty nonsense question", "who tackles county lines", "/who road safety", "who runs drug awareness",
    "who leads the community payback clean-ups", "what does Kent Fire and Rescue do", "/history graffiti",
]


class RemoteFakeAPI:
    """The fake Bot API in a child process (its own interpreter and GIL), driven over HTTP."""

    def __init__(self):
        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_serve_fake_api, args=(child,), daemon=True)
        self.process.start()
        self.token, self.base_url = parent.recv()
        self.control = self.base_url.rsplit("/", 1)[0] + "/control"
        self.client = httpx.AsyncClient(timeout=60)

    async def queue(self, messages: list[tuple[int, str]]) -> None:
        (await self.client.post(f"{self.control}/queue", json=messages)).raise_for_status()

    async def count(self, chat_id: int | None = None) -> dict:
        return (await self.client.post(f"{self.control}/count", json={"chat_id": chat_id})).json()

    def cpu_seconds(self) -> float:
        """CPU time the fake server's process has used (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    async def close(self) -> None:
        await self.client.aclose()
        self.process.terminate()
        self.process.join(5)


def _serve_fake_api(pipe) -> None:
    """Child process: run the fake server until terminated."""
    api = FakeBotAPI().start()
    pipe.send((api.token, api.base_url))
    threading.Event().wait()


def bench_config(api: RemoteFakeAPI, users: list[int], feedback_db: Path):
    return config_from_dict({
        "telegram": {"token": api.token, "base_url": api.base_url, "request_timeout": 30.0},
        "access": {"allowed_user_ids": users},
        "limits": {"questions_per_minute": 1_000_000, "overall_messages_per_second": 0,
                   "group_messages_per_minute": 0},
        "storage": {"feedback_db": str(feedback_db)},
        "logging": {"level": "WARNING"},
    }, None, environ={})


async def wait_until_sent(api: RemoteFakeAPI, count: int, chat_id: int | None = None, timeout: float = 600,
                          interval: float = 0.05) -> None:
    """Poll the fake until ``count`` replies are delivered (each poll costs the bot's process a
    little CPU, so the throughput run polls rarely)."""
    deadline = time.perf_counter() + timeout
    while (await api.count(chat_id))["sent"] < count:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"fewer than {count} replies after {timeout}s")
        await asyncio.sleep(interval)


async def throughput(api: RemoteFakeAPI, users: list[int], messages: int) -> float:
    """Queue ``messages`` questions at once; answers per second until the last is delivered."""
    before = (await api.count())["sent"]
    batch = [(users[n % len(users)], QUESTIONS[n % len(QUESTIONS)]) for n in range(messages)]
    started = time.perf_counter()
    await api.queue(batch)
    await wait_until_sent(api, before + messages)
    return messages / (time.perf_counter() - started)


async def round_trip(api: RemoteFakeAPI, user: int, count: int) -> float:
    """Median seconds from a question queued to its answer delivered, one at a time."""
    times = []
    for number in range(count):
        before = (await api.count(user))["sent"]
        started = time.perf_counter()
        await api.queue([(user, QUESTIONS[number % len(QUESTIONS)])])
        await wait_until_sent(api, before + 1, user, timeout=60, interval=0.002)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class InProcessRequest(BaseRequest):
    """Answers Bot API calls at once, without HTTP, the way the fake server would."""

    read_timeout = 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url, method, request_data=None, **timeouts):
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.json_parameters if request_data else {}
        if endpoint == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif endpoint == "sendMessage":
            result = {"message_id": 1, "date": 0, "chat": {"id": int(params["chat_id"]), "type": "private"},
                      "text": params["text"]}
            if params.get("reply_markup"):
                result["reply_markup"] = json.loads(params["reply_markup"])
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def bot_side_rate(index, users: list[int], messages: int, cache: bool, feedback_db: Path) -> float:
    """Answers per second of the bot's own work, updates processed one after another."""
    config = config_from_dict({"telegram": {"token": TOKEN}, "access": {"allowed_user_ids": users},
                               "limits": {"questions_per_minute": 1_000_000, "overall_messages_per_second": 0,
                                          "group_messages_per_minute": 0},
                               "storage": {"feedback_db": str(feedback_db)}}, None, environ={})
    app = build_application(config, index, requests=(InProcessRequest(), InProcessRequest()))
    app.bot_data[SEARCH_KEY] = LoadedIndex(index, cache_size=512 if cache else 0)

    def update(number: int) -> Update:
        user = users[number % len(users)]
        text = QUESTIONS[number % len(QUESTIONS)]
        message = {"message_id": number, "date": 0, "chat": {"id": user, "type": "private"}, "text": text,
                   "from": {"id": user, "is_bot": False, "first_name": "Bench"}}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return Update.de_json({"update_id": number, "message": message}, app.bot)

    async with app:
        for number in range(len(QUESTIONS)):  # warm up
            await app.process_update(update(number))
        started = time.perf_counter()
        for number in range(messages):
            await app.process_update(update(1000 + number))
        return messages / (time.perf_counter() - started)


async def main_async(args) -> None:
    index = open_index(DEFAULT_KNOWLEDGE, DEFAULT_DB)
    users = list(range(10_000, 10_000 + args.users))
    api = RemoteFakeAPI()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            app = build_application(bench_config(api, users, Path(scratch) / "feedback.db"), index)
            app.bot_data[SEARCH_KEY] = LoadedIndex(index, cache_size=0 if args.no_cache else 512)
            local = await bot_side_rate(index, users, args.messages, not args.no_cache, Path(scratch) / "local.db")
            async with running(app, poll_timeout=1.0):
                await throughput(api, users, min(100, args.messages))  # warm up (imports, connections)
                cpu_bot, cpu_fake, wall = os.times(), api.cpu_seconds(), time.perf_counter()
                rate = await throughput(api, users, args.messages)
                wall = time.perf_counter() - wall
                cpu_bot = sum(os.times()[:2]) - sum(cpu_bot[:2])
                cpu_fake = api.cpu_seconds() - cpu_fake
                latency = await round_trip(api, users[0], 30)
        wrong = (await api.count())["errors"]
    finally:
        await api.close()
    cache = "off" if args.no_cache else "on"
    print(f"{args.messages} messages from {args.users} users, answer cache {cache}: "
          f"{rate:.0f} answers/s end to end")
    print(f"bot side only (Bot API answered in-process, no HTTP): {local:.0f} answers/s")
    print(f"CPU busy during the run: bot process {cpu_bot / wall:.0%}, fake Bot API process {cpu_fake / wall:.0%} "
          f"(of one core each)")
    print(f"single question round trip (median of 30): {latency * 1000:.0f} ms")
    if wrong:
        print(f"warning: {wrong} replies were error messages", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--no-cache", action="store_true", help="every message costs a full engine search")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
