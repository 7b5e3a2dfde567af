"""`kb serve`: uvicorn on httptools and uvloop, with deadlines for slow clients.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive``, but a connection that
sends nothing, a request's headers a byte at a time, or fewer body bytes than it announced, is
kept open for ever: a handful of such clients hold every file descriptor of the server.
:class:`HeaderDeadline` gives each request's headers a deadline (from the connection's start, or
from the first byte of the next request on a kept-alive connection) and a size limit, then gives
its body the same deadline again from the end of the headers, and closes the connection when a
deadline or the limit is passed.

With ``KB_WORKERS`` above 1, uvicorn's supervisor serves one socket from that many processes, each
with its own model, index and event loop (:func:`worker_app` builds each one's app from the same
``KB_*`` environment). One process is bound by its one event loop and the GIL it shares with the
model's threads. A process encodes a lone question on every core and, while another process
encodes too, on its share (``index/cores.py``). Everything the processes share goes through the
data dir: the live pointer (each process watches it), the store lock, the admin refresh jobs
(``api/jobs.py``), the count of who is encoding and the feedback database.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

from api.logs import PROCESS, log_format
from ingest.settings import Settings

MAX_HEADER_BYTES = 32 * 1024  # request line and headers; ours are a few hundred bytes


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit for each request's headers."""

    header_timeout: float = 10.0
    max_header_bytes: int = MAX_HEADER_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read from the uvicorn config (pickled into each worker process), not from a subclass made
        # per settings: a worker process imports this class by name.
        self.header_timeout = getattr(self.config, "kb_header_timeout", self.header_timeout)
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


def server_config(app: Any, settings: Settings, *, host: str, port: int, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration `kb serve` runs (and the tests start).

    ``app`` is the app, or with ``KB_WORKERS`` above 1 the import string of its factory, which
    each worker process calls.
    """
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": HeaderDeadline,
        "loop": "uvloop",
        "timeout_keep_alive": settings.keep_alive_timeout,
        "log_level": "info",
        "log_config": uvicorn_log_config(),
        # The service sends its own headers; uvicorn's "server: uvicorn" only tells attackers what runs.
        "server_header": False,
        "workers": settings.workers or 1,  # `serve` resolves the default (server_processes)
        "factory": isinstance(app, str),
        **overrides,
    }
    config = uvicorn.Config(app, **options)
    config.kb_header_timeout = settings.header_timeout  # type: ignore[attr-defined]
    return config


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging (startup, errors, the access log), its lines naming their process too."""
    config = copy.deepcopy(LOGGING_CONFIG)
    for formatter in config["formatters"].values():
        formatter["fmt"] = formatter["fmt"].replace("%(levelprefix)s ", f"%(levelprefix)s {PROCESS} ", 1)
    return config


WORKER_APP = "api.server:worker_app"
READY_TIMEOUT = 60  # seconds a worker replaced on SIGHUP may take to load the model and the index


class Supervisor(Multiprocess):
    """uvicorn's supervisor, with a minute for a SIGHUP replacement to become ready.

    uvicorn uses one ``timeout_worker_healthcheck`` both for that and for each liveness ping of a
    running worker; a worker killed between ping and pong (likely under load) is then noticed,
    and SIGTERM handled, only when it runs out. So the pings keep uvicorn's 5 s, and only a
    restart waits longer: a replacement loads the model and the index first (seconds, more on a
    busy machine), and 5 s would abort the restart.
    """

    def restart_all(self) -> None:
        ping = self.config.timeout_worker_healthcheck
        self.config.timeout_worker_healthcheck = max(ping, READY_TIMEOUT)
        try:
            super().restart_all()
        finally:
            self.config.timeout_worker_healthcheck = ping


def worker_app() -> Any:
    """The app of one worker process (``KB_WORKERS`` > 1), from the ``KB_*`` environment it inherits."""
    from api.app import create_app

    configure_logging()
    return create_app()


def configure_logging() -> None:
    """What `kb serve` logs: the service's own lines at info (version swaps, refreshes, and with
    KB_LOG_QUERIES=1 the redacted questions), everything else from warnings up. Done again in
    each worker process, which does not run the CLI."""
    logging.basicConfig(level=logging.WARNING, format=log_format())
    logging.getLogger("kb").setLevel(logging.INFO)


DEFAULT_MAX_PROCESSES = 2  # each holds a copy of the model (e5-small: about 0.5 GB); measured on two cores


def server_processes(settings: Settings) -> int:
    """``KB_WORKERS``, or one per core this process may run on, at most ``DEFAULT_MAX_PROCESSES``.

    On two cores, two processes served 40 % more searches per second than one at concurrency 8,
    and a lone search as fast (``bench/http_latency.py``, MiniLM and e5); a bigger machine with
    memory to spare may set more.
    """
    return settings.workers or max(1, min(len(os.sched_getaffinity(0)), DEFAULT_MAX_PROCESSES))


def serve(settings: Settings, *, host: str, port: int) -> None:
    processes = server_processes(settings)
    settings = settings.model_copy(update={"workers": processes})
    if processes == 1:
        from api.app import create_app

        uvicorn.Server(server_config(create_app(settings), settings, host=host, port=port)).run()
        return
    # The worker processes read their settings from the environment they inherit: the number too,
    # so that each counts the same processes whatever the machine says by then.
    os.environ["KB_WORKERS"] = str(processes)
    config = server_config(WORKER_APP, settings, host=host, port=port)
    Supervisor(config, sockets=[config.bind_socket()]).run()
