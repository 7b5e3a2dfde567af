"""Citations open the PDF edition a version was built from, even after `kb fetch` replaced the file."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader, PdfWriter

from api.wiring import make_builder
from index.store import PDF_DIR, VersionStore
from ingest.manifest import load_manifest
from tests.api_support import make_app, parse_html


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


def _without_first_page(pdf: Path) -> bytes:
    """The same publication with a page fewer in front: a new edition whose page numbers moved."""
    reader = PdfReader(pdf)
    writer = PdfWriter()
    for page in reader.pages[1:]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_saved_pdf_link_opens_the_edition_it_cited_until_that_edition_is_pruned(work_settings, embedder):  # noqa: ANN001
    """SIRI publishes a new edition under the same file name with a page fewer in front. A link
    saved from the first edition must not open the new one at a page that now holds other text."""
    builder = make_builder(work_settings, embedder=embedder, progress=False)
    builder.build(load_manifest(work_settings.manifest_path))
    pdf = work_settings.corpus_dir / "haandbog.pdf"
    first = pdf.read_bytes()
    with TestClient(make_app(work_settings, embedder)) as client:
        saved = next(p["url"] for p in client.get("/api/search", params={"q": "familie", "k": 50}).json()["results"]
                     if p["publication_id"] == "haandbog")
    assert re.fullmatch(r"http://testserver/corpus/haandbog\.pdf\?udgave=[0-9a-f]{12}#page=\d+", saved), saved
    assert saved.split("udgave=")[1][:12] == hashlib.sha256(first).hexdigest()[:12]

    pdf.write_bytes(_without_first_page(pdf))
    second = builder.build(load_manifest(work_settings.manifest_path))
    with TestClient(make_app(work_settings, embedder)) as client:
        old = client.get(saved.removeprefix("http://testserver").split("#")[0])
        assert old.status_code == 200 and old.content == first
        assert "immutable" in old.headers["cache-control"]
        now = next(p["url"] for p in client.get("/api/search", params={"q": "familie", "k": 50}).json()["results"]
                   if p["publication_id"] == "haandbog")
        assert now.split("udgave=")[1][:12] == hashlib.sha256(pdf.read_bytes()).hexdigest()[:12] != \
            saved.split("udgave=")[1][:12]
        assert client.get(now.removeprefix("http://testserver").split("#")[0]).content == pdf.read_bytes()
        # An unpinned link opens the live edition, as links saved before editions were named do.
        assert client.get("/corpus/haandbog.pdf").content == pdf.read_bytes()

    VersionStore(work_settings.data_dir).prune(keep=1)
    assert VersionStore(work_settings.data_dir).versions() == [second.version]
    with TestClient(make_app(work_settings, embedder)) as client:
        for path in (saved.removeprefix("http://testserver").split("#")[0], "/corpus/haandbog.pdf?udgave=0123456789ab"):
            gone = client.get(path)
            assert gone.status_code == 410, path
            assert gone.headers["content-type"].startswith("text/html")
            page = parse_html(gone.text)
            assert "tidligere udgave" in page.text and "sidetal" in page.text
            links = [a for a in page.find_all("a") if a.text == "Åbn den nuværende udgave"]
            assert [a.attrs["href"] for a in links] == ["/corpus/haandbog.pdf#page=1"]
        # HEAD, as link checkers send it, says the same
        assert client.head(saved.removeprefix("http://testserver").split("#")[0]).status_code == 410
        # A value the service never writes names no edition: the live one opens, as without it. The
        # live edition's own hash is read whatever its case (a link rewriter may upper-case it).
        live = now.split("udgave=")[1][:12]
        for value in ("zz", "", " ", live.upper()):
            response = client.get("/corpus/haandbog.pdf", params={"udgave": value})
            assert response.status_code == 200 and response.content == pdf.read_bytes(), value


def _saved_link(settings, embedder, publication: str) -> str:  # noqa: ANN001
    with TestClient(make_app(settings, embedder)) as client:
        url = next(p["url"] for p in client.get("/api/search", params={"q": "familie", "k": 50}).json()["results"]
                   if p["publication_id"] == publication)
    return url.removeprefix("http://testserver").split("#")[0]


def test_a_saved_pdf_link_survives_a_renamed_file_and_a_withdrawn_publication(work_settings, embedder):  # noqa: ANN001
    """SIRI renames the file of a new edition, and a publication is taken out of the manifest: the
    links saved from the first version still open what they cited while a kept version holds it,
    and then say what happened, never a bare 404."""
    builder = make_builder(work_settings, embedder=embedder, progress=False)
    builder.build(load_manifest(work_settings.manifest_path))
    corpus = work_settings.corpus_dir
    first = {name: (corpus / f"{name}.pdf").read_bytes() for name in ("haandbog", "vejledning")}
    saved = {name: _saved_link(work_settings, embedder, name) for name in first}

    (corpus / "haandbog-2024.pdf").write_bytes(_without_first_page(corpus / "haandbog.pdf"))
    (corpus / "haandbog.pdf").unlink()
    manifest = corpus / "publications.toml"
    text = manifest.read_text(encoding="utf-8").replace('file = "haandbog.pdf"', 'file = "haandbog-2024.pdf"')
    blocks = text.split("[[publication]]")
    manifest.write_text("[[publication]]".join(b for b in blocks if 'id = "vejledning"' not in b), encoding="utf-8")
    second = builder.build(load_manifest(manifest), force=True)
    assert second.live
    with TestClient(make_app(work_settings, embedder)) as client:
        for name in first:
            response = client.get(saved[name])
            assert response.status_code == 200 and response.content == first[name], name
        assert client.get("/corpus/haandbog.pdf").status_code == 404  # unpinned: nothing live by that name

        # An edition no kept version holds, of a file the first version still knows: the page
        # says which publication it was and, when it is still published, links its current file.
        renamed = client.get("/corpus/haandbog.pdf?udgave=0123456789ab")
        assert renamed.status_code == 410
        page = parse_html(renamed.text)
        assert "tidligere udgave" in page.text
        assert [a.attrs["href"] for a in page.find_all("a") if a.text == "Åbn den nuværende udgave"] == \
            ["/corpus/haandbog-2024.pdf#page=1"]
        withdrawn = client.get("/corpus/vejledning.pdf?udgave=0123456789ab")
        assert withdrawn.status_code == 410
        page = parse_html(withdrawn.text)
        assert "ikke længere er med i vidensbasen" in page.text
        assert not [a for a in page.find_all("a") if a.text == "Åbn den nuværende udgave"]

    VersionStore(work_settings.data_dir).prune(keep=1)
    with TestClient(make_app(work_settings, embedder)) as client:
        # Nothing kept knows those files now; the link is still one the service wrote.
        for name in first:
            gone = client.get(saved[name])
            assert gone.status_code == 410
            assert "ikke længere findes i vidensbasen" in parse_html(gone.text).text
        # Without an edition, a name the live version does not have is a plain 404.
        assert client.get("/corpus/vejledning.pdf").status_code == 404


def test_a_pinned_link_on_a_version_without_pdf_copies_opens_only_the_same_edition(work_settings, embedder):  # noqa: ANN001
    """A version built before versions kept their PDFs serves the corpus folder's file, where
    `kb fetch` may already have put the next edition: a link pinned to the indexed one must not
    open that at the cited page."""
    report = make_builder(work_settings, embedder=embedder, progress=False).build(
        load_manifest(work_settings.manifest_path))
    store = VersionStore(work_settings.data_dir)
    shutil.rmtree(store.path(report.version) / PDF_DIR)
    pdf = work_settings.corpus_dir / "haandbog.pdf"
    saved = _saved_link(work_settings, embedder, "haandbog")
    with TestClient(make_app(work_settings, embedder)) as client:
        same = client.get(saved)
        assert same.status_code == 200 and same.content == pdf.read_bytes()
        assert "immutable" not in same.headers.get("cache-control", "")
        pdf.write_bytes(_without_first_page(pdf))  # fetched, not yet built
        replaced = client.get(saved)
        assert replaced.status_code == 410
        assert "tidligere udgave" in parse_html(replaced.text).text
        assert client.get("/corpus/haandbog.pdf").content == pdf.read_bytes()
