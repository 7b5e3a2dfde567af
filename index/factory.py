"""Wiring from the settings object to the index layer's parts (used by the CLI and the app)."""

from __future__ import annotations

from functools import partial

from ingest.extract import EXTRACTOR_VERSION, Extractor

from index.build import Builder
from index.embed import Embedder
from index.live import LiveIndex
from index.store import VersionStore
from ingest.settings import Settings


def open_embedder(settings: Settings) -> Embedder:
    return Embedder(settings.embedding_model)


def make_builder(settings: Settings, *, embedder: Embedder | None = None, progress: bool = True) -> Builder:
    return Builder(
        VersionStore(settings.data_dir),
        settings.corpus_dir,
        settings.embedding_model,
        embedder=embedder or partial(open_embedder, settings),
        extract=Extractor(),
        extractor_version=EXTRACTOR_VERSION,
        keep_versions=settings.keep_versions,
        progress=progress,
    )


def make_live(settings: Settings, *, embedder: Embedder | None = None) -> LiveIndex:
    return LiveIndex(VersionStore(settings.data_dir), embedder or partial(open_embedder, settings))
