"""``/docs``: Swagger UI for the JSON API, without inline script.

FastAPI's built-in page starts Swagger UI from an inline ``<script>``, which our Content-Security-
Policy forbids. This page loads the same Swagger UI bundle from the CDN and starts it from
``/static/docs.js``; only this page's policy admits the CDN. (On a network without internet
access the page stays empty; ``/openapi.json`` is always served.)
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import TemplatesDep
from api.middleware import content_security_policy

router = APIRouter(include_in_schema=False)

SWAGGER_CDN = "https://cdn.jsdelivr.net"
SWAGGER_VERSION = "5"


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request, templates: TemplatesDep) -> HTMLResponse:
    # Swagger UI sets style attributes from its own script, hence 'unsafe-inline' for styles here only.
    policy = content_security_policy(request.app.state.settings.frame_ancestors,
                                     script_src=("'self'", SWAGGER_CDN),
                                     style_src=("'self'", "'unsafe-inline'", SWAGGER_CDN))
    context = {"title": "API-dokumentation", "q": "", "cdn": f"{SWAGGER_CDN}/npm/swagger-ui-dist@{SWAGGER_VERSION}"}
    return templates.TemplateResponse(request, "docs.html", context, headers={"Content-Security-Policy": policy})
