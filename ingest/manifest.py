"""Read and validate ``publications.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path

from ingest.errors import ManifestError
from ingest.models import Publication

REQUIRED = ("id", "title", "file")
ID_PATTERN = re.compile(r"^[a-z0-9-]+$")


def load_manifest(path: Path, *, require_files: bool = False) -> list[Publication]:
    """Parse the manifest; every error names the file and the entry it is about.

    ``require_files=True`` also insists that every PDF is present; ingest instead reports a missing
    PDF per publication so that the others still ingest.
    """
    if not path.is_file():
        raise ManifestError(f"Manifestet {path} findes ikke.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"Manifestet {path} kan ikke læses: {exc}") from exc

    entries = data.get("publication")
    if not isinstance(entries, list) or not entries:
        raise ManifestError(f"Manifestet {path} har ingen [[publication]]-afsnit.")

    known = {f.name for f in fields(Publication)}
    publications: list[Publication] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, publikation nr. {number}"
        missing = [name for name in REQUIRED if not entry.get(name)]
        if missing:
            raise ManifestError(f"{where}: mangler feltet {', '.join(missing)}.")
        unknown = sorted(set(entry) - known)
        if unknown:
            raise ManifestError(f"{where}: ukendt felt {', '.join(unknown)}.")
        pub_id = entry["id"]
        if not isinstance(pub_id, str) or not ID_PATTERN.match(pub_id):
            raise ManifestError(f"{where}: id {pub_id!r} må kun indeholde a-z, 0-9 og bindestreg.")
        if pub_id in seen:
            raise ManifestError(f"{where}: id {pub_id!r} er brugt mere end én gang.")
        seen.add(pub_id)
        file = entry["file"]
        if Path(file).name != file:
            raise ManifestError(f"{where}: file {file!r} skal være et filnavn i {path.parent}.")
        if require_files and not (path.parent / file).is_file():
            raise ManifestError(f"{where} ({pub_id}): filen {path.parent / file} findes ikke.")
        clean = {k: (v if v != "" else None) for k, v in entry.items()}
        publications.append(Publication(**clean))  # type: ignore[arg-type]  # validated above
    return publications
