"""Read and validate ``publications.toml`` with a typed model and sane limits.

Every value that reaches a version, a page or a feed is checked here: strings are strings (no
``title = 123`` that later breaks every page), a year is a whole number in a sane range, an id is
``[a-z0-9-]+``, a file is a plain PDF name in the corpus folder. The file itself is bounded (size,
entries, nesting), so a hostile or broken manifest is one clear Danish error, never a traceback.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from ingest.errors import ManifestError
from ingest.models import Publication

ID_PATTERN = re.compile(r"^[a-z0-9-]+$")
# A plain file name: no folders, not hidden, ends in .pdf (it is served under /corpus/<file>).
FILE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._ -]*\.[pP][dD][fF]$"
MAX_MANIFEST_BYTES = 1024 * 1024  # four publications need ~2 kB
MAX_PUBLICATIONS = 200
MAX_TITLE_CHARS = 500
MAX_URL_CHARS = 2000
MIN_YEAR, MAX_YEAR = 1900, 2100

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_URL_CHARS,
                                       pattern=r"^https?://\S+$")]


class PublicationEntry(BaseModel):
    """One ``[[publication]]`` table. Strict: nothing is coerced (``year = "2018"`` is an error)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: Annotated[str, StringConstraints(pattern=ID_PATTERN.pattern, max_length=64)]
    title: Text
    file: Annotated[str, StringConstraints(pattern=FILE_PATTERN, max_length=200)]
    publisher: Text | None = None
    year: Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)] | None = None
    landing_url: Url | None = None
    pdf_url: Url | None = None

    @field_validator("publisher", "landing_url", "pdf_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("year", mode="before")
    @classmethod
    def _no_bool_year(cls, value: object) -> object:
        if isinstance(value, bool):  # TOML `true` is not a year, even though bool is an int in Python
            raise ValueError("skal være et årstal")
        return value


_FIELD_HELP = {
    "id": "må kun indeholde a-z, 0-9 og bindestreg",
    "file": "skal være et PDF-filnavn i korpusmappen (ingen mapper, ikke skjult, slutter på .pdf)",
    "year": f"skal være et årstal mellem {MIN_YEAR} og {MAX_YEAR}",
    "landing_url": "skal være en https://-adresse",
    "pdf_url": "skal være en https://-adresse",
    "title": f"skal være tekst (højst {MAX_TITLE_CHARS} tegn)",
    "publisher": f"skal være tekst (højst {MAX_TITLE_CHARS} tegn)",
}


def load_manifest(path: Path, *, require_files: bool = False) -> list[Publication]:
    """Parse the manifest; every error names the file and the entry it is about.

    ``require_files=True`` also insists that every PDF is present; ingest instead reports a missing
    PDF per publication so that the others still ingest.
    """
    data = _read(path)
    # Reports name the manifest and its PDFs as they lie in the corpus folder ("publications.toml",
    # "haandbog.pdf"), not where the folder lies on the server; only a missing manifest says where
    # it was looked for, which is what to check (KB_CORPUS_DIR). The log keeps full paths.
    name = path.name
    entries = data.get("publication")
    if not isinstance(entries, list) or not entries:
        raise ManifestError(f"Manifestet {name} har ingen [[publication]]-afsnit.")
    if len(entries) > MAX_PUBLICATIONS:
        raise ManifestError(f"Manifestet {name} har {len(entries)} publikationer; højst {MAX_PUBLICATIONS} er tilladt.")

    publications: list[Publication] = []
    seen: set[str] = set()
    files: dict[str, str] = {}  # file -> "nr. N (id)" of the entry that named it first
    for number, raw in enumerate(entries, start=1):
        where = f"{name}, publikation nr. {number}"
        entry = _validate(raw, where)
        if entry.id in seen:
            raise ManifestError(f"{where}: id {entry.id!r} er brugt mere end én gang.")
        seen.add(entry.id)
        # Two entries on one PDF index it twice: every passage of it would be listed twice.
        if entry.file in files:
            raise ManifestError(f"{where} ({entry.id}): filen {entry.file} er også filen for publikation "
                                f"{files[entry.file]}; hver publikation skal have sin egen PDF. "
                                "Ret »file« til den rigtige PDF, eller fjern afsnittet.")
        files[entry.file] = f"nr. {number} ({entry.id})"
        if require_files and not (path.parent / entry.file).is_file():
            raise ManifestError(f"{where} ({entry.id}): filen {entry.file} findes ikke i korpusmappen.")
        publications.append(Publication(**entry.model_dump()))
    return publications


def _read(path: Path) -> dict[str, object]:
    if not path.is_file():
        raise ManifestError(f"Manifestet {path} findes ikke.")
    size = path.stat().st_size
    if size > MAX_MANIFEST_BYTES:
        raise ManifestError(f"Manifestet {path.name} er for stort ({size} bytes; højst {MAX_MANIFEST_BYTES}).")
    try:
        with path.open("rb") as fh:
            return tomllib.loads(fh.read(MAX_MANIFEST_BYTES + 1).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"Manifestet {path.name} kan ikke læses: {exc}") from exc
    except RecursionError as exc:
        raise ManifestError(f"Manifestet {path.name} kan ikke læses: værdierne er indlejret for dybt.") from exc


def _validate(raw: object, where: str) -> PublicationEntry:
    if not isinstance(raw, dict):
        raise ManifestError(f"{where}: skal være en tabel med id, title og file.")
    missing = [name for name in ("id", "title", "file") if raw.get(name) in (None, "")]
    if missing:
        raise ManifestError(f"{where}: mangler feltet {', '.join(missing)}.")
    unknown = sorted(str(k) for k in raw if k not in PublicationEntry.model_fields)
    if unknown:
        raise ManifestError(f"{where}: ukendt felt {', '.join(unknown)[:200]}.")
    try:
        return PublicationEntry.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:3]:
            name = str(error["loc"][0]) if error["loc"] else "?"
            value = repr(raw.get(name))
            value = value if len(value) <= 60 else value[:57] + "…"
            problems.append(f"{name} = {value} {_FIELD_HELP.get(name, error['msg'])}")
        raise ManifestError(f"{where}: " + "; ".join(problems) + ".") from None


def similar_pdfs(folder: Path, file: str, named: Iterable[str] = ()) -> list[str]:
    """PDFs in ``folder`` whose names look like ``file`` and that no manifest entry names (``named``).

    An operator who copies a new edition in as ``metodehaefte_2020.pdf`` for the manifest's
    ``metodehaefte-2020.pdf`` was told only that the file is missing, while it lay right there.
    """
    taken = {*named, file}
    try:
        free = [p.name for p in folder.iterdir() if p.suffix.lower() == ".pdf" and p.name not in taken and p.is_file()]
    except OSError:  # an unreadable folder is reported where the PDF is read
        return []
    by_key = {name.lower(): name for name in free}
    return [by_key[key] for key in difflib.get_close_matches(file.lower(), list(by_key), n=3, cutoff=0.75)]


def missing_pdf_hint(folder: Path, file: str, named: Iterable[str] = ()) -> str:
    """What to do about a missing PDF when one with a similar name lies in the folder, else ""."""
    similar = similar_pdfs(folder, file, named)
    if not similar:
        return ""
    which = (f"en PDF med et lignende navn: {similar[0]}" if len(similar) == 1
             else "PDF'er med lignende navne: " + ", ".join(similar))
    return (f"Korpusmappen har {which}. Er det den? Så ret »file« i publications.toml til filens navn, "
            "eller omdøb filen.")
