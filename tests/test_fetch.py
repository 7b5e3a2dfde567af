"""``kb fetch``: link discovery, conditional GET, safe replacement, URL policy and failure reports.

Unit cases use ``httpx.MockTransport``; integration cases talk to a real server on 127.0.0.1
(``tests/httpserver.py``). Nothing here touches the network.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import socket
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pypdf import PdfWriter

from ingest.errors import FetchError
from ingest.fetch import AddressPolicy, Fetcher, FetchResult, check_pdf, check_url, find_pdf_link
from ingest.fetchstate import FetchFacts, facts_path, file_sha256, read_all_facts, read_facts
from ingest.models import Publication
from ingest.netpolicy import GuardedBackend, Refused
from ingest.settings import DEFAULT_FETCH_MAX_REDIRECTS, Settings
from tests.httpserver import LocalHTTPServer, make_tls_files

TITLE = "Håndbog til kommuner om æresrelaterede konflikter og negativ social kontrol"
SMALL_LIMIT = 64 * 1024  # every fixture PDF fits; the "huge" routes do not
SHORT_TIMEOUT = 0.5  # seconds; only the slow route ever waits this long
ETAG_V1 = '"v1"'
ETAG_V2 = '"v2"'
LAST_MODIFIED = "Tue, 02 Oct 2018 08:00:00 GMT"
FACT_KEYS = {
    "publication_id",
    "file",
    "source_url",
    "pdf_url",
    "etag",
    "last_modified",
    "sha256",
    "size",
    "fetched_at",
    "checked_at",
}


# --- fixture data, made by code -----------------------------------------------------------------


def make_pdf(label: str, pages: int = 1, *, user_password: str | None = None) -> bytes:
    """A small valid PDF; ``label`` goes into the metadata so different labels give different bytes."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": label})
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password="ejer", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF_V1 = make_pdf("håndbog v1", pages=2)
PDF_V2 = make_pdf("håndbog v2", pages=3)
PDF_OTHER = make_pdf("årsrapport")

LANDING_HTML = """<!doctype html>
<html lang="da"><head><title>Ny håndbog</title></head><body>
<nav><a href="/">Forside</a> <a href="/nyheder/">Nyheder</a></nav>
<p>Læs også <a href="/media/aarsrapport-2018.pdf">Årsrapport 2018</a> og
<a href="/media/bilag.PDF#side=2">Bilag til årsrapporten</a>.</p>
<p><a href="../media/haandbog-aeresrelaterede-konflikter.pdf?v=2">Hent håndbogen om æresrelaterede konflikter</a></p>
<p><a href="/media/pressemeddelelse.pdf">Pressemeddelelse</a> <a href="mailto:info@example.dk">Skriv</a></p>
</body></html>
"""


def publication(url: str | None = None, *, landing_url: str | None = None, pub_id: str = "haandbog") -> Publication:
    return Publication(id=pub_id, title=TITLE, file=f"{pub_id}.pdf", pdf_url=url, landing_url=landing_url)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The local test server is plain http on 127.0.0.1: both must be allowed explicitly.
    return Settings(corpus_dir=tmp_path / "corpus", fetch_max_bytes=SMALL_LIMIT, fetch_timeout=SHORT_TIMEOUT,
                    fetch_allow_private=True, fetch_allow_http_localhost=True)


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as local:
        local.add_file("/good.pdf", PDF_V1, etag=ETAG_V1, last_modified=LAST_MODIFIED)
        yield local


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[Fetcher]:
    with Fetcher(settings, progress=False) as made:
        yield made


def corpus_listing(settings: Settings) -> set[str]:
    return {path.name for path in settings.corpus_dir.iterdir()}


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


# --- discovery on a landing page ----------------------------------------------------------------


def test_discovery_picks_the_link_matching_the_title() -> None:
    url = find_pdf_link(LANDING_HTML, "https://siri.dk/nyheder/2018/ny-haandbog/", TITLE)
    # Relative to the page, query kept (the CMS versions files with it), fragment dropped.
    assert url == "https://siri.dk/nyheder/2018/media/haandbog-aeresrelaterede-konflikter.pdf?v=2"


