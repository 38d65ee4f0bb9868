"""HTTP to the Bot API, retrying the calls Telegram did not carry out.

PTB's polling confirms an update (by offset) as soon as it is fetched, so if sending the reply
fails the update is gone. This request class therefore retries a call, with a short backoff,
when Telegram answers 5xx (it did not act on it) or the connection never got there (connect
error, connect or pool timeout). It does *not* retry after a read timeout on a call that was
sent: Telegram may already have delivered the message, and sending it again would answer the
question twice. 429 (flood control) is left to AIORateLimiter, which waits ``retry_after``.
"""
from __future__ import annotations

import asyncio
import logging

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


def _never_sent(exc: Exception) -> bool:
    """Did the request fail before reaching Telegram (so a retry cannot duplicate it)?"""
    cause = exc.__cause__
    return isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


class RetryingRequest(HTTPXRequest):
    """:class:`HTTPXRequest` with retries for 5xx answers and failed connections."""

    __slots__ = ("retries", "backoff")

    def __init__(self, *args, retries: int = 3, backoff: float = 0.25, **kwargs):
        super().__init__(*args, **kwargs)
        self.retries = retries
        self.backoff = backoff

    async def do_request(self, url: str, method: str, request_data=None, read_timeout=HTTPXRequest.DEFAULT_NONE,
                         write_timeout=HTTPXRequest.DEFAULT_NONE, connect_timeout=HTTPXRequest.DEFAULT_NONE,
                         pool_timeout=HTTPXRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        """See :meth:`HTTPXRequest.do_request`; retries as the module docstring says."""
        endpoint = url.rsplit("/", 1)[-1]
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                code, payload = await super().do_request(
                    url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
                    connect_timeout=connect_timeout, pool_timeout=pool_timeout)
            except (TimedOut, NetworkError) as exc:
                if last or not _never_sent(exc):
                    raise
                log.warning("%s: %s; retrying (%d of %d)", endpoint, exc, attempt + 1, self.retries)
            else:
                if code < 500 or last:
                    return code, payload
                log.warning("%s: Bot API answered %d; retrying (%d of %d)", endpoint, code, attempt + 1, self.retries)
            await asyncio.sleep(min(self.backoff * 2 ** attempt, 5.0))
        raise AssertionError("unreachable")  # the loop returns or raises on its last attempt
