"""Extraction figures on the realistic evaluation corpus (tests/fixtures/realistic), against its ground truth.

    .venv/bin/python bench/extract_realistic.py [--show]

* evidence: questions whose evidence phrase lies inside one extracted block of its page
  (whitespace-normalised, NFKC), out of all answerable questions;
* leaks: text blocks that hold the page's running header, or are its bare page number;
* footnotes: notes extracted as a block of their own with role "footnote", out of all notes;
* box titles: box titles extracted as a heading with role "box", out of all boxes;
* table rows: rows whose cells lie in one block, in order, out of all rows;
* front: colophon pages not classified as body, out of all colophons.

``--show`` lists the misses.
"""

from __future__ import annotations

import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def main(argv: list[str]) -> int:
    from ingest.extract import Extractor
    from tests.fixtures.realistic.build import build
    from tests.fixtures.realistic.model import Box, Table

    show = "--show" in argv
    built = build(Path(tempfile.mkdtemp(prefix="kb-bench-realistic-")))
    extractor = Extractor()
    docs = {gid: extractor(built.dest / f"{gid}.pdf") for gid in built.guides}
    misses: list[str] = []

    def blocks(gid: str, page: int) -> list:
        return [b for b in docs[gid].blocks if b.page == page]

    counts = {name: [0, 0] for name in ("evidence", "footnotes", "box titles", "table rows", "front")}
    leaks = 0
    for q in built.questions:
        if q["publication"] is None:
            continue
        ok = any(norm(q["evidence"]) in norm(b.text) for b in blocks(q["publication"], q["pages"][0]))
        counts["evidence"][0] += ok
        counts["evidence"][1] += 1
        if not ok:
            misses.append(f"evidence {q['id']}: {q['evidence']}")
    for gid, rendered in built.guides.items():
        first = rendered.first_body_index
        for page in rendered.pages:
            got = blocks(gid, page.index)
            if page.kind == "colophon":
                counts["front"][0] += docs[gid].page(page.index).kind != "body"
                counts["front"][1] += 1
            if page.kind != "body":
                continue
            for b in got:
                text = norm(b.text)
                if b.kind == "text" and ((page.header and norm(page.header) in text) or text == page.footer):
                    leaks += 1
                    misses.append(f"leak {gid} p{page.index}: {text[:70]}")
            notes = [norm(b.text) for b in page.blocks if b.kind == "footnote"]
            found = {norm(b.text) for b in got if getattr(b, "role", "body") == "footnote"}
            counts["footnotes"][0] += sum(n in found for n in notes)
            counts["footnotes"][1] += len(notes)
            model = rendered.guide.pages[page.index - first]
            for box in (b for b in model.blocks if isinstance(b, Box)):
                ok = any(
                    b.kind == "heading" and getattr(b, "role", "body") == "box" and norm(b.text) == norm(box.title)
                    for b in got
                )
                counts["box titles"][0] += ok
                counts["box titles"][1] += 1
            for table in (b for b in model.blocks if isinstance(b, Table)):
                for row in table.rows:
                    cells = [norm(c) for c in row]
                    ok = False
                    for b in got:
                        text = norm(b.text)
                        if all(c in text for c in cells):
                            positions = [text.index(c) for c in cells]
                            ok = ok or positions == sorted(positions)
                    counts["table rows"][0] += ok
                    counts["table rows"][1] += 1
    print("realistic corpus, extraction against the ground truth")
    for name, (hit, total) in counts.items():
        print(f"  {name:<11} {hit:>4} / {total}")
    print(f"  {'leaks':<11} {leaks:>4}")
    if show:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
