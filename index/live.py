"""The live index of a running process, swapped without downtime.

A request takes one reference (``live.current()``) and uses it to the end, so a swap never
changes the version under a request in flight. A new version is loaded beside the old one and
only then published by a single attribute assignment, which is atomic in CPython.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from index.embed import Embedder
from index.errors import CorruptIndex, KBIndexError, ModelMismatch, NoLiveIndex
from index.search import QueryTools, SearchIndex
from index.store import VersionStore

log = logging.getLogger("kb.live")

RETRY_SECONDS = 60.0  # a model that could not load is tried again this often, not at every poll


class LiveIndex:
    def __init__(self, store: VersionStore, embedder: Embedder | Callable[[], Embedder], *,
                 model_name: str | None = None, tools: QueryTools | Callable[[], QueryTools] | None = None):
        self.store = store
        self._tools = tools or QueryTools()
        self.model_name = model_name  # the configured model, checked before loading it
        self._embedder = embedder
        self._current: SearchIndex | None = None
        self._load_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self.last_error: str | None = None
        self._failed: str | None = None  # the version that failed to load, not retried until it changes
        self._retry_after = 0.0  # monotonic time before which a transient failure is not retried

    @property
    def embedder(self) -> Embedder:
        # Either a loaded embedder or a factory that loads it on first use.
        if not hasattr(self._embedder, "encode_passages"):
            self._embedder = self._embedder()  # type: ignore[operator]
        return self._embedder  # type: ignore[return-value]

    @property
    def tools(self) -> QueryTools:
        # Like the embedder: loaded on first use (a reranker is a model too).
        if not isinstance(self._tools, QueryTools):
            self._tools = self._tools()
        return self._tools

    def current(self) -> SearchIndex:
        index = self._current
        if index is None:
            raise NoLiveIndex(self.last_error or "Der er endnu ikke bygget noget indeks. Kør `kb ingest`.")
        return index

    @property
    def version(self) -> str | None:
        index = self._current
        return index.version if index else None

    def reload(self, *, force: bool = False) -> bool:
        """Load the version the pointer names if it is not the one serving; True when swapped.

        A version that cannot be loaded leaves the current one serving and is reported in
        ``last_error`` (and the log). A broken version is not retried until the pointer changes; a
        model that failed to load is retried after ``RETRY_SECONDS``; ``force`` retries at once.
        """
        with self._load_lock:
            pointer = self.store.pointer()
            if pointer is None:
                self.last_error = None
                return False
            if self._current is not None and self._current.version == pointer.version:
                return False
            if self._failed == pointer.version and not force:
                return False
            if time.monotonic() < self._retry_after and not force:
                return False
            try:
                manifest = self.store.manifest(pointer.version)
                if self.model_name and manifest.model != self.model_name:
                    # Say so before trying to load a model that may not even be available here.
                    raise ModelMismatch(
                        f"Indeksversionen {pointer.version} er bygget med modellen {manifest.model!r}, "
                        f"men KB_EMBEDDING_MODEL er {self.model_name!r}. Byg indekset igen med `kb ingest`, "
                        "eller sæt KB_EMBEDDING_MODEL tilbage."
                    )
                index = SearchIndex.load(self.store.path(pointer.version), self.embedder, manifest, self.tools)
            except KBIndexError as exc:
                self.last_error = str(exc)
                # A broken version or one built with another model stays broken: do not retry it
                # every poll. Anything else (a model that failed to load) is retried next time.
                if isinstance(exc, CorruptIndex | ModelMismatch):
                    self._failed = pointer.version
                else:
                    self._retry_after = time.monotonic() + RETRY_SECONDS
                log.error("could not load index version %s: %s", pointer.version, exc)
                return False
            old = self.version
            self._current = index
            self.last_error, self._failed = None, None
            log.info("live index version %s (was %s)", index.version, old)
            return True

    def watch(self, interval: float) -> None:
        """Poll the live pointer in a daemon thread, so a `kb refresh` elsewhere goes live here."""
        if self._watcher is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.reload()
                except Exception:  # noqa: BLE001 - the watcher must outlive any one bad read
                    log.exception("live index watcher")

        self._watcher = threading.Thread(target=loop, name="kb-live-watch", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None
