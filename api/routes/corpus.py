"""``/corpus/{file}``: the publications' PDFs, so ``#page=N`` links open at the cited page.

Only files named in the live version's manifest are served, from the corpus folder itself: no
listing, nothing else in the folder (``publications.toml``, ``.fetch/``), no path tricks.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.deps import IndexDep, SettingsDep
from api.errors import CorpusFileNotFound

router = APIRouter(include_in_schema=False)


@router.get("/corpus/{file}")
def corpus_file(file: str, index: IndexDep, settings: SettingsDep) -> FileResponse:
    allowed = {pub.get("file") for pub in index.manifest.get("publications", [])}
    if file not in allowed or not file.lower().endswith(".pdf"):
        raise CorpusFileNotFound()
    root = settings.corpus_dir.resolve()
    path = (root / file).resolve()
    # The name comes from our own manifest, but the manifest is editable: check the result too.
    if path.parent != root or not path.is_file():
        raise CorpusFileNotFound()
    return FileResponse(path, media_type="application/pdf", filename=file, content_disposition_type="inline")
