"""``/corpus/{file}``: the publications' PDFs, so ``#page=N`` links open at the cited page.

Only files named in the live version's manifest are served: the copy the version was built from
(``versions/<id>/pdf/``), so a page number always matches the edition that was indexed, or, for
versions built before those copies existed, the file in the corpus folder. No listing, nothing
else in the folder (``publications.toml``, ``.fetch/``), no path tricks.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.deps import IndexDep, SettingsDep
from api.errors import CorpusFileNotFound
from index.store import VersionStore

router = APIRouter(include_in_schema=False)


@router.get("/corpus/{file}")
def corpus_file(file: str, index: IndexDep, settings: SettingsDep) -> FileResponse:
    allowed = {pub.file for pub in index.manifest.publications}
    if file not in allowed or not file.lower().endswith(".pdf"):
        raise CorpusFileNotFound()
    snapshot = VersionStore(settings.data_dir).pdf(index.version, file)
    root = (snapshot.parent if snapshot else settings.corpus_dir).resolve()
    path = (root / file).resolve()
    # The name comes from our own manifest, but the manifest is editable: check the result too.
    if path.parent != root or not path.is_file():
        raise CorpusFileNotFound()
    return FileResponse(path, media_type="application/pdf", filename=file, content_disposition_type="inline")
