"""What ``kb fetch`` remembers about each downloaded PDF.

One readable JSON file per publication lives beside the PDFs, in ``KB_CORPUS_DIR/.fetch/<id>.json``::

    {
      "publication_id": "haandbog",
      "file": "haandbog.pdf",
      "source_url": "https://siri.dk/nyheder/…/",    # the manifest URL the fetch started from
      "pdf_url": "https://siri.dk/media/…/x.pdf",     # the PDF URL requested (given or discovered)
      "etag": "\\"abc\\"",                              # validators for the next conditional GET
      "last_modified": "Tue, 02 Oct 2018 08:00:00 GMT",
      "sha256": "…", "size": 1234567,                  # of the PDF now in the corpus folder
      "fetched_at": "2026-08-01T10:00:00+00:00",      # when these bytes were downloaded
      "checked_at": "2026-08-02T10:00:00+00:00"       # last time the server confirmed them
    }

The fetcher writes it; ``kb status`` and ``GET /api/publications`` read it with :func:`read_facts`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

FETCH_DIR_NAME = ".fetch"
HASH_CHUNK_BYTES = 1024 * 1024

logger = logging.getLogger("kb.fetch")


@dataclass(frozen=True)
class FetchFacts:
    publication_id: str
    file: str
    source_url: str
    pdf_url: str
    sha256: str
    size: int
    fetched_at: str
    checked_at: str
    etag: str | None = None
    last_modified: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> FetchFacts:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def facts_dir(corpus_dir: Path) -> Path:
    return corpus_dir / FETCH_DIR_NAME


def facts_path(corpus_dir: Path, publication_id: str) -> Path:
    return facts_dir(corpus_dir) / f"{publication_id}.json"


def read_facts(corpus_dir: Path, publication_id: str) -> FetchFacts | None:
    """The stored facts, or None when the publication was never fetched.

    A damaged file also gives None (with a warning): the only cost is one unconditional download,
    which is better than ``kb status`` failing.
    """
    path = facts_path(corpus_dir, publication_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return FetchFacts.from_dict(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        logger.warning("ignoring unreadable fetch facts %s: %s", path, exc)
        return None


def read_all_facts(corpus_dir: Path) -> dict[str, FetchFacts]:
    """Facts of every fetched publication, keyed by publication id."""
    folder = facts_dir(corpus_dir)
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob("*.json")):
        facts = read_facts(corpus_dir, path.stem)
        if facts is not None:
            found[path.stem] = facts
    return found


def write_facts(corpus_dir: Path, facts: FetchFacts) -> Path:
    """Write the facts atomically, so a reader never sees half a file."""
    path = facts_path(corpus_dir, facts.publication_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(facts.to_dict(), ensure_ascii=False, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
