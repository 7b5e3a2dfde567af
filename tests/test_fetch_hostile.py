"""``kb fetch`` against hostile servers and addresses (issue 8, item 11).

A server that drips bytes, addresses inside the network (also behind DNS names and redirects),
leftovers of killed runs, bodies that must not be echoed, landing pages with thousands of links,
and a fetch racing a build. Everything talks to 127.0.0.1 or a MockTransport only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpcore
import httpx
import pytest

from index.errors import Busy
from index.store import VersionStore
from ingest.errors import FetchError
from ingest.fetch import AddressPolicy, Fetcher, GuardedBackend, check_url
from ingest.models import Publication
from ingest.settings import Settings
from tests.httpserver import LocalHTTPServer, RequestHandler
from tests.test_fetch import PDF_V1, PDF_V2, TITLE

LOCAL = {"fetch_allow_private": True, "fetch_allow_http_localhost": True}
DRIP_CHUNKS = 300  # at most a minute of dripping, however the client behaves
DRIP_PAUSE = 0.2


def publication(url: str | None = None, *, landing_url: str | None = None) -> Publication:
    return Publication(id="haandbog", title=TITLE, file="haandbog.pdf", pdf_url=url, landing_url=landing_url)


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.fixture
def local_settings(tmp_path: Path) -> Settings:
    return Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", fetch_timeout=1.5, **LOCAL)


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as local:
        local.add_file("/good.pdf", PDF_V1, etag='"v1"')
        yield local


# -- an overall deadline per download ---------------------------------------------------------------
def test_a_dripping_server_is_stopped_at_the_download_deadline(server: LocalHTTPServer, tmp_path: Path) -> None:
    sent: list[int] = []

    def drip(handler: RequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/pdf")
        handler.end_headers()
        handler.wfile.write(b"%PDF-1.7\n")
        for n in range(DRIP_CHUNKS):
            handler.wfile.write(b"x" * 1024)
            handler.wfile.flush()
            sent.append(n)
            time.sleep(DRIP_PAUSE)

    server.add_handler("/drip.pdf", drip)
    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", fetch_timeout=1.5,
                        fetch_deadline=2, **LOCAL)
    with Fetcher(settings, progress=False) as fetcher:
        assert fetcher.fetch(publication(server.url("/good.pdf"))).status == "downloaded"
        result = fetcher.fetch(publication(server.url("/drip.pdf")))
    assert result.status == "failed" and "KB_FETCH_DEADLINE" in (result.error or "")
    assert (settings.corpus_dir / "haandbog.pdf").read_bytes() == PDF_V1
    assert not list(settings.corpus_dir.glob(".*.part"))
    # Every read was within KB_FETCH_TIMEOUT, so only the overall deadline could stop it early.
    assert len(sent) < DRIP_CHUNKS / 2


# -- non-public addresses -------------------------------------------------------------------------
PRIVATE_URLS = [
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/haandbog.pdf",
    "https://192.168.1.10/haandbog.pdf",
    "https://127.0.0.1/haandbog.pdf",
    "https://[::1]/haandbog.pdf",
    "https://[fe80::1]/haandbog.pdf",
    "https://100.64.0.1/haandbog.pdf",
    "https://[::ffff:10.0.0.5]/haandbog.pdf",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://0.0.0.0/haandbog.pdf",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_non_public_addresses_are_refused_before_any_request(tmp_path: Path, url: str) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, content=PDF_V1)

    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    with Fetcher(settings, mock_client(handler), progress=False) as fetcher:
        result = fetcher.fetch(publication(url))
    assert calls == [] and result.status == "failed"
    assert "ikke en offentlig adresse" in (result.error or "") and "KB_FETCH_ALLOW_PRIVATE" in (result.error or "")


@pytest.mark.parametrize("target", PRIVATE_URLS)
def test_redirects_to_non_public_addresses_are_refused(tmp_path: Path, target: str) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(302, headers={"Location": target})

    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    with Fetcher(settings, mock_client(handler), progress=False) as fetcher:
        result = fetcher.fetch(publication("https://siri.dk/haandbog.pdf"))
    assert calls == ["https://siri.dk/haandbog.pdf"]
    assert result.status == "failed" and "ikke en offentlig adresse" in (result.error or "")


def test_a_name_that_resolves_to_a_private_address_is_refused_at_connect(server: LocalHTTPServer,
                                                                         tmp_path: Path) -> None:
    # http to this machine is allowed, private addresses are not: "localhost" passes the URL check
    # and must be caught after DNS resolution, before a connection is made.
    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", fetch_allow_http_localhost=True)
    url = server.url("/good.pdf").replace("127.0.0.1", "localhost")
    with Fetcher(settings, progress=False) as fetcher:
        result = fetcher.fetch(publication(url))
    assert result.status == "failed" and "ikke en offentlig adresse" in (result.error or "")
    assert server.requests_for("/good.pdf") == []


def test_the_connect_guard_checks_every_resolved_address() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return {"intranet.example": ["10.0.0.5"], "mixed.example": ["93.184.216.34", "169.254.169.254"]}[host]

    backend = GuardedBackend(AddressPolicy(), resolve=resolve)
    for host in ("intranet.example", "mixed.example"):
        with pytest.raises(httpcore.ConnectError, match="ikke en offentlig adresse"):
            backend.connect_tcp(host, 443, timeout=1)
    allowing = GuardedBackend(AddressPolicy(allow_private=True), resolve=resolve)
    with pytest.raises(httpcore.ConnectError, match="ikke en offentlig adresse"):  # metadata: never
        allowing.connect_tcp("mixed.example", 443, timeout=1)


def test_private_addresses_and_local_http_only_when_configured() -> None:
    with pytest.raises(FetchError, match="KB_FETCH_ALLOW_PRIVATE"):
        check_url("https://10.0.0.5/a.pdf", AddressPolicy())
    check_url("https://10.0.0.5/a.pdf", AddressPolicy(allow_private=True))
    with pytest.raises(FetchError, match="kun https"):
        check_url("http://127.0.0.1:8080/a.pdf", AddressPolicy(allow_private=True))
    check_url("http://127.0.0.1:8080/a.pdf", AddressPolicy(allow_private=True, allow_http_localhost=True))
    with pytest.raises(FetchError, match="kun https"):
        check_url("http://10.0.0.5/a.pdf", AddressPolicy(allow_private=True, allow_http_localhost=True))
    with pytest.raises(FetchError, match="ikke en offentlig adresse"):
        check_url("https://169.254.169.254/", AddressPolicy(allow_private=True, allow_http_localhost=True))


# -- leftovers, echoes, sizes ---------------------------------------------------------------------
def test_parts_left_by_a_killed_fetch_are_swept(server: LocalHTTPServer, local_settings: Settings) -> None:
    corpus = local_settings.corpus_dir
    (corpus / ".fetch").mkdir(parents=True)
    stale = [corpus / ".haandbog.pdf.k1ll3d.part", corpus / ".fetch" / ".haandbog.json.x1y2.part"]
    for path in stale:
        path.write_bytes(b"%PDF-1.7 half")
    keep = corpus / "noter.part"  # not ours: not hidden
    keep.write_text("x")
    with Fetcher(local_settings, progress=False) as fetcher:
        [result] = fetcher.fetch_all([publication(server.url("/good.pdf"))])
    assert result.status == "downloaded"
    assert not any(path.exists() for path in stale) and keep.exists()


def test_a_non_pdf_body_is_not_echoed_into_the_report(server: LocalHTTPServer, local_settings: Settings) -> None:
    server.add_file("/login.pdf", b"<html>session=hemmelig-token-4711</html>", content_type="text/html")
    with Fetcher(local_settings, progress=False) as fetcher:
        result = fetcher.fetch(publication(server.url("/login.pdf")))
    assert result.status == "failed" and "ikke en PDF" in (result.error or "")
    assert "hemmelig" not in (result.error or "") and "text/html" in (result.error or "")


def test_a_landing_page_with_ten_thousand_links_gives_a_short_error(server: LocalHTTPServer,
                                                                    local_settings: Settings) -> None:
    links = "".join(f'<a href="/filer/bilag-{n}.pdf">Bilag {n}</a>\n' for n in range(10_000))
    server.add_html("/side/", f"<html><body>{links}</body></html>")
    with Fetcher(local_settings, progress=False) as fetcher:
        result = fetcher.fetch(publication(landing_url=server.url("/side/")))
    assert result.status == "failed" and "10000" in (result.error or "")
    assert len(result.error or "") <= 1000


# -- fetch and build share the store lock ---------------------------------------------------------
def test_fetch_waits_for_no_one_while_a_build_holds_the_store(server: LocalHTTPServer,
                                                              local_settings: Settings) -> None:
    from api.refresh import fetch_publications

    corpus = local_settings.corpus_dir
    corpus.mkdir(parents=True)
    (corpus / "publications.toml").write_text(
        f'[[publication]]\nid = "haandbog"\ntitle = "H"\nfile = "haandbog.pdf"\npdf_url = "{server.url("/v2.pdf")}"\n',
        encoding="utf-8")
    (corpus / "haandbog.pdf").write_bytes(PDF_V1)
    server.add_file("/v2.pdf", PDF_V2)
    with VersionStore(local_settings.data_dir).lock(), pytest.raises(Busy):  # a build in another process
        fetch_publications(local_settings, progress=False)
    assert (corpus / "haandbog.pdf").read_bytes() == PDF_V1 and server.requests_for("/v2.pdf") == []
    assert fetch_publications(local_settings, progress=False)[0]["status"] == "downloaded"

