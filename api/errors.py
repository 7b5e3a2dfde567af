"""Errors of the HTTP layer, and the one handler that renders any error as JSON or as a page.

    starlette HTTPException
    └── APIError               status_code (class attribute) + a Danish ``detail``
        ├── Unauthorized       401  admin route without a bearer token
        ├── Forbidden          403  admin route with the wrong token
        ├── NotFound           404
        │   ├── UnknownPublication   ``publication=`` names no publication of the live version
        │   ├── PassageNotFound      (may carry the old passage's section as ``query``)
        │   └── CorpusFileNotFound
        ├── EditionReplaced    410  a PDF link pinned to an edition no kept version holds
        ├── Conflict           409  a refresh is already running
        ├── PersonalData       422  the question holds a CPR number, phone number or e-mail address
        └── PayloadTooLarge    413  request body over the limit

The family derives from Starlette's ``HTTPException`` because FastAPI re-raises only that type
from the body reader; anything else raised while reading a body would turn into a 400.

Index errors (``index.errors.KBIndexError``) carry their own ``status_code`` (422 for a bad
question, 503 for "no live index") and go through the same handler. JSON routes (``/api/…``,
``/healthz``, ``/readyz``) answer ``{"detail": "…"}``; every other route gets a Danish page that
extends ``base.html`` (``<status>.html`` when it exists, else ``error.html``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from jinja2 import TemplateNotFound
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api.personal import Scan
from index.errors import KBIndexError
from ingest.settings import MAX_QUESTION_CHARS

JSON_PATHS = ("/healthz", "/readyz", "/openapi.json")

TITLES: dict[int, str] = {
    400: "Ugyldig forespørgsel",
    401: "Adgang kræver login",
    403: "Adgang nægtet",
    404: "Siden findes ikke",
    405: "Metoden er ikke tilladt",
    409: "Optaget",
    410: "Udgaven er erstattet",
    413: "Forespørgslen er for stor",
    415: "Forkert indholdstype",
    422: "Ugyldigt input",
    500: "Der skete en fejl",
    503: "Søgningen er ikke klar",
}

# Messages for errors that Starlette raises itself (unknown route, wrong method …).
DETAILS: dict[int, str] = {
    400: "Forespørgslen kunne ikke forstås.",
    404: "Siden findes ikke. Tjek adressen, eller søg i publikationerne.",
    405: "Metoden er ikke tilladt på denne adresse.",
    413: "Forespørgslen er for stor.",
    415: "Forespørgslen skal sendes som JSON (Content-Type: application/json).",
    500: "Der skete en uventet fejl. Prøv igen om lidt.",
}


class APIError(HTTPException):
    status_code = 500
    default_detail = DETAILS[500]

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None,
                 query: str | None = None) -> None:
        super().__init__(self.status_code, detail or self.default_detail, headers)
        # A search to suggest on the error page (e.g. the section of a passage that is gone).
        self.query = query


class Unauthorized(APIError):
    status_code = 401
    default_detail = "Angiv administrationsnøglen som »Authorization: Bearer …«."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(APIError):
    status_code = 403
    default_detail = "Administrationsnøglen er forkert."


class NotFound(APIError):
    status_code = 404
    default_detail = DETAILS[404]


class UnknownPublication(NotFound):
    """A filter on a publication that does not exist: 404, like any resource that is not there."""

    def __init__(self, publication: str, known: list[str]) -> None:
        super().__init__(f"Publikationen »{publication}« findes ikke. Vælg en af: {', '.join(known)}.")


class PassageNotFound(NotFound):
    default_detail = "Passagen findes ikke i den nuværende udgave af publikationerne."


class CorpusFileNotFound(NotFound):
    default_detail = "Filen findes ikke blandt publikationerne."


class EditionReplaced(APIError):
    """A link pinned to an edition of a PDF that the service no longer keeps (``?udgave=…``).

    ``title`` is the publication's, when a kept version still knows the file name; ``current``
    the live edition's PDF, or None when the publication was taken out of the manifest."""

    status_code = 410

    def __init__(self, title: str | None, current: str | None) -> None:
        self.link: tuple[str, str] | None = None
        if title is None:
            super().__init__("Linket peger på en udgave af en publikation, som ikke længere findes i vidensbasen. "
                             "Søg efter emnet i de publikationer, der er med.")
        elif current is None:
            super().__init__(f"Linket peger på en udgave af »{title}«, som ikke længere er med i vidensbasen. "
                             "Søg efter emnet i de publikationer, der er med.")
        else:
            super().__init__(f"Linket peger på en tidligere udgave af »{title}«, som ikke længere findes i "
                             "vidensbasen. Den nye udgave kan have andre sidetal, så siden i linket passer "
                             "måske ikke. Åbn den nuværende udgave, eller søg efter afsnittet.")
            self.link = (current, "Åbn den nuværende udgave")


