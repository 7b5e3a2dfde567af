""""Hjalp svaret?": caseworkers' yes/no on an answer or a passage, kept in the data folder.

One SQLite file, ``KB_DATA_DIR/feedback/feedback.sqlite3``. What is kept: yes or no, the passage
(id, publication, pages, printed page), whether it was a result page or a passage page, the index
version, the day, the question after :func:`api.redact.redact_question` (as the query log
keeps it) and the publication the search was restricted to. What is never kept: IP address, user
agent, cookies, or a time finer than the day, so a row cannot be matched to a line of the access log.

One answer per rendered form: each form carries a random token (:func:`new_token`, drawn per page,
never from the question or the person), and a second post of the same form (a double click, a
reloaded post, a changed mind) replaces the first answer instead of adding one. The token is
kept as its hash and forgotten once the form is unlikely to be posted again (:data:`TOKEN_DAYS`), so a row cannot be
matched for long to a page left in a browser's history. A form without a token (a page from
before tokens, a post by hand) is stored as a new answer each time.

``questions()`` turns the helpful answers into a `kb eval` question file (see DESIGN.md), so a
municipality can grow an evaluation set from its own caseworkers' questions.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from api.redact import redact_question

Source = Literal["search", "passage"]
SOURCES: tuple[Source, ...] = ("search", "passage")

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    day TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    source TEXT NOT NULL,
    question TEXT,
    passage_id TEXT NOT NULL,
    publication_id TEXT NOT NULL,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    page_label TEXT,
    version TEXT,
    filter_publication TEXT,
    token TEXT
)
"""
# Columns the first version's table lacks: added to an existing file when it is opened.
ADDED_COLUMNS = {"filter_publication": "TEXT", "token": "TEXT"}
# NULLs are distinct in a UNIQUE index: answers without a token are never merged.
TOKEN_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS feedback_token ON feedback (token)"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
TOKEN_DAYS = 2  # today and yesterday: a form answered just before midnight can still be corrected


def new_token() -> str:
    """One rendered form's token: random, so it says nothing about the question or the person."""
    return secrets.token_urlsafe(16)  # 22 characters, matches TOKEN_PATTERN


def valid_token(token: str | None) -> str | None:
    """The token when it is one :func:`new_token` could have drawn; anything else (a post by hand
    could put a name or a CPR number there) is not kept, and the answer is stored as untokened."""
    return token if token and TOKEN_PATTERN.fullmatch(token) else None


@dataclass(frozen=True)
class Feedback:
    helpful: bool
    source: Source
    question: str | None  # already redacted
    passage_id: str
    publication_id: str
    page_start: int
    page_end: int
    page_label: str | None
    version: str | None
    filter_publication: str | None = None  # the search's publication filter; None: all were searched
    day: str = ""
    id: int | None = None

    @property
    def pages(self) -> list[int]:
        return list(range(self.page_start, self.page_end + 1))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "pages": self.pages}


class FeedbackStore:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "feedback.sqlite3"

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One short connection per call: requests run in a thread pool, and answers are rare.
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.row_factory = sqlite3.Row
            db.execute(SCHEMA)
            _upgrade(db)
            with db:  # a transaction
                # Old tokens go first, on every use: a form from last week posted again (a restored
                # tab) is a new answer, not a change to the old one, and a quiet store forgets too.
                forget = (datetime.now(UTC).date() - timedelta(days=TOKEN_DAYS - 1)).isoformat()
                db.execute("UPDATE feedback SET token = NULL WHERE token IS NOT NULL AND day < ?", (forget,))
                yield db

    def add(self, *, helpful: bool, source: Source, question: str | None, passage_id: str, publication_id: str,
            page_start: int, page_end: int, page_label: str | None, version: str | None,
            filter_publication: str | None = None, token: str | None = None) -> None:
        kept = redact_question(question) if question and question.strip() else None
        today = datetime.now(UTC).date()
        with self._db() as db:
            # The same form again: its answer replaces the first (the rest is the same form's).
            db.execute("INSERT INTO feedback (day, helpful, source, question, passage_id, publication_id, page_start, "
                       "page_end, page_label, version, filter_publication, token) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (token) DO UPDATE SET helpful = excluded.helpful, day = excluded.day",
                       (today.isoformat(), int(helpful), source, kept, passage_id, publication_id, page_start,
                        page_end, page_label, version, filter_publication, _stored(token)))

    def all(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        # The token only recognises a form posted again; it is no part of an answer.
        return [Feedback(**{**_without_token(dict(row)), "helpful": bool(row["helpful"])}) for row in rows]

    def questions(self) -> list[dict[str, Any]]:
        """The helpful answers to a question, as `kb eval` question lines (one per question and source)."""
        lines: list[dict[str, Any]] = []
        seen: set[tuple[str, str, tuple[int, ...], str | None]] = set()
        for item in self.all():
            if not item.helpful or not item.question:
                continue  # "no" says what was wrong, not where the answer is; a passage page has no question
            key = (item.question.casefold(), item.publication_id, tuple(item.pages), item.filter_publication)
            if key in seen:
                continue
            seen.add(key)
            line: dict[str, Any] = {"id": f"feedback-{len(lines) + 1}", "question": item.question,
                                    "publication": item.publication_id, "pages": item.pages}
            if item.page_label:
                line["labels"] = [item.page_label]
            if item.filter_publication:
                # She searched one publication: `kb eval` asks the question the same way.
                line["filter_publication"] = item.filter_publication
            line["kind"] = "feedback"
            lines.append(line)
        return lines


def _upgrade(db: sqlite3.Connection) -> None:
    """Adds what the previous version's file lacks; its rows read as untokened and unfiltered."""
    if ADDED_COLUMNS.keys() <= _columns(db):
        db.execute(TOKEN_INDEX)
        return
    # Under the write lock, asked again: two server processes may open the old file at once.
    db.execute("BEGIN IMMEDIATE")
    try:
        for name, kind in ADDED_COLUMNS.items():
            if name not in _columns(db):
                db.execute(f"ALTER TABLE feedback ADD COLUMN {name} {kind}")
        db.execute(TOKEN_INDEX)
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _stored(token: str | None) -> str | None:
    """What the file keeps of a token: its hash. A post by hand can put any 22 letters there
    (a name and a CPR number fit), and the hash still recognises the same form posted again."""
    valid = valid_token(token)
    return hashlib.sha256(valid.encode()).hexdigest() if valid else None


def _columns(db: sqlite3.Connection) -> set[str]:
    return {row[1] for row in db.execute("PRAGMA table_info(feedback)")}


def _without_token(row: dict[str, Any]) -> dict[str, Any]:
    row.pop("token", None)
    return row
