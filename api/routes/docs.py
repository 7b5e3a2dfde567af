"""``/docs``: the API reference, rendered on the server from the app's own OpenAPI document.

It used to be Swagger UI from a CDN: blank on a network without internet, a floating major
version, and axe-core finds nested buttons and low contrast in it. This page needs no script and
no other host; ``/openapi.json`` is there for interactive tools.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.apidoc import build_reference
from api.deps import TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request, templates: TemplatesDep) -> HTMLResponse:
    context = {"title": "API-dokumentation", "q": "", "reference": build_reference(request.app.openapi())}
    return templates.TemplateResponse(request, "docs.html", context)