class Conflict(APIError):
    status_code = 409
    default_detail = "En opdatering kører allerede. Vent til den er færdig."


class JobsUnwritable(APIError):
    """The data dir's ``jobs/`` (shared by the server's processes) cannot be written: nor could a refresh."""

    status_code = 503

    def __init__(self, folder: object, reason: str) -> None:
        super().__init__(f"Opdateringen kan ikke startes: mappen {folder} kan ikke skrives ({reason}).")


class PersonalData(APIError):
    """Not searched: the question holds personal data. ``scan`` tells what and where (api.personal)."""

    status_code = 422

    def __init__(self, scan: Scan) -> None:
        super().__init__(
            f"Spørgsmålet ser ud til at indeholde {scan.describe()}. Der søges ikke på personoplysninger: "
            "fjern CPR-numre, telefonnumre og e-mailadresser, og søg igen.")
        self.scan = scan


class PayloadTooLarge(APIError):
    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"Forespørgslen er for stor (højst {limit // 1024} KB).")


class ErrorOut(BaseModel):
    """The shape of every error body from the JSON routes."""

    detail: str = Field(description="What went wrong, as a Danish sentence that can be shown to the user")


# What each error status means, for the OpenAPI document (English, like every field description).
ERROR_MEANINGS: dict[int, str] = {
    400: "The request could not be read (e.g. a body that is not UTF-8)",
    401: "No bearer token was given",
    403: "The bearer token is wrong",
    404: "Not found (admin routes: also when KB_ADMIN_TOKEN is not set)",
    409: "A refresh is already running",
    413: "The request body is too large",
    422: "A parameter or the body is invalid (e.g. an empty question, k out of range)",
    503: "No index is loaded yet; /readyz says why",
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}  # put into the components by document_errors()


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer (replaces FastAPI's 422 list).

    Always JSON, also on routes whose success is RSS or suggestions: the content is spelt out,
    because a ``model`` would be documented under the route's own media type.
    """
    return {s: {"description": ERROR_MEANINGS.get(s, "Error"),
                "content": {"application/json": {"schema": ERROR_REF}}} for s in statuses}


# -- validation errors in Danish ------------------------------------------------------------------
def validation_detail(exc: RequestValidationError) -> str:
    """One Danish sentence per problem FastAPI found in the parameters or the body."""
    messages: list[str] = []
    for error in exc.errors():
        message = _validation_message(error)
        if message not in messages:
            messages.append(message)
    return " ".join(messages) or "Forespørgslen er ugyldig."


def _validation_message(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = loc[-1] if loc else ""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "json_invalid":
        return "Forespørgslen er ikke gyldig JSON."
    if kind in ("model_attributes_type", "dict_type", "model_type") or not field:
        return "Forespørgslen skal være et JSON-objekt med feltet »question«."
    if kind == "missing":
        return f"Feltet »{field}« mangler."
    if kind == "string_too_short" and field in ("q", "question"):
        return "Skriv et spørgsmål – feltet er tomt."
    if kind == "string_pattern_mismatch" and field in ("q", "question"):
        return "Skriv et spørgsmål – feltet er tomt eller har hverken bogstaver eller tal."
    if kind == "string_too_long":
        return f"»{field}« er for langt (højst {ctx.get('max_length', MAX_QUESTION_CHARS)} tegn)."
    if field == "k":
        return "k skal være et helt tal mellem 1 og 50."
    if field == "publication":
        return "»publication« skal være id'et på en publikation (små bogstaver, tal og bindestreg)."
    if kind.startswith("string"):
        return f"»{field}« skal være tekst."
    return f"Ugyldig værdi for »{field}«."


UNAVAILABLE_PAGE = ("Søgningen er midlertidigt ikke tilgængelig, fordi vidensbasen ikke er klar. "
                    "Prøv igen om lidt. Varer det ved, så kontakt kommunens IT-afdeling eller den, der driver "
                    "løsningen (de kan se årsagen på adressen /readyz).")


# -- the one handler ------------------------------------------------------------------------------
def wants_json(request: Request) -> bool:
    path = request.url.path[len(request.scope.get("root_path", "")):] or "/"
    return path.startswith("/api/") or path in JSON_PATHS


def describe(exc: Exception) -> tuple[int, str, dict[str, str] | None]:
    """(status, Danish detail, extra headers) of any exception."""
    if isinstance(exc, RequestValidationError):
        return 422, validation_detail(exc), None
    if isinstance(exc, HTTPException):
        detail = exc.detail if isinstance(exc, APIError) else DETAILS.get(exc.status_code, str(exc.detail))
        return exc.status_code, detail, dict(exc.headers) if exc.headers else None
    if isinstance(exc, KBIndexError):
        return exc.status_code, str(exc), None
    return 500, DETAILS[500], None


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> str | None:
    """Every method the request's path answers, for a 405's ``Allow``; None when the routes cannot say.

    Starlette names only the methods of the first route that matches the path, but ``/`` has a GET
    and a POST route; and HEAD works wherever GET does (``api.middleware.HeadAsGet``). Each method
    is asked of the router as a request would be (``matches``), not read from its routes, which
    FastAPI wraps in private types.
    """
    routes = request.app.router.routes
    methods = {m for m in METHODS
               if any(route.matches({**request.scope, "method": m})[0] is Match.FULL for route in routes)}
    if not methods or request.scope["method"] in methods:
        return None  # e.g. a mount, which matches any method and answers its own 405
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def handle_error(request: Request, exc: Exception) -> Response:
    # No logging here: an unexpected exception is re-raised by Starlette and logged by the server.
    status, detail, headers = describe(exc)
    if status == 405 and (allow := allowed_methods(request)):
        headers = {**(headers or {}), "Allow": allow}
    if status >= 500:
        # ServerErrorMiddleware sends this response past the security-headers middleware.
        headers = {**(headers or {}), **request.app.state.security_headers}
    # By path alone: a form post to a page (the search form, "Hjalp svaret?") is a person's request
    # whatever its Accept header says, so its 413 or 405 is a page too; the API is JSON for everyone.
    if wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    if isinstance(exc, KBIndexError) and status == 503:
        # Model names, paths and commands are for the operator (in /readyz and the log); a
        # caseworker gets a plain sentence.
        detail = UNAVAILABLE_PAGE
    return render_error_page(request, status, detail, headers, getattr(exc, "query", None),
                             getattr(exc, "link", None))


def render_error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None,
                      query: str | None, link: tuple[str, str] | None = None, title: str | None = None) -> Response:
    templates = request.app.state.templates
    context = {"title": title or TITLES.get(status, "Fejl"), "status": status, "detail": detail, "q": query or "",
               "link": link}
    for name in (f"{status}.html", "error.html"):
        try:
            return templates.TemplateResponse(request, name, context, status_code=status, headers=headers)
        except TemplateNotFound:
            continue
    raise RuntimeError("error.html is missing")  # pragma: no cover - the package ships it


def install_error_handlers(app: FastAPI) -> None:
    for exc_class in (HTTPException, RequestValidationError, KBIndexError, Exception):
        app.add_exception_handler(exc_class, handle_error)


def document_errors(app: FastAPI) -> None:
    """Makes the OpenAPI document say what the service sends: FastAPI documents a 422 with its own
    ``HTTPValidationError`` list on every route with parameters, but our 422 is ``{"detail": "…"}``."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.get("responses", {})
                if "422" in responses:
                    # A route's own account of its 422 (e.g. personal data refused) stays; FastAPI's
                    # generic "Validation Error" gives way to ours.
                    own = responses["422"].get("description")
                    responses["422"] = error_responses(422)[422]
                    if own and own != "Validation Error":
                        responses["422"]["description"] = own
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        components["ErrorOut"] = ErrorOut.model_json_schema()
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