def test_discovery_matches_danish_file_names_without_link_text() -> None:
    html = """<a href="/filer/aarsberetning.pdf">Hent</a>
              <a href="/filer/Vejledning_kommunale_handlings-og-beredskabsplaner.pdf">Hent</a>"""
    url = find_pdf_link(html, "https://siri.dk/side/", "Vejledning til kommunale handlings- og beredskabsplaner")
    assert url == "https://siri.dk/filer/Vejledning_kommunale_handlings-og-beredskabsplaner.pdf"


def test_discovery_matches_link_text_when_file_names_say_nothing() -> None:
    html = """<base href="https://cdn.example.dk/docs/">
              <a href="1234.pdf">Pressemeddelelse</a>
              <a href="5678.pdf"><img alt="Forside"> Metodehæfte til arbejde med æresrelaterede konflikter</a>"""
    title = "Metodehæfte til arbejde med æresrelaterede konflikter og negativ social kontrol"
    assert find_pdf_link(html, "https://siri.dk/side/", title) == "https://cdn.example.dk/docs/5678.pdf"


def test_discovery_takes_the_only_pdf_even_with_generic_text() -> None:
    html = '<a href="https://siri.dk/x.pdf">Download</a> <a href="/kontakt">Kontakt</a>'
    assert find_pdf_link(html, "https://siri.dk/side/", TITLE) == "https://siri.dk/x.pdf"


def test_discovery_without_pdf_links_names_the_page() -> None:
    with pytest.raises(FetchError, match="https://siri.dk/side/"):
        find_pdf_link('<a href="/a.html">Håndbog</a>', "https://siri.dk/side/", TITLE)


def test_discovery_refuses_to_guess_among_unrelated_pdfs() -> None:
    html = '<a href="/a.pdf">Årsrapport</a> <a href="/b.pdf">Regnskab</a>'
    with pytest.raises(FetchError, match="ingen ligner titlen"):
        find_pdf_link(html, "https://siri.dk/side/", TITLE)


# --- the happy path against a real server -------------------------------------------------------


def test_landing_page_discovery_downloads_the_right_pdf(
    server: LocalHTTPServer, fetcher: Fetcher, settings: Settings
) -> None:
    server.add_html("/nyheder/2018/ny-haandbog/", LANDING_HTML)
    server.add_file("/nyheder/2018/media/haandbog-aeresrelaterede-konflikter.pdf", PDF_V1)
    server.add_file("/media/aarsrapport-2018.pdf", PDF_OTHER)
    landing = server.url("/nyheder/2018/ny-haandbog/")

    result = fetcher.fetch(publication(landing_url=landing))

    assert result.status == "downloaded", result.error
    assert (settings.corpus_dir / "haandbog.pdf").read_bytes() == PDF_V1
    facts = read_facts(settings.corpus_dir, "haandbog")
    assert facts is not None
    assert facts.source_url == landing
    assert facts.pdf_url == server.url("/nyheder/2018/media/haandbog-aeresrelaterede-konflikter.pdf?v=2")
    assert server.requests_for("/media/aarsrapport-2018.pdf") == []


def test_first_fetch_downloads_and_records_facts(server: LocalHTTPServer, fetcher: Fetcher, settings: Settings) -> None:
    url = server.url("/good.pdf")
    result = fetcher.fetch(publication(url))

    assert result == FetchResult("haandbog", "downloaded", sha256=file_sha256(settings.corpus_dir / "haandbog.pdf"),
                                 bytes=len(PDF_V1), pdf_url=url)  # fmt: skip
    assert (settings.corpus_dir / "haandbog.pdf").read_bytes() == PDF_V1
    assert corpus_listing(settings) == {"haandbog.pdf", ".fetch"}
    # The facts file is readable JSON with the documented keys.
    stored = json.loads(facts_path(settings.corpus_dir, "haandbog").read_text(encoding="utf-8"))
    assert set(stored) == FACT_KEYS
    assert stored["etag"] == ETAG_V1
    assert stored["last_modified"] == LAST_MODIFIED
    assert stored["sha256"] == result.sha256
    assert stored["size"] == len(PDF_V1)
    assert stored["source_url"] == stored["pdf_url"] == url
    assert read_all_facts(settings.corpus_dir) == {"haandbog": FetchFacts.from_dict(stored)}


