"""Posted HTML forms, read as the sender meant them (urlencoded by hand or by a browser, or multipart)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request


async def read_form(request: Request) -> dict[str, str]:
    """A posted form's fields: urlencoded as :func:`form_fields` reads it, or multipart (a page's
    script posting ``new FormData(form)``), whose parts say their own encoding."""
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        async with request.form() as form:
            fields: dict[str, str] = {}
            for name, value in form.multi_items():
                if isinstance(value, str):  # an uploaded file is no field of ours
                    fields.setdefault(name, value)
            return fields
    return form_fields(await request.body())


def form_fields(body: bytes) -> dict[str, str]:
    """The first value of each field.

    A browser percent-encodes UTF-8, but ``curl -d "q=tvangsægteskab"`` sends the terminal's bytes
    as they are, and Starlette's form parser reads raw bytes as Latin-1: the question was searched
    as "tvangsÃ¦gteskab". So UTF-8 first, raw or percent-encoded, and Windows-1252 (a Latin-1
    terminal or an old intranet page) only for bytes that are not UTF-8.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("cp1252", "replace")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="cp1252", errors="replace")
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields
