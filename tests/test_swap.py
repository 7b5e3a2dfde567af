"""Versions swap under a running server with no failed request."""

from __future__ import annotations

import threading
import time

import httpx

from api.wiring import make_builder
from index.store import VersionStore
from ingest.manifest import load_manifest
from tests.api_support import make_app, running_server, with_settings

REQUESTS = 300  # at least this many requests over loopback …
MAX_REQUESTS = 3000  # … and on until the builds are over, within this bound


def test_queries_keep_succeeding_while_versions_swap(work_settings, embedder):
    settings = with_settings(work_settings, reload_interval=0.05)
    pubs = load_manifest(settings.manifest_path)
    first = make_builder(settings, embedder=embedder, progress=False).build(pubs)
    assert first.live

    errors: list[str] = []
    versions_seen: set[str] = set()
    done = threading.Event()
    # The load lasts as long as the builds: faster answers must not end it before the first swap.
    builds_over = threading.Event()

    with running_server(make_app(settings, embedder)) as base:
        def load() -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                i = 0
                while i < MAX_REQUESTS and (i < REQUESTS or not builds_over.is_set()):
                    if i % 3 == 0:
                        r = http.post("/api/ask", json={"question": "hvad gør jeg ved tvangsægteskab", "k": 3})
                    elif i % 3 == 1:
                        r = http.get("/api/search", params={"q": "underretning til kommunen", "k": 5})
                    else:
                        r = http.get("/readyz")
                        if r.status_code == 200:
                            versions_seen.add(r.json()["version"])
                    if r.status_code != 200:
                        errors.append(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:200]}")
                    i += 1
            done.set()

        worker = threading.Thread(target=load)
        worker.start()
        built = [first.version]
        store = VersionStore(settings.data_dir)
        while not done.is_set() and len(built) < 4:
            report = make_builder(settings, embedder=embedder, progress=False).build(pubs, rebuild=True)
            assert report.live
            built.append(report.version)
            time.sleep(0.2)
        if not done.is_set():
            store.rollback()
        builds_over.set()
        worker.join(timeout=300)
        assert not worker.is_alive()

        # The server ends on whatever is live now, without a restart.
        deadline = time.monotonic() + 10
        live = store.live_id()
        while time.monotonic() < deadline:
            if httpx.get(f"{base}/readyz").json().get("version") == live:
                break
            time.sleep(0.05)
        assert httpx.get(f"{base}/readyz").json()["version"] == live

    assert errors == []
    assert len(versions_seen) >= 2, f"no swap happened during the load ({versions_seen})"
