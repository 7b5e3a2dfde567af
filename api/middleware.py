"""Small ASGI pieces: security headers on every response, ``no-store`` on every response that may
echo a question, a request-body limit, HEAD wherever GET works, the liveness probe answered before
routing, the router's trailing-slash redirect without the request's Host in it, and the public
address's path prefix for a proxy that passes it on."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PayloadTooLarge, handle_error
from api.urls import Urls

# The search form accepts a pasted text of 4,000 characters; percent-encoded, a Danish letter takes
# 6 bytes, so 32 KB holds the worst case with room to spare.
MAX_BODY_BYTES = 32 * 1024
NO_STORE = "no-store"
_ADMIN = "/api/admin"


def content_security_policy(frame_origins: list[str], *, script_src: tuple[str, ...] = ("'self'",),
                            style_src: tuple[str, ...] = ("'self'",)) -> str:
    """The pages run no inline script or style, so the default policy needs no 'unsafe-inline'.

    They may be framed by the pages of ``frame_origins`` (``KB_FRAME_ANCESTORS``).
    """
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(script_src),
        "style-src " + " ".join(style_src),
        "img-src 'self' data:",
        "object-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors " + " ".join(["'self'", *frame_origins]),
    ])


def security_headers(frame_origins: list[str]) -> dict[str, str]:
    """Headers for every response."""
    return {
        "Content-Security-Policy": content_security_policy(frame_origins),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


class SecurityHeaders:
    """Adds :func:`security_headers`; a route that sets its own policy (``/docs``) keeps it."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Liveness:
    """Answers ``GET``/``HEAD /healthz`` before routing, with the body the documented route returns.

    Load balancers and monitors probe it every few seconds. Through routing, dependency injection
    and response validation it took 0.51–0.59 ms over loopback, answered here 0.38–0.43 ms
    (``bench/http_latency.py``, interleaved runs). It says only that the process answers, so
    nothing below it has anything to add.
    """

    def __init__(self, app: ASGIApp, path: str = "/healthz", body: bytes = b'{"status":"ok"}') -> None:
        self.app = app
        self.path = path
        self.body = body
        self.headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or scope["path"].removeprefix(scope.get("root_path", "")) != self.path):
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else self.body})


class NoStore:
    """``Cache-Control: no-store`` on every response that may echo a question.

    A question may hold case details, so no browser, proxy or intranet cache may keep a page, a
    feed or a JSON answer built from one: any request with a ``q`` parameter, any form or JSON
    post (the question is in the body), and the admin routes (the stored feedback holds questions,
    redacted). Errors of such requests included.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (scope["method"] not in ("GET", "HEAD") or asks(scope)
                                           or _is_admin(scope)):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_no_store)


def _is_admin(scope: Scope) -> bool:
    # Behind KB_PUBLIC_URL's path the prefix is still in the path (PublicPrefix sets root_path).
    path = scope["path"].removeprefix(scope.get("root_path", ""))
    return path == _ADMIN or path.startswith(_ADMIN + "/")


def asks(scope: Scope) -> bool:
    """Whether the query string holds a ``q`` parameter, its name read as the routes read it
    (Starlette decodes names: ``%71=…`` is ``q``)."""
    query = scope.get("query_string", b"")
    if not query:
        return False
    return any(name == "q" for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True))


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413, in the service's error shape.

    A declared Content-Length over the limit is answered at once; a chunked body is counted as
    it is read, and the route's body reader raises :class:`PayloadTooLarge` (an HTTPException,
    which FastAPI passes on to the error handler).
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            response = await handle_error(Request(scope, receive), PayloadTooLarge(self.max_bytes))
            await response(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class HeadAsGet:
    """Answers HEAD wherever GET works: the GET route runs and only its headers are sent.

    FastAPI's routes answer HEAD with 405, which link checkers and monitoring probes take for a
    broken link. The request's own scope keeps ``HEAD`` (it is copied), so the server also knows
    to send no body. Where GET is not allowed, the 405 says so in ``Allow``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class SlashRedirect:
    """The router's fallback for a path no route matches (replaces ``redirect_slashes``).

    Like Starlette, it redirects ``/healthz/`` to ``/healthz`` when that exists, but Starlette builds
    the ``Location`` from the request's Host header (``http://evil.example/…``). Here it is the
    configured public address (``KB_PUBLIC_URL``) or a path on this server.
    """

    def __init__(self, router: Router) -> None:
        self.router = router
        self.not_found = router.not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            location = self._redirect(scope)
            if location is not None:
                await RedirectResponse(location)(scope, receive, send)
                return
        await self.not_found(scope, receive, send)

    def _redirect(self, scope: Scope) -> str | None:
        root = scope.get("root_path", "")
        route_path = scope["path"].removeprefix(root) if root else scope["path"]
        if route_path == "/":
            return None
        other = route_path.rstrip("/") if route_path.endswith("/") else route_path + "/"
        if not other or other == route_path:
            return None
        other_scope = {**scope, "path": root + other}
        if not any(route.matches(other_scope)[0] is not Match.NONE for route in self.router.routes):
            return None
        urls = Urls.for_request(Request(scope))
        query = scope.get("query_string", b"").decode("latin-1")
        location = urls.path(other) + (f"?{query}" if query else "")
        public = getattr(scope["app"].state.settings, "public_url", None) if "app" in scope else None
        return urls.absolute(location) if public else location


def public_prefix(public_url: str | None, paths: Iterable[str]) -> str:
    """The path of ``KB_PUBLIC_URL`` (``/vidensbase``) that :class:`PublicPrefix` may take off, or "".

    A prefix whose first segment is one of the service's own (``/p``, ``/api`` …) is left alone: a
    proxy that strips it sends ``/p/<id>``, which taking ``/p`` off again would lose.
    """
    prefix = urlsplit(public_url or "").path.rstrip("/")
    if not prefix:
        return ""
    first = prefix.split("/")[1]
    own = {path.split("/")[1] for path in paths if path.startswith("/")}
    return "" if first in own else prefix


class PublicPrefix:
    """Routes ``/vidensbase/…`` as ``/…`` when ``KB_PUBLIC_URL`` ends in ``/vidensbase``.

    Proxies differ in whether they take the prefix off: nginx's ``proxy_pass http://127.0.0.1:8000/;``
    does, ``proxy_pass http://127.0.0.1:8000;`` and Apache's ``ProxyPass /vidensbase http://…/vidensbase``
    do not. The pages link under the prefix either way, so both must route. The prefix becomes the
    ASGI ``root_path`` (the path keeps it, as the spec has it), which routing and the URL builder
    already honour.
    """

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            path = scope["path"]
            if path == self.prefix or path.startswith(self.prefix + "/"):
                scope = {**scope, "root_path": self.prefix}
        await self.app(scope, receive, send)
