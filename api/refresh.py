"""`kb refresh`: fetch what changed, then build a new version only if something did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import httpx

from api.wiring import make_builder
from index.embed import Embedder
from index.store import VersionStore
from ingest.fetch import Fetcher
from ingest.manifest import load_manifest
from ingest.settings import Settings


def fetch_publications(settings: Settings, *, client: httpx.Client | None = None, progress: bool = True,
                       store: VersionStore | None = None) -> list[dict[str, Any]]:
    """Fetch under the store lock: a PDF is never replaced while a build reads the corpus."""
    publications = load_manifest(settings.manifest_path)
    lock = (store or VersionStore(settings.data_dir)).lock()
    with lock, Fetcher(settings, client=client, progress=progress) as fetcher:
        return [asdict(r) for r in fetcher.fetch_all(publications)]


def refresh(settings: Settings, *, force: bool = False, client: httpx.Client | None = None,
            progress: bool = True, builder: Any = None, embedder: Embedder | None = None,
            on_progress: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Fetch, then build; the report has a per-publication ``fetch`` result beside the build status.

    A failed download keeps the old PDF, so the build sees it unchanged; the publication is still
    reported as ``failed`` and the exit code says so.
    """
    builder = builder or make_builder(settings, embedder=embedder, progress=progress, on_progress=on_progress)
    # One lock from the first download to the published version: nothing changes the corpus between.
    with builder.store.lock():
        if on_progress:
            on_progress({"phase": "fetch"})
        fetched = {r["publication_id"]: r
                   for r in fetch_publications(settings, client=client, progress=progress, store=builder.store)}
        publications = load_manifest(settings.manifest_path)
        report = builder.build(publications, force=force)
    data = report.to_dict()
    for pub in data["publications"]:
        result = fetched.get(pub["id"])
        pub["fetch"] = result
        if result and result["status"] == "failed" and pub["status"] != "failed":
            pub["status"] = "failed"
            pub["error"] = result["error"]
    data["ok"] = data["ok"] and all(r["status"] != "failed" for r in fetched.values())
    return data