def test_second_fetch_is_conditional_and_leaves_the_file_alone(
    server: LocalHTTPServer, fetcher: Fetcher, settings: Settings
) -> None:
    pub = publication(server.url("/good.pdf"))
    first = fetcher.fetch(pub)
    target = settings.corpus_dir / "haandbog.pdf"
    os.utime(target, (1_000_000, 1_000_000))  # an old mtime shows whether the file was rewritten

    second = fetcher.fetch(pub)

    assert second.status == "unchanged"
    assert second.sha256 == first.sha256
    assert second.bytes == 0
    sent = server.requests_for("/good.pdf")[-1].headers
    assert sent["if-none-match"] == ETAG_V1
    assert sent["if-modified-since"] == LAST_MODIFIED
    assert target.stat().st_mtime == 1_000_000
    assert target.read_bytes() == PDF_V1
    assert corpus_listing(settings) == {"haandbog.pdf", ".fetch"}


def test_if_modified_since_alone_also_gives_304(server: LocalHTTPServer, fetcher: Fetcher) -> None:
    server.add_file("/dated.pdf", PDF_V1, last_modified=LAST_MODIFIED)
    pub = publication(server.url("/dated.pdf"))
    fetcher.fetch(pub)

    assert fetcher.fetch(pub).status == "unchanged"
    assert "if-none-match" not in server.requests_for("/dated.pdf")[-1].headers


def test_changed_content_is_downloaded_with_a_new_sha256(
    server: LocalHTTPServer, fetcher: Fetcher, settings: Settings
) -> None:
    pub = publication(server.url("/good.pdf"))
    first = fetcher.fetch(pub)
    server.add_file("/good.pdf", PDF_V2, etag=ETAG_V2)

    second = fetcher.fetch(pub)

    assert second.status == "downloaded"
    assert second.sha256 != first.sha256
    assert (settings.corpus_dir / "haandbog.pdf").read_bytes() == PDF_V2
    facts = read_facts(settings.corpus_dir, "haandbog")
    assert facts is not None
    assert (facts.etag, facts.sha256, facts.last_modified) == (ETAG_V2, second.sha256, None)


def test_a_hand_edited_file_is_fetched_without_validators(
    server: LocalHTTPServer, fetcher: Fetcher, settings: Settings
) -> None:
    pub = publication(server.url("/good.pdf"))
    fetcher.fetch(pub)
    (settings.corpus_dir / "haandbog.pdf").write_bytes(PDF_OTHER)

    result = fetcher.fetch(pub)

    assert result.status == "downloaded"
    assert "if-none-match" not in server.requests_for("/good.pdf")[-1].headers
    assert (settings.corpus_dir / "haandbog.pdf").read_bytes() == PDF_V1


def test_same_bytes_from_a_server_without_validators_count_as_unchanged(
    server: LocalHTTPServer, fetcher: Fetcher, settings: Settings
) -> None:
    server.add_file("/plain.pdf", PDF_V1)
    pub = publication(server.url("/plain.pdf"))
    fetcher.fetch(pub)
    target = settings.corpus_dir / "haandbog.pdf"
    os.utime(target, (1_000_000, 1_000_000))

    result = fetcher.fetch(pub)

    assert result.status == "unchanged"
    assert result.bytes == len(PDF_V1)
    assert target.stat().st_mtime == 1_000_000
    assert corpus_listing(settings) == {"haandbog.pdf", ".fetch"}


def test_redirects_within_the_limit_are_followed(server: LocalHTTPServer, fetcher: Fetcher, settings: Settings) -> None:
    # hop/N → hop/N-1 → … → good.pdf: exactly the allowed number of redirects, relative and absolute.
    server.add_redirect("/hop/1", server.url("/good.pdf"), status=301)
    for n in range(2, DEFAULT_FETCH_MAX_REDIRECTS + 1):
        server.add_redirect(f"/hop/{n}", f"/hop/{n - 1}", status=307 if n % 2 else 302)

    result = fetcher.fetch(publication(server.url(f"/hop/{DEFAULT_FETCH_MAX_REDIRECTS}")))

    assert result.status == "downloaded", result.error
    assert (settings.corpus_dir / "haandbog.pdf").read_bytes() == PDF_V1


