"""``/corpus/{file}``: the publications' PDFs, so ``#page=N`` links open at the cited page.

Only files named in the live version's manifest are served: the copy the version was built from
(``versions/<id>/pdf/``), so a page number always matches the edition that was indexed, or, for
versions built before those copies existed, the file in the corpus folder. No listing, nothing
else in the folder (``publications.toml``, ``.fetch/``), no path tricks.

Citation links name their edition (``?udgave=<sha256 prefix>``). SIRI may publish a new edition
under the same file name with pages inserted; a link saved in a case file then still opens the
page it cited, from the kept version that holds that edition, also after the file was renamed or
the publication withdrawn. Once no kept version holds it, the link answers 410 with a Danish page
that says so and links the current edition (if there is one), rather than opening the new
edition at a page that may now hold something else. A value the service never writes (not 12
hex digits) is ignored: the link opens the live edition, as an unpinned one does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from api.deps import IndexDep, SettingsDep, UrlsDep
from api.errors import CorpusFileNotFound, EditionReplaced
from api.schemas import EDITION_PARAM
from index.store import VersionStore
from index.version import EDITION_PATTERN
from ingest.fetchstate import file_sha256

router = APIRouter(include_in_schema=False)

# A kept edition never changes under its hash: browsers and proxies may keep it.
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}


@router.get("/corpus/{file}")
def corpus_file(file: str, index: IndexDep, settings: SettingsDep, urls: UrlsDep,
                edition: Annotated[str | None, Query(alias=EDITION_PARAM, max_length=64)] = None) -> FileResponse:
    if not file.lower().endswith(".pdf"):
        raise CorpusFileNotFound()
    pinned = _edition(edition)
    live = next((p for p in index.manifest.publications if p.file == file), None)
    store = VersionStore(settings.data_dir)
    if live is not None and (pinned is None or pinned == live.edition):
        snapshot = store.pdf(index.version, file)
        path = _within(snapshot.parent if snapshot else settings.corpus_dir, file)
        # A version built before versions kept their PDFs reads the corpus folder, where `kb fetch`
        # may have put a new edition since: a pinned link opens it only if it is still the same.
        if pinned and snapshot is None and file_sha256(path)[:len(pinned)] != pinned:
            raise EditionReplaced(live.title, urls.current_pdf(file))
        return _pdf(path, file, IMMUTABLE if pinned and snapshot else None)
    if pinned is None:
        raise CorpusFileNotFound()
    # An older edition, or a file the live version no longer has (renamed or withdrawn): each
    # kept version's own manifest says which file names and editions it may serve.
    old = store.edition_pdf(file, pinned)
    if old is not None:
        return _pdf(_within(old.parent, file), file, IMMUTABLE)
    if live is not None:
        raise EditionReplaced(live.title, urls.current_pdf(file))
    # A well-formed edition is a link the service wrote: once no kept version knows the file
    # either, all that can be said is that the edition is gone, not that the link is mistyped.
    earlier = store.publication_with_file(file)
    if earlier is None:
        raise EditionReplaced(None, None)
    successor = index.manifest.publication(earlier.id)
    raise EditionReplaced(earlier.title, urls.current_pdf(successor.file) if successor else None)


def _edition(value: str | None) -> str | None:
    """The edition a link names, as the service writes it; None when it names none it could have
    written (empty, or not 12 hex digits), so that the link opens the live edition."""
    value = (value or "").strip().lower()
    return value if re.fullmatch(EDITION_PATTERN, value) else None


def _within(folder: Path, file: str) -> Path:
    root = folder.resolve()
    path = (root / file).resolve()
    # The name comes from our own manifest, but the manifest is editable: check the result too.
    if path.parent != root or not path.is_file():
        raise CorpusFileNotFound()
    return path


def _pdf(path: Path, file: str, headers: dict[str, str] | None) -> FileResponse:
    return FileResponse(path, media_type="application/pdf", filename=file, content_disposition_type="inline",
                        headers=headers)
