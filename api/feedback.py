""""Hjalp svaret?": caseworkers' yes/no on an answer or a passage, kept in the data folder.

One SQLite file, ``KB_DATA_DIR/feedback/feedback.sqlite3``. What is kept: yes or no, the passage
(id, publication, pages, printed page), whether it was a result page or a passage page, the index
version, the day, and the question after :func:`api.redact.redact_question` (as the query log
keeps it). What is never kept: IP address, user agent, cookies, or a time finer than the day, so
a row cannot be matched to a line of the access log.

``questions()`` turns the helpful answers into a `kb eval` question file (see DESIGN.md), so a
municipality can grow an evaluation set from its own caseworkers' questions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
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
    version TEXT
)
"""


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
            with db:  # a transaction
                yield db

    def add(self, *, helpful: bool, source: Source, question: str | None, passage_id: str, publication_id: str,
            page_start: int, page_end: int, page_label: str | None, version: str | None) -> None:
        kept = redact_question(question) if question and question.strip() else None
        day = datetime.now(UTC).date().isoformat()
        with self._db() as db:
            db.execute("INSERT INTO feedback (day, helpful, source, question, passage_id, publication_id, page_start, "
                       "page_end, page_label, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (day, int(helpful), source, kept, passage_id, publication_id, page_start, page_end,
                        page_label, version))

    def all(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [Feedback(**{**dict(row), "helpful": bool(row["helpful"])}) for row in rows]

    def questions(self) -> list[dict[str, Any]]:
        """The helpful answers to a question, as `kb eval` question lines (one per question and source)."""
        lines: list[dict[str, Any]] = []
        seen: set[tuple[str, str, tuple[int, ...]]] = set()
        for item in self.all():
            if not item.helpful or not item.question:
                continue  # "no" says what was wrong, not where the answer is; a passage page has no question
            key = (item.question.casefold(), item.publication_id, tuple(item.pages))
            if key in seen:
                continue
            seen.add(key)
            line: dict[str, Any] = {"id": f"feedback-{len(lines) + 1}", "question": item.question,
                                    "publication": item.publication_id, "pages": item.pages}
            if item.page_label:
                line["labels"] = [item.page_label]
            line["kind"] = "feedback"
            lines.append(line)
        return lines
