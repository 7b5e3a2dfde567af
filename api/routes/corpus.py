"""``/corpus/{file}``: the publications' PDFs, so ``#page=N`` links open at the cited page.

Only files named in the live version's manifest are served: the copy the version was built from
(``versions/<id>/pdf/``), so a page number always matches the edition that was indexed, or, for
versions built before those copies existed, the file in the corpus folder. No listing, nothing
else in the folder (``publications.toml``, ``.fetch/``), no path tricks.

Citation links name their edition (``?udgave=<sha256 prefix>``). SIRI may publish a new edition
under the same file name with pages inserted; a link saved in a case file then still opens the
page it cited, from the kept version that holds that edition. Once no kept version holds it, the
link answers 410 with a Danish page that says so and links the current edition, rather than
opening the new edition at a page that may now hold something else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from api.deps import IndexDep, SettingsDep, UrlsDep
from api.errors import CorpusFileNotFound, EditionReplaced
from api.schemas import EDITION_PARAM
from index.store import VersionStore
from index.version import EDITION_DIGITS

router = APIRouter(include_in_schema=False)

# A kept edition never changes under its hash: browsers and proxies may keep it.
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}


@router.get("/corpus/{file}")
def corpus_file(file: str, index: IndexDep, settings: SettingsDep, urls: UrlsDep,
                edition: Annotated[str | None, Query(alias=EDITION_PARAM, max_length=64)] = None) -> FileResponse:
    publication = next((p for p in index.manifest.publications if p.file == file), None)
    if publication is None or not file.lower().endswith(".pdf"):
        raise CorpusFileNotFound()
    store = VersionStore(settings.data_dir)
    if edition is None or edition == publication.edition:
        snapshot = store.pdf(index.version, file)
        path = _within(snapshot.parent if snapshot else settings.corpus_dir, file)
        return _pdf(path, file, IMMUTABLE if edition and snapshot else None)
    old = store.edition_pdf(file, edition) if len(edition) == EDITION_DIGITS else None
    if old is None:
        raise EditionReplaced(publication.title, urls.current_pdf(file))
    return _pdf(_within(old.parent, file), file, IMMUTABLE)


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
