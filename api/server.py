"""`kb serve`: uvicorn on httptools and uvloop, with deadlines for slow clients.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive``, but a connection that
sends nothing, a request's headers a byte at a time, or fewer body bytes than it announced, is
kept open for ever: a handful of such clients hold every file descriptor of the server.
:class:`HeaderDeadline` gives each request's headers a deadline (from the connection's start, or
from the first byte of the next request on a kept-alive connection) and a size limit, then gives
its body the same deadline again from the end of the headers, and closes the connection when a
deadline or the limit is passed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ingest.settings import Settings

MAX_HEADER_BYTES = 32 * 1024  # request line and headers; ours are a few hundred bytes


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit for each request's headers."""

    header_timeout: float = 10.0
    max_header_bytes: int = MAX_HEADER_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._reading_headers = True

    def _arm(self) -> None:
        self._cancel()
        self._header_bytes = 0
        self._reading_headers = True
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _cancel(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a request is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._reading_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        # Checked after parsing: a chunk may also hold a body, which is not the headers' to count.
        if self._reading_headers and self._header_bytes > self.max_header_bytes and not self.transport.is_closing():
            self._cancel()
            self.send_400_response("Request headers too large.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:  # the next request on a kept-alive connection
            self._arm()

    def on_headers_complete(self) -> None:
        self._cancel()
        self._reading_headers = False
        super().on_headers_complete()
        # The body (if any) must follow within the same deadline; on_message_complete ends it.
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def on_message_complete(self) -> None:
        self._cancel()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        # Bytes of a kept-alive connection's next request count against the next limit.
        self._header_bytes = 0
        self._reading_headers = True
        super().on_response_complete()


def protocol_for(settings: Settings) -> type[HeaderDeadline]:
    return type("KBHttpProtocol", (HeaderDeadline,), {"header_timeout": settings.header_timeout})


def server_config(app: Any, settings: Settings, *, host: str, port: int, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration `kb serve` runs (and the tests start)."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": protocol_for(settings),
        "loop": "uvloop",
        "timeout_keep_alive": settings.keep_alive_timeout,
        "log_level": "info",
        # The service sends its own headers; uvicorn's "server: uvicorn" only tells attackers what runs.
        "server_header": False,
        **overrides,
    }
    return uvicorn.Config(app, **options)


def serve(app: Any, settings: Settings, *, host: str, port: int) -> None:
    uvicorn.Server(server_config(app, settings, host=host, port=port)).run()
