"""Wiring from the settings object to the parts of the two layers below (for the CLI and the app).

This is composition, so it lives in ``api/``: ``index/`` itself never picks the PDF extractor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from index.build import Builder
from index.embed import Embedder
from index.lexical import Analyzer
from index.live import LiveIndex
from index.rerank import Reranker
from index.search import QueryTools
from index.store import VersionStore
from index.thesaurus import Thesaurus
from ingest.extract import EXTRACTOR_VERSION, Extractor
from ingest.isolate import IsolatedExtractor, Limits
from ingest.settings import Settings

log = logging.getLogger("kb.wiring")


def open_embedder(settings: Settings) -> Embedder:
    return Embedder(settings.embedding_model)


def make_builder(settings: Settings, *, embedder: Embedder | None = None, progress: bool = True,
                 on_progress: Callable[[dict[str, Any]], None] | None = None) -> Builder:
    return Builder(
        VersionStore(settings.data_dir),
        settings.corpus_dir,
        settings.embedding_model,
        embedder=embedder or partial(open_embedder, settings),
        # Each PDF in its own process with a deadline and a memory cap: one hostile file fails alone.
        extract=IsolatedExtractor(Extractor(), Limits(timeout=settings.extract_timeout,
                                                      max_memory_mb=settings.extract_max_memory_mb)),
        extractor_version=EXTRACTOR_VERSION,
        keep_versions=settings.keep_versions,
        # The model family's measured fusion weight serves better than the per-build calibration
        # on section titles (see index/fusion.py); the calibration is no longer applied.
        calibrate=False,
        progress=progress,
        on_progress=on_progress,
    )


def open_thesaurus(settings: Settings) -> Thesaurus:
    path = settings.thesaurus_path
    if path is None:
        return Thesaurus.empty()
    try:
        return Thesaurus.load(path, Analyzer().stems)
    except (OSError, ValueError) as exc:
        # Search still works without synonyms; the operator reads why in the log.
        log.error("thesaurus %s not used: %s", path, exc)
        return Thesaurus.empty()


def open_tools(settings: Settings) -> QueryTools:
    reranker = Reranker.load(settings.reranker_model) if settings.reranker_model else None
    return QueryTools(thesaurus=open_thesaurus(settings), reranker=reranker)


def make_live(settings: Settings, *, embedder: Embedder | Callable[[], Embedder] | None = None) -> LiveIndex:
    return LiveIndex(VersionStore(settings.data_dir), embedder or partial(open_embedder, settings),
                     model_name=settings.embedding_model, tools=partial(open_tools, settings))
