"""Dependencies shared by the routers, each with an ``Annotated`` alias that routes use by name.

They are ``async def`` because none of them blocks: FastAPI runs a plain ``def`` dependency in
the thread pool, a hop that cost more per request than the dependency itself.

Everything comes from ``app.state`` (set up by ``create_app`` and its lifespan), so tests swap a
piece with ``app.dependency_overrides[get_x] = …`` instead of patching globals.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from api.errors import Forbidden, NotFound, Unauthorized
from api.feedback import FeedbackStore
from api.jobs import RefreshJobs
from api.redact import QueryLog
from api.suggest import SuggestionCache
from api.urls import Urls
from index.live import LiveIndex
from index.search import SearchIndex
from ingest.settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_live(request: Request) -> LiveIndex:
    return request.app.state.live


LiveDep = Annotated[LiveIndex, Depends(get_live)]


async def get_index(live: LiveDep) -> SearchIndex:
    """The version serving this request, taken once: a swap mid-request never mixes versions.

    Raises ``NoLiveIndex`` (503, "kør `kb ingest`") when nothing is loaded.
    """
    return live.current()


IndexDep = Annotated[SearchIndex, Depends(get_index)]


async def get_urls(request: Request) -> Urls:
    return Urls.for_request(request)


UrlsDep = Annotated[Urls, Depends(get_urls)]


async def get_feedback(request: Request) -> FeedbackStore:
    return request.app.state.feedback


FeedbackDep = Annotated[FeedbackStore, Depends(get_feedback)]


async def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]


async def get_query_log(settings: SettingsDep) -> QueryLog:
    return QueryLog(settings.log_queries)


QueryLogDep = Annotated[QueryLog, Depends(get_query_log)]


async def get_suggestions(request: Request) -> SuggestionCache:
    return request.app.state.suggestions


SuggestionsDep = Annotated[SuggestionCache, Depends(get_suggestions)]


async def get_refresh_jobs(request: Request) -> RefreshJobs:
    return request.app.state.refresh_jobs


RefreshJobsDep = Annotated[RefreshJobs, Depends(get_refresh_jobs)]

# auto_error=False: a missing header is our 401 (after the "admin is off" 404), not FastAPI's 403.
bearer = HTTPBearer(auto_error=False, description="KB_ADMIN_TOKEN")


async def require_admin(settings: SettingsDep,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """Attached to the whole admin router: off (404) without KB_ADMIN_TOKEN, else a bearer token."""
    if settings.admin_token is None:
        raise NotFound()
    if credentials is None:
        raise Unauthorized()
    expected = settings.admin_token.get_secret_value().encode()
    if not secrets.compare_digest(credentials.credentials.encode(), expected):
        raise Forbidden()