# --- every failure keeps the old file -----------------------------------------------------------


def _add_failing_routes(server: LocalHTTPServer) -> None:
    server.add_status("/error.pdf", 500, b"Internal Server Error")
    server.add_truncated("/truncated.pdf", PDF_V2[:200], declared=len(PDF_V2))
    server.add_file("/page.pdf", b"<!doctype html><title>Siden findes ikke</title>", content_type="text/html")
    server.add_file("/broken.pdf", b"%PDF-1.7\nthis is not really a PDF\n")
    server.add_file("/empty.pdf", make_pdf("tom", pages=0))
    server.add_file("/locked.pdf", make_pdf("låst", user_password="hemmelig"))
    server.add_endless("/huge-declared.pdf", declared=10 * SMALL_LIMIT)
    server.add_endless("/huge-streamed.pdf")
    server.add_slow("/slow.pdf", delay=30)
    server.add_redirect("/loop/0", "/good.pdf")
    for n in range(1, DEFAULT_FETCH_MAX_REDIRECTS + 1):
        server.add_redirect(f"/loop/{n}", f"/loop/{n - 1}")


FAILURES = [
    ("/error.pdf", "HTTP 500"),
    ("/missing.pdf", "HTTP 404"),
    ("/truncated.pdf", "mislykkedes"),
    ("/page.pdf", "ikke en PDF"),
    ("/broken.pdf", "kan ikke åbnes"),
    ("/empty.pdf", "ingen sider"),
    ("/locked.pdf", "krypteret"),
    ("/huge-declared.pdf", "større end grænsen"),
    ("/huge-streamed.pdf", "større end grænsen"),
    ("/slow.pdf", "KB_FETCH_TIMEOUT"),
    (f"/loop/{DEFAULT_FETCH_MAX_REDIRECTS}", "for mange omdirigeringer"),
]


@pytest.mark.parametrize(("path", "reason"), FAILURES, ids=[path for path, _ in FAILURES])
def test_failed_download_keeps_the_old_file(
    server: LocalHTTPServer, fetcher: Fetcher, settings: Settings, path: str, reason: str
) -> None:
    _add_failing_routes(server)
    first = fetcher.fetch(publication(server.url("/good.pdf")))
    facts_before = facts_path(settings.corpus_dir, "haandbog").read_bytes()
    url = server.url(path)

    result = fetcher.fetch(publication(url))

    assert result.status == "failed"
    assert result.error is not None
    assert result.error.startswith("haandbog: ")
    assert url in result.error
    assert reason in result.error
    assert result.sha256 == first.sha256  # what is still in place
    assert (settings.corpus_dir / "haandbog.pdf").read_bytes() == PDF_V1
    assert corpus_listing(settings) == {"haandbog.pdf", ".fetch"}  # no .part left behind
    assert facts_path(settings.corpus_dir, "haandbog").read_bytes() == facts_before


def test_a_failing_landing_page_is_named(server: LocalHTTPServer, fetcher: Fetcher) -> None:
    server.add_status("/nyheder/", 503)
    server.add_html("/tom/", "<p>Ingen filer her</p>")

    down = fetcher.fetch(publication(landing_url=server.url("/nyheder/")))
    empty = fetcher.fetch(publication(landing_url=server.url("/tom/")))

    assert down.status == empty.status == "failed"
    assert f"siden {server.url('/nyheder/')} svarede HTTP 503" in (down.error or "")
    assert f"ingen PDF-link fundet på siden {server.url('/tom/')}" in (empty.error or "")


def test_first_download_failing_leaves_nothing(server: LocalHTTPServer, fetcher: Fetcher, settings: Settings) -> None:
    server.add_status("/error.pdf", 500)
    result = fetcher.fetch(publication(server.url("/error.pdf")))
    assert (result.status, result.sha256) == ("failed", None)
    assert not settings.corpus_dir.exists() or corpus_listing(settings) == set()


