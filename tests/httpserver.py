"""A real HTTP(S) server on 127.0.0.1 for integration tests: stdlib only, one thread per request.

    with LocalHTTPServer() as server:
        server.add_file("/a.pdf", pdf_bytes, etag='"v1"')     # answers 304 to a matching If-None-Match
        server.add_redirect("/old.pdf", "/a.pdf")
        httpx.get(server.url("/old.pdf"))
        server.requests_for("/a.pdf")[0].headers                # what the client sent

Routes for failure cases: ``add_status`` (e.g. 500), ``add_truncated`` (Content-Length larger than the
body, then close), ``add_endless`` (a body that never ends), ``add_slow`` (answers late).
``LocalHTTPServer(tls=make_tls_files(folder))`` serves https with a throw-away self-signed certificate
(needs the ``openssl`` command); clients trust it with ``ssl.create_default_context(cafile=tls.cert)``.

Pytest fixtures: ``local_http_server`` and ``local_https_server``; import them into a test module or
list this module in ``pytest_plugins``.
"""

from __future__ import annotations

import contextlib
import email.utils
import shutil
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

Route = Callable[["RequestHandler"], None]

ENDLESS_CHUNK = b"\0" * 64 * 1024
ENDLESS_LIMIT = 256 * 1024 * 1024  # stops a client that never gives up from spinning forever
OPENSSL_TIMEOUT = 30.0
POLL_INTERVAL = 0.02  # how often serve_forever looks for shutdown(); the 0.5 s default slows every test


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names


@dataclass(frozen=True)
class TLSFiles:
    cert: Path
    key: Path


class RequestHandler(BaseHTTPRequestHandler):
    """Dispatches to the owning server's routes by path (query string ignored)."""

    owner: LocalHTTPServer  # set on the per-server subclass
    protocol_version = "HTTP/1.0"  # one request per connection: a body may end by closing

    def do_GET(self) -> None:
        self.owner._record(self)
        route = self.owner.routes.get(urlsplit(self.path).path)
        if route is None:
            self.send_plain(404, b"not found")
            return
        # The client hanging up (size limit, timeout) is exactly what several tests want.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    def send_plain(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean; the server records requests instead


class LocalHTTPServer:
    def __init__(self, *, tls: TLSFiles | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self.stopping = threading.Event()  # wakes slow routes when the server stops
        self._lock = threading.Lock()
        handler = type("BoundRequestHandler", (RequestHandler,), {"owner": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls.cert, tls.key)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, name="local-http", daemon=True
        )

    # lifecycle

    def __enter__(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    # what the clients asked

    def _record(self, handler: BaseHTTPRequestHandler) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest(handler.command, handler.path, headers))

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    # routes

    def add_handler(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def add_file(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/pdf",
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """A static file with optional validators; answers 304 to a matching conditional GET."""

        def route(handler: RequestHandler) -> None:
            if _not_modified(handler, etag, last_modified):
                handler.send_response(304)
                if etag:
                    handler.send_header("ETag", etag)
                handler.end_headers()
                return
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            if etag:
                handler.send_header("ETag", etag)
            if last_modified:
                handler.send_header("Last-Modified", last_modified)
            handler.end_headers()
            handler.wfile.write(body)

        self.add_handler(path, route)

    def add_html(self, path: str, html: str) -> None:
        self.add_file(path, html.encode("utf-8"), content_type="text/html; charset=utf-8")

    def add_redirect(self, path: str, location: str, status: int = 302) -> None:
        def route(handler: RequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.add_handler(path, route)

    def add_status(self, path: str, status: int, body: bytes = b"") -> None:
        self.add_handler(path, lambda handler: handler.send_plain(status, body))

    def add_truncated(self, path: str, body: bytes, declared: int) -> None:
        """Promise ``declared`` bytes, send ``body``, then close the connection."""

        def route(handler: RequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/pdf")
            handler.send_header("Content-Length", str(declared))
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()
            handler.close_connection = True

        self.add_handler(path, route)

    def add_endless(self, path: str, *, declared: int | None = None, prefix: bytes = b"%PDF-1.7\n") -> None:
        """A body that goes on until the client hangs up; ``declared`` sets a Content-Length header."""

        def route(handler: RequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/pdf")
            if declared is not None:
                handler.send_header("Content-Length", str(declared))
            handler.end_headers()
            handler.wfile.write(prefix)
            sent = len(prefix)
            while sent < ENDLESS_LIMIT and not self.stopping.is_set():
                handler.wfile.write(ENDLESS_CHUNK)
                sent += len(ENDLESS_CHUNK)

        self.add_handler(path, route)

    def add_slow(self, path: str, delay: float, body: bytes = b"late") -> None:
        """Wait ``delay`` seconds (or until the server stops) before answering."""

        def route(handler: RequestHandler) -> None:
            self.stopping.wait(delay)
            handler.send_plain(200, body, "application/pdf")

        self.add_handler(path, route)


def _not_modified(handler: BaseHTTPRequestHandler, etag: str | None, last_modified: str | None) -> bool:
    # RFC 9110: If-None-Match wins over If-Modified-Since when both are sent.
    if_none_match = handler.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag is not None and etag in [tag.strip() for tag in if_none_match.split(",")]
    if_modified_since = handler.headers.get("If-Modified-Since")
    if if_modified_since and last_modified:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
            modified = email.utils.parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return False
        return modified <= since
    return False


def make_tls_files(folder: Path) -> TLSFiles:
    """A self-signed certificate for 127.0.0.1, made with the openssl command (skips the test without it)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    tls = TLSFiles(cert=folder / "cert.pem", key=folder / "key.pem")
    command = ["openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    command += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(tls.key), "-out", str(tls.cert)]
    subprocess.run(command, check=True, capture_output=True, timeout=OPENSSL_TIMEOUT)
    return tls


@pytest.fixture
def local_http_server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as server:
        yield server


@pytest.fixture
def local_https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHTTPServer]:
    tls = make_tls_files(tmp_path_factory.mktemp("tls"))
    with LocalHTTPServer(tls=tls) as server:
        yield server
