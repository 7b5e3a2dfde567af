"""Citations open the PDF edition a version was built from, even after `kb fetch` replaced the file."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.wiring import make_builder
from index.store import VersionStore
from ingest.manifest import load_manifest
from tests.api_support import make_app


def test_pdf_links_serve_the_indexed_edition(work_settings, embedder):  # noqa: ANN001
    report = make_builder(work_settings, embedder=embedder, progress=False).build(
        load_manifest(work_settings.manifest_path))
    store = VersionStore(work_settings.data_dir)
    original = (work_settings.corpus_dir / "haandbog.pdf").read_bytes()
    assert store.pdf(report.version, "haandbog.pdf") is not None

    # a download (or a broken file) replaces the corpus copy; no build has happened yet
    (work_settings.corpus_dir / "haandbog.pdf").write_bytes(b"%PDF-1.7 truncated")
    with TestClient(make_app(work_settings, embedder)) as client:
        response = client.get("/corpus/haandbog.pdf")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content == original
        assert client.get("/corpus/publications.toml").status_code == 404
        assert client.get("/corpus/..%2Fpublications.toml").status_code == 404