# --- URL policy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://siri.dk/haandbog.pdf", "http://10.0.0.1/haandbog.pdf", "ftp://siri.dk/haandbog.pdf", "file:///etc/passwd"],
)
def test_only_https_leaves_the_machine_and_no_request_is_made(settings: Settings, url: str) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, content=PDF_V1)

    with Fetcher(settings, mock_client(handler), progress=False) as fetcher:
        result = fetcher.fetch(publication(url))

    assert calls == []
    assert result.status == "failed"
    assert "kun https" in (result.error or "") and url in (result.error or "")


def test_check_url_allows_https_and_loopback_http_when_configured() -> None:
    local = AddressPolicy(allow_private=True, allow_http_localhost=True)
    for url in ("https://siri.dk/a.pdf", "http://127.0.0.1:8080/a.pdf", "http://localhost/a.pdf"):
        check_url(url, local)
    check_url("https://siri.dk/a.pdf")
    for url in ("http://127.0.0.1:8080/a.pdf", "http://localhost/a.pdf"):
        with pytest.raises(FetchError, match="kun https"):
            check_url(url)


def test_https_to_http_redirect_is_refused_even_to_loopback(settings: Settings) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://127.0.0.1/haandbog.pdf"})

    with Fetcher(settings, mock_client(handler), progress=False) as fetcher:
        result = fetcher.fetch(publication("https://siri.dk/haandbog.pdf"))

    assert calls == ["https://siri.dk/haandbog.pdf"]
    assert result.status == "failed"
    assert "fra https til http afvist" in (result.error or "")


def test_https_to_http_downgrade_refused_by_real_servers(
    server: LocalHTTPServer, settings: Settings, tmp_path: Path
) -> None:
    tls = make_tls_files(tmp_path)
    trusted = httpx.Client(verify=ssl.create_default_context(cafile=str(tls.cert)))
    with LocalHTTPServer(tls=tls) as secure, Fetcher(settings, trusted, progress=False) as fetcher:
        secure.add_file("/direct.pdf", PDF_V2)
        secure.add_redirect("/down.pdf", server.url("/good.pdf"))

        direct = fetcher.fetch(publication(secure.url("/direct.pdf"), pub_id="direkte"))
        down = fetcher.fetch(publication(secure.url("/down.pdf")))
    trusted.close()

    assert direct.status == "downloaded", direct.error  # TLS itself works, so the refusal below is the policy
    assert down.status == "failed"
    assert "fra https til http afvist" in (down.error or "")
    assert server.requests_for("/good.pdf") == []


# --- unit cases with MockTransport --------------------------------------------------------------


def test_content_length_over_the_limit_is_refused_before_reading(settings: Settings) -> None:
    read: list[bytes] = []

    def body() -> Iterator[bytes]:
        read.append(b"x")
        yield PDF_V1

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(SMALL_LIMIT + 1)}, content=body())

    with Fetcher(settings, mock_client(handler), progress=False) as fetcher:
        result = fetcher.fetch(publication("https://siri.dk/haandbog.pdf"))

    assert result.status == "failed"
    assert "større end grænsen" in (result.error or "")
    assert read == []


def test_short_body_is_caught_even_when_the_transport_does_not(settings: Settings) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(len(PDF_V1) + 10)}, content=iter([PDF_V1]))

    with Fetcher(settings, mock_client(handler), progress=False) as fetcher:
        result = fetcher.fetch(publication("https://siri.dk/haandbog.pdf"))

    assert result.status == "failed"
    assert "blev afbrudt" in (result.error or "")
    assert not settings.corpus_dir.exists() or corpus_listing(settings) == set()


def test_unexpected_304_without_validators_is_a_failure(settings: Settings) -> None:
    with Fetcher(settings, mock_client(lambda request: httpx.Response(304)), progress=False) as fetcher:
        result = fetcher.fetch(publication("https://siri.dk/haandbog.pdf"))
    assert result.status == "failed"
    assert "HTTP 304" in (result.error or "")


def test_pdf_locked_only_against_editing_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(make_pdf("kun ejer-kodeord", user_password=""))
    check_pdf(path, "https://siri.dk/x.pdf")


