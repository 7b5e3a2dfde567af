"""The FastAPI application: JSON API, Danish pages, OpenSearch/RSS, admin.

``create_app(settings)`` builds the app; nothing loads at import. The lifespan loads the model
and the live index once, starts the watcher that picks up a version made live by another
process (``kb ingest``/``kb refresh``), and releases both after ``yield``. Requests never load
anything: each takes ``live.current()`` once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from api.errors import document_errors, install_error_handlers
from api.feedback import FeedbackStore
from api.jobs import WATCHDOG_GRACE, RefreshJobs, SubprocessRefresh
from api.middleware import (
    MAX_BODY_BYTES,
    BodyLimit,
    HeadAsGet,
    Liveness,
    NoStore,
    PublicPrefix,
    SecurityHeaders,
    SlashRedirect,
    public_prefix,
    security_headers,
)
from api.redact import install_access_log_filter
from api.render import STATIC_DIR, make_templates
from api.routes import ROUTERS, admin
from api.routes.health import HealthOut
from api.suggest import SuggestionCache
from api.wiring import make_live, open_embedder
from index.batching import QueryBatcher
from index.cores import CoreShare
from index.embed import Embedder
from index.errors import KBIndexError
from ingest.settings import Settings, get_settings

log = logging.getLogger("kb.api")

DESCRIPTION = """Search over the Danish Agency for International Recruitment and Integration's (SIRI)
publications on honour-related conflicts and negative social control.

- **Passages** are the unit of retrieval and citation. `url` opens the PDF at the passage's page and
  `permalink` is its web page; both are absolute (from `KB_PUBLIC_URL`, else from the request).
- **score** (search results only) is the fused relevance of BM25 and embeddings: higher is better,
  comparable only within one response. The passage the answer quotes (or would quote) comes first,
  so the first may score below the next.
- **confident** says whether the service found a reliable answer. When it is false, show the
  passages as "nearest text", not as an answer.
- **Errors** are JSON `{"detail": "…"}` with a Danish sentence for the user, and the status code
  says what kind of error it is (400, 401, 403, 404, 409, 413, 422, 503).
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # uvicorn configures its loggers before the app starts: strip query strings from access lines now.
    install_access_log_filter()
    batcher: QueryBatcher | None = None

    def load_embedder() -> Embedder:
        # Loaded on first use by the live index; the questions of concurrent requests are then
        # encoded together in one thread (index/batching.py).
        nonlocal batcher
        batcher = QueryBatcher(app.state.embedder or open_embedder(settings),
                               threads=settings.query_threads, workers=settings.query_workers,
                               processes=settings.workers or 1, share=core_share(settings))
        return batcher  # type: ignore[return-value]

    live = make_live(settings, embedder=load_embedder)
    app.state.live = live
    try:
        # In a worker thread: loading the model takes seconds and must not block the event loop.
        await to_thread.run_sync(live.reload)
    except KBIndexError as exc:  # e.g. an unreadable live.json: serve 503s that say why
        live.last_error = str(exc)
        log.error("no live index at start-up: %s", exc)
    live.watch(settings.reload_interval)
    app.state.suggestions = SuggestionCache()
    # Out of this process, with a deadline: a refresh never slows searches here, and never hangs.
    # Shared through the data dir: with KB_WORKERS > 1, a poll may reach another process.
    app.state.refresh_jobs = RefreshJobs(SubprocessRefresh(settings), on_done=live.reload,
                                         timeout=settings.refresh_timeout + WATCHDOG_GRACE,
                                         folder=settings.data_dir / "jobs")
    try:
        yield
    finally:
        live.close()
        if batcher is not None:
            batcher.close()


def core_share(settings: Settings) -> CoreShare | None:
    """With several server processes, their shared count of who is encoding (``index/cores.py``)."""
    processes = settings.workers or 1  # `kb serve` sets it (api/server.py); an app alone is one process
    if processes == 1:
        return None
    try:
        return CoreShare(settings.data_dir / "cores", processes)
    except OSError as exc:  # each process then keeps to its share of the cores
        log.warning("no shared encoder count in %s: %s", settings.data_dir / "cores", exc)
        return None


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """The app over ``settings``; ``embedder`` lets tests share one loaded model between apps."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Vidensbase om æresrelaterede konflikter",
        description=DESCRIPTION,
        version="1.0",
        lifespan=lifespan,
        docs_url=None,  # our own /docs page: FastAPI's uses an inline script (see api/routes/docs.py)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.embedder = embedder
    app.state.templates = make_templates()
    app.state.feedback = FeedbackStore(settings.data_dir / "feedback")
    app.state.security_headers = security_headers(settings.frame_ancestors)

    install_error_handlers(app)
    document_errors(app)
    # add_middleware wraps: the last added runs first.
    # Order: headers → liveness → no-store → HEAD → CORS → body limit → app.
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],  # not Authorization: admin is for scripts, not browsers
        )
    app.add_middleware(HeadAsGet)
    app.add_middleware(NoStore)
    app.add_middleware(Liveness, body=HealthOut().model_dump_json().encode())
    app.add_middleware(SecurityHeaders, headers=app.state.security_headers)
    app.router.redirect_slashes = False
    app.router.default = SlashRedirect(app.router)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        # Without KB_ADMIN_TOKEN the admin routes answer 404 as if they did not exist, so the
        # schema does not list them either: a client (or schemathesis) would expect a 401.
        app.include_router(router, include_in_schema=router is not admin.router or settings.admin_token is not None)
    own_paths = ["/static", app.openapi_url or ""] + [route.path for router in ROUTERS for route in router.routes
                                                       if isinstance(route, APIRoute)]
    prefix = public_prefix(settings.public_url, own_paths)
    if prefix:  # outermost: every layer below sees the prefix as the root path
        app.add_middleware(PublicPrefix, prefix=prefix)
    return app
