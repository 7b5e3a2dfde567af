"""What a caseworker's saved link to a passage that is gone from the live version says.

A permalink (``/p/{id}``) or ``/api/passages/{id}`` is stable while the passage's text is unchanged.
When SIRI changed the text, the id is gone and the section it stood in, read from an older version
still on disk, is the best search to offer. When the publication itself was taken out of the
manifest, searching that section would only find the same heading in the other publications, so
the answer says the publication is no longer in the knowledge base instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from api.errors import PassageNotFound
from index.errors import CorruptIndex
from index.store import VersionStore, read_passages

CHANGED = "Passagen findes ikke i den nuværende udgave af publikationerne."


@dataclass(frozen=True)
class Retired:
    publication_id: str
    publication_title: str
    section: str | None


def find_retired(data_dir: Path, passage_id: str) -> Retired | None:
    """Where an id stood in an older version still on disk (the newest that has it), or None."""
    store = VersionStore(data_dir)
    for version in reversed(store.versions()):
        found = _retired(str(store.path(version))).get(passage_id)
        if found is not None:
            return found
    return None


def passage_gone(data_dir: Path, passage_id: str, live_publications: set[str], *, page: bool) -> PassageNotFound:
    """The 404 for a passage id the live version lacks; ``page`` adds the hint about the search form
    below it (the JSON API has none) and carries the search to put in it."""
    retired = find_retired(data_dir, passage_id)
    if retired is not None and retired.publication_id not in live_publications:
        detail = (f"Passagen stod i »{retired.publication_title}«, som ikke længere er med i vidensbasen.")
        if page:
            detail += " Søg i de andre publikationer herunder."
        return PassageNotFound(detail)
    detail = f"{CHANGED} Teksten kan være ændret, da publikationen blev opdateret."
    if retired is not None and retired.section:
        detail += f" Den stod i afsnittet »{retired.section}«"
        detail += " – søg efter det herunder." if page else "."
        return PassageNotFound(detail, query=retired.section if page else None)
    return PassageNotFound(detail)


@lru_cache(maxsize=8)
def _retired(version_path: str) -> dict[str, Retired]:
    # Versions never change once written, so their map can be cached by path.
    try:
        return {p.id: Retired(p.publication_id, p.publication_title, p.section)
                for p in read_passages(Path(version_path))}
    except CorruptIndex:
        return {}