# --- several publications -----------------------------------------------------------------------


def test_no_url_means_skipped_and_the_local_file_is_used(fetcher: Fetcher, settings: Settings) -> None:
    settings.corpus_dir.mkdir()
    (settings.corpus_dir / "metodehaefte.pdf").write_bytes(PDF_OTHER)

    results = fetcher.fetch_all([publication(pub_id="metodehaefte"), publication(pub_id="godpraksis")])

    assert [(r.publication_id, r.status) for r in results] == [("metodehaefte", "skipped"), ("godpraksis", "failed")]
    assert results[0].sha256 == file_sha256(settings.corpus_dir / "metodehaefte.pdf")
    assert "godpraksis.pdf" in (results[1].error or "")
    assert read_facts(settings.corpus_dir, "metodehaefte") is None


def test_a_pdf_copied_in_under_a_similar_name_is_named(fetcher: Fetcher, settings: Settings) -> None:
    # The operator copied metodehaefte_2020.pdf in; the manifest says metodehaefte-2020.pdf. The
    # message said only "læg PDF'en ind manuelt", about a PDF that lay right there.
    settings.corpus_dir.mkdir()
    (settings.corpus_dir / "metodehaefte_2020.pdf").write_bytes(PDF_OTHER)
    (settings.corpus_dir / "godpraksis.pdf").write_bytes(PDF_OTHER)

    pubs = [publication(pub_id=pub_id) for pub_id in ("metodehaefte-2020", "godpraksis", "godpraksis-2")]
    results = fetcher.fetch_all(pubs)

    errors = {r.publication_id: r.error or "" for r in results}
    assert "metodehaefte-2020.pdf i korpusmappen. Korpusmappen har en PDF med et lignende navn: " \
           "metodehaefte_2020.pdf." in errors["metodehaefte-2020"]
    assert "ret »file« i publications.toml" in errors["metodehaefte-2020"]
    # A PDF another entry names is never offered: that would index it twice.
    assert "godpraksis.pdf" not in errors["godpraksis-2"].replace("godpraksis-2.pdf", "")
    assert "læg PDF'en ind manuelt" in errors["godpraksis-2"]


