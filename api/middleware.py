"""Small ASGI middlewares: security headers on every response, ``no-store`` on every response that
may echo a question, and a request-body limit."""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PayloadTooLarge, handle_error

# The search form accepts a pasted text of 4,000 characters; percent-encoded, a Danish letter takes
# 6 bytes, so 32 KB holds the worst case with room to spare.
MAX_BODY_BYTES = 32 * 1024
NO_STORE = "no-store"
_QUESTION_PARAM = re.compile(rb"(?:^|&)q=")


def content_security_policy(frame_origins: list[str], *, script_src: tuple[str, ...] = ("'self'",),
                            style_src: tuple[str, ...] = ("'self'",)) -> str:
    """The pages run no inline script or style, so the default policy needs no 'unsafe-inline'.

    They may be framed by the intranet pages that may call the API (``KB_CORS_ORIGINS``).
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


class NoStore:
    """``Cache-Control: no-store`` on every response that may echo a question.

    A question may hold case details, so no browser, proxy or intranet cache may keep a page, a
    feed or a JSON answer built from one: any request with a ``q`` parameter, and any form or
    JSON post (the question is in the body). Errors of such requests included.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (scope["method"] not in ("GET", "HEAD")
                                           or _QUESTION_PARAM.search(scope.get("query_string", b""))):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_no_store)


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
