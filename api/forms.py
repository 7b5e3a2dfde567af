"""Posted HTML forms, read as the sender meant them (urlencoded by hand or by a browser, or multipart)."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

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
    as "tvangsÃ¦gteskab". So each name and value is read as UTF-8, raw or percent-encoded, and as
    Windows-1252 (a Latin-1 terminal or an old intranet page) only when its bytes are not UTF-8: one
    such field does not garble the others.
    """
    fields: dict[str, str] = {}
    for pair in body.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        fields.setdefault(_text(name), _text(value))
    return fields


def _text(encoded: bytes) -> str:
    raw = unquote_to_bytes(encoded.replace(b"+", b" "))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")