def test_fetch_all_reports_each_publication_and_never_raises(server: LocalHTTPServer, settings: Settings) -> None:
    server.add_status("/error.pdf", 500)
    pubs = [
        publication(server.url("/error.pdf"), pub_id="en"),
        publication(server.url("/good.pdf"), pub_id="to"),
        publication("https://siri.invalid/boom.pdf", pub_id="tre"),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "siri.invalid":
            raise RuntimeError("a bug, not a network error")
        with httpx.Client() as real:  # pass the loopback requests on to the real server
            response = real.send(request)
            return httpx.Response(response.status_code, headers=response.headers, content=response.content)

    with Fetcher(settings, mock_client(handler), progress=False) as fetcher:
        results = fetcher.fetch_all(pubs)

    assert [r.status for r in results] == ["failed", "downloaded", "failed"]
    assert "en: " in (results[0].error or "") and "HTTP 500" in (results[0].error or "")
    assert "tre: uventet fejl" in (results[2].error or "")


def test_unreadable_facts_count_as_never_fetched(settings: Settings) -> None:
    path = facts_path(settings.corpus_dir, "haandbog")
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert read_facts(settings.corpus_dir, "haandbog") is None
    assert read_all_facts(settings.corpus_dir) == {}


def test_a_download_cut_off_by_the_server_is_said_in_danish(
    server: LocalHTTPServer, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    """The report ended in httpx's "peer closed connection without sending complete message body";
    those words are for the log."""
    server.add_truncated("/truncated.pdf", PDF_V2[:200], declared=len(PDF_V2))
    with caplog.at_level(logging.WARNING, logger="kb.fetch"):
        result = fetcher.fetch(publication(server.url("/truncated.pdf")))
    assert result.status == "failed" and result.error is not None
    assert "serveren afbrød forbindelsen, før hele filen var hentet" in result.error
    assert "peer closed" not in result.error
    assert any("peer closed" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "er tomt (0 byte), ikke en PDF"),
    (b"\n<!DOCTYPE html><html><body>Log ind</body></html>",
     "er ikke en PDF (ligner en HTML-side; Content-Type: application/pdf)"),
], ids=["empty", "html"])
def test_a_body_that_is_not_a_pdf_says_what_it_is(server: LocalHTTPServer, fetcher: Fetcher, body: bytes,
                                                   reason: str) -> None:
    """Served as application/pdf, an empty body read 'er ikke en PDF (Content-Type: application/pdf)'."""
    server.add_file("/odd.pdf", body, content_type="application/pdf")
    result = fetcher.fetch(publication(server.url("/odd.pdf")))
    assert result.status == "failed" and reason in (result.error or "")
    assert "Log ind" not in (result.error or "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_is_said_in_danish(fetcher: Fetcher, caplog: pytest.LogCaptureFixture) -> None:
    """The report ended in "[Errno 111] Connection refused"; those words are for the log."""
    with caplog.at_level(logging.WARNING, logger="kb.fetch"):
        result = fetcher.fetch(publication(f"http://127.0.0.1:{_free_port()}/haandbog.pdf"))
    assert result.status == "failed" and result.error is not None
    assert "der kunne ikke oprettes forbindelse til serveren" in result.error
    assert "Errno" not in result.error and "refused" not in result.error
    assert any("Connection refused" in r.getMessage() for r in caplog.records)


def test_an_untrusted_certificate_is_said_in_danish(settings: Settings, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """Behind a proxy that inspects TLS the report ended in "[SSL: CERTIFICATE_VERIFY_FAILED] …"."""
    with LocalHTTPServer(tls=make_tls_files(tmp_path)) as secure, Fetcher(settings, progress=False) as fetcher:
        secure.add_file("/haandbog.pdf", PDF_V2)
        with caplog.at_level(logging.WARNING, logger="kb.fetch"):
            result = fetcher.fetch(publication(secure.url("/haandbog.pdf")))
    assert result.status == "failed" and result.error is not None
    assert "serverens certifikat kunne ikke godkendes (TLS)" in result.error
    assert "SSL" not in result.error and "CERTIFICATE_VERIFY_FAILED" not in result.error
    assert any("CERTIFICATE_VERIFY_FAILED" in r.getMessage() for r in caplog.records)


def test_a_name_that_cannot_be_looked_up_is_said_in_danish() -> None:
    def unknown(host: str, port: int) -> list[str]:
        raise socket.gaierror(-2, "Name or service not known")

    backend = GuardedBackend(AddressPolicy(), resolve=unknown)
    with pytest.raises(Refused) as raised:
        backend.connect_tcp("siri.invalid", 443)
    assert str(raised.value) == "siri.invalid kan ikke slås op (navnet findes ikke, eller navneserveren svarer ikke)"
    assert "Name or service not known" in str(raised.value.__cause__)


@pytest.mark.parametrize(("error", "reason"), [
    (OSError(errno.ENOSPC, "No space left on device"), "disken er fuld"),
    (OSError(errno.EROFS, "Read-only file system"), "filsystemet er skrivebeskyttet"),
    (OSError(errno.EIO, "Input/output error"), "OSError; se loggen"),
], ids=["full", "read-only", "other"])
def test_a_file_that_cannot_be_saved_is_said_in_danish(server: LocalHTTPServer, fetcher: Fetcher,
                                                       monkeypatch: pytest.MonkeyPatch, error: OSError,
                                                       reason: str, caplog: pytest.LogCaptureFixture) -> None:
    """The report ended in "[Errno 28] No space left on device: '/…/.haandbog.pdf.x.part'"."""
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr("ingest.fetch.tempfile.mkstemp", fail)
    with caplog.at_level(logging.WARNING, logger="kb.fetch"):
        result = fetcher.fetch(publication(server.url("/good.pdf")))
    assert result.status == "failed" and result.error is not None
    assert result.error.endswith(reason), result.error
    assert "Errno" not in result.error and ".part" not in result.error
    assert any(error.strerror in r.getMessage() for r in caplog.records)
