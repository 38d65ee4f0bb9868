"""The bot's own SQLite file (``data/feedback.db`` by default), through sqlite-utils.

Tables:

``answers``   every answer shown: the question, the intent asked for, how many results and
              which (ref, period, lead, action). The buttons under a reply carry the row's id,
              so "More" knows the question and 👎 knows what was shown. Unanswered questions
              (``found = 0``) make the admin's report.
``feedback``  👍 / 👎 per answer and person, with the 👎 reason and a copy of what was shown.
``meta``      the random salt for hashing user ids.

People are identified only by a salted hash of their Telegram id, never by name; the salt
stays in this file, so the hashes cannot be matched against other data.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from indexer.search.answer import Answer

from .loadedindex import is_answered

REASONS = {"lead": "wrong lead", "action": "wrong action", "old": "outdated"}


@dataclass
class AnswerRow:
    """What a button needs to know about the answer it sits under."""

    id: int
    question: str
    intent: str | None
    offset: int
    kind: str
    results: list[dict]


class FeedbackStore:
    """Question log and feedback; safe to call from the event loop and from worker threads."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        connection = sqlite3.connect(str(path), check_same_thread=False)
        self.db = sqlite_utils.Database(connection)
        if str(path) != ":memory:":
            # WAL with synchronous=NORMAL: a commit costs no fsync, so logging every answer
            # does not slow the replies down.
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous=NORMAL")
        self._create()
        self.salt = self._salt()

    _ANSWER_COLUMNS = ("ts", "user_hash", "chat_type", "kind", "question", "intent", "answer_intent", "offset",
                       "total", "found", "results")
    _insert_answer_sql = (f"insert into answers ({', '.join(f'[{c}]' for c in _ANSWER_COLUMNS)}) "
                          f"values ({', '.join('?' for _ in _ANSWER_COLUMNS)})")

    def _create(self) -> None:
        with self._lock:
            self.db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
            self.db["answers"].create({
                "id": int, "ts": str, "user_hash": str, "chat_type": str, "kind": str, "question": str,
                "intent": str, "answer_intent": str, "offset": int, "total": int, "found": int, "results": str,
            }, pk="id", if_not_exists=True)
            self.db["feedback"].create({
                "id": int, "ts": str, "answer_id": int, "user_hash": str, "verdict": str, "reason": str,
                "question": str, "results": str,
            }, pk="id", if_not_exists=True)
            self.db["answers"].create_index(["found", "kind"], if_not_exists=True)
            self.db["feedback"].create_index(["answer_id", "user_hash"], if_not_exists=True)

    def _salt(self) -> bytes:
        with self._lock:
            rows = list(self.db.query("select value from meta where key = 'salt'"))
            if rows:
                return bytes.fromhex(rows[0]["value"])
            salt = secrets.token_bytes(16)
            self.db["meta"].insert({"key": "salt", "value": salt.hex()}, replace=True)
            return salt

    def user_hash(self, user_id: int | None) -> str:
        """A salted hash of a Telegram user id (16 hex characters)."""
        return hmac.new(self.salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]

    # ------------------------------------------------------------------ answers
    def log_answer(self, answer: Answer, *, user_id: int | None, chat_type: str, kind: str = "question",
                   intent: str | None = None) -> int:
        """Record an answer shown to someone; returns its id for the buttons."""
        row = {
            "ts": _now(), "user_hash": self.user_hash(user_id), "chat_type": chat_type, "kind": kind,
            "question": answer.query, "intent": intent, "answer_intent": answer.intent,
            "offset": answer.offset, "total": answer.total, "found": int(is_answered(answer)),
            "results": json.dumps([_shown(r) for r in answer.results], ensure_ascii=False),
        }
        assert tuple(row) == self._ANSWER_COLUMNS
        # A plain INSERT: this runs for every answer, and sqlite-utils' insert() inspects the
        # table first (several queries) each time.
        with self._lock:
            cursor = self.db.execute(self._insert_answer_sql, list(row.values()))
            self.db.conn.commit()
            return cursor.lastrowid

    def get_answer(self, answer_id: int) -> AnswerRow | None:
        """The logged answer a button refers to, or None when it is not (or no longer) there."""
        with self._lock:
            rows = list(self.db.query("select * from answers where id = ?", [answer_id]))
        if not rows:
            return None
        row = rows[0]
        return AnswerRow(row["id"], row["question"], row["intent"], row["offset"] or 0, row["kind"],
                         json.loads(row["results"] or "[]"))

    # ------------------------------------------------------------------ feedback
    def record_vote(self, answer_id: int, user_id: int | None, verdict: str) -> int:
        """👍 ("up") or 👎 ("down") on an answer; a second vote by the same person replaces the first."""
        assert verdict in ("up", "down")
        shown = self.get_answer(answer_id)
        user_hash = self.user_hash(user_id)
        with self._lock:
            existing = list(self.db.query("select id from feedback where answer_id = ? and user_hash = ?",
                                          [answer_id, user_hash]))
            if existing:
                feedback_id = existing[0]["id"]
                self.db["feedback"].update(feedback_id, {"verdict": verdict, "reason": None, "ts": _now()})
                return feedback_id
            return self.db["feedback"].insert({
                "ts": _now(), "answer_id": answer_id, "user_hash": user_hash, "verdict": verdict, "reason": None,
                "question": shown.question if shown else None,
                "results": json.dumps(shown.results if shown else [], ensure_ascii=False),
            }).last_pk

    def record_reason(self, feedback_id: int, user_id: int | None, reason_code: str) -> bool:
        """What was wrong with a 👎 answer; False when the report is not this person's."""
        reason = REASONS.get(reason_code)
        if reason is None:
            return False
        with self._lock:
            rows = list(self.db.query("select user_hash from feedback where id = ?", [feedback_id]))
            if not rows or rows[0]["user_hash"] != self.user_hash(user_id):
                return False
            self.db["feedback"].update(feedback_id, {"reason": reason})
        return True

    # ------------------------------------------------------------------ reports
    def stats(self) -> dict:
        """Counts for /stats."""
        with self._lock:
            one = lambda sql, *args: next(iter(self.db.execute(sql, args).fetchone() or [0]))  # noqa: E731
            out = {
                "answered": one("select count(*) from answers where kind = 'question' and found = 1"),
                "unanswered": one("select count(*) from answers where kind = 'question' and found = 0"),
                "button_views": one("select count(*) from answers where kind != 'question'"),
                "people": one("select count(distinct user_hash) from answers"),
                "up": one("select count(*) from feedback where verdict = 'up'"),
                "down": one("select count(*) from feedback where verdict = 'down'"),
            }
            out["reasons"] = {r["reason"] or "no reason given": r["n"] for r in self.db.query(
                "select reason, count(*) as n from feedback where verdict = 'down' group by reason order by n desc")}
            out["top_unanswered"] = list(self.db.query(
                "select question, count(*) as n, max(ts) as last from answers "
                "where kind = 'question' and found = 0 group by lower(question) order by last desc limit 10"))
        return out

    def latest_reports(self, limit: int = 10) -> list[dict]:
        """The latest 👎, newest first, with what was shown."""
        with self._lock:
            rows = list(self.db.query(
                "select id, ts, reason, question, results from feedback where verdict = 'down' "
                "order by id desc limit ?", [limit]))
        for row in rows:
            row["results"] = json.loads(row["results"] or "[]")
        return rows

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()


def _shown(result) -> dict:
    """The part of a result worth keeping with a report."""
    a = result.action
    return {"uid": a.uid, "ref": a.ref, "period": a.period, "lead": a.lead, "action": a.action[:200]}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
