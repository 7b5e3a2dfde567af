"""Extraction quality and speed on real PDFs from a folder, against poppler's ``pdftotext``.

    .venv/bin/python bench/extract_real.py FOLDER [--timeout 300] [--json OUT.json] [--compare BEFORE.json]

Per file (each extracted in its own process, so a malformed file fails alone and a hang is cut
off at ``--timeout``):

* recall: share of pdftotext's words (a multiset, case-folded) that our blocks also hold, after
  taking out the words of the lines we drop on purpose (running headers/footers, page numbers) and
  the note marks the extractor leaves out of the text (``Line.marks``); pdftotext reads a page
  inside its trim box when it has one, as we do (slug lines outside it are no part of the page);
* p-recall: the same for what is indexed of the passages the splitter makes (section title and
  text); cover, colophon and contents pages are no passages on purpose, so it is lower on manuals
  with a cover and a contents page;
* toc/idx: passages that read like a table of contents or a back-of-book index (mostly numbers);
* bad-h: suspicious headings (ending in ":", over 80 characters, a line-break hyphen inside, or the
  same title three times or more);
* glued / split: our tokens that are two of pdftotext's words run together, and pairs of our
  tokens that pdftotext prints as one word;
* order: share of our word 4-grams that pdftotext reads in the same order (columns), beside the
  same share for pypdf's ``extract_text``: indicative only, since we read a table row by row and a
  margin side-head before its paragraph, where pdftotext keeps its own layout;
* s/page ours vs pypdf's own ``page.extract_text()`` on the same file, and their ratio: best of
  ``--repeat`` interleaved runs (the word lists are loaded before the clock starts: a
  once-per-process cost).

Debian's ``poppler-utils`` is installed with apt-get when ``pdftotext`` is missing. Never commit
the PDFs you measure: they belong to others.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_NUMBERISH = re.compile(r"^(?:\d{1,4}(?:[-–]\d{1,4})?|[ivxlc]{1,6})[,.;]?$", re.IGNORECASE)
_LINE_HYPHEN = re.compile(r"[a-zæøå]- [a-zæøå]")
_BROKEN = re.compile(r"([^\W_]+)-[ \t]*$", re.MULTILINE)  # a word broken at a line end
# A soft hyphen at a line end is the typesetter's own break inside a word: the word is whole.
_SOFT_BREAK = re.compile(r"([^\W_])\u00ad[ \t]*\n\s*(?=[^\W_])")
_PLAIN_NUMBER = re.compile(r"^(\d{1,4})[,.;]?$")


def ensure_pdftotext() -> str:
    from common import ensure_debian_tool  # type: ignore[import-not-found]  # the bench folder, run as a script

    return ensure_debian_tool("pdftotext", "poppler-utils")


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text.replace("\u00ad", ""))]


def reference_words(pdftotext: str, path: Path) -> tuple[list[str], set[str]] | None:
    """pdftotext's words, and the word starts it leaves broken at a line end ("sy-" before a page
    break): pdftotext undoes line-break hyphens only inside its own blocks, we undo them across
    pages and columns too, so "systemmæssige" is no glued word when pdftotext printed "sy-".

    Pages with a trim box are read inside it, as we read them: outside it lie the printer's slug
    lines ("9782340-025998_Nephrologie.indb 37 14/09/2018"), cut off the printed page."""
    text = ""
    for first, last, crop in page_groups(path):
        command = [pdftotext, "-enc", "UTF-8", "-f", str(first), "-l", str(last)]
        if crop is not None:
            command += ["-x", str(crop[0]), "-y", str(crop[1]), "-W", str(crop[2]), "-H", str(crop[3])]
        done = subprocess.run([*command, str(path), "-"], capture_output=True, timeout=300)
        if done.returncode != 0:
            return None
        text += done.stdout.decode("utf-8", "replace")
    text = join_soft_breaks(text)
    broken = {m.group(1).casefold() for m in _BROKEN.finditer(text)}
    return words(text), broken


def join_soft_breaks(text: str) -> str:
    """pdftotext's words broken by a soft hyphen at a line end ("compensa\u00ad" / "tion"), whole again."""
    return _SOFT_BREAK.sub(r"\1", text)


def page_groups(path: Path) -> list[tuple[int, int, tuple[int, int, int, int] | None]]:
    """Runs of pages (1-based, inclusive) with the same crop for pdftotext: the trim box inside the
    crop box in points from its top left (72 dpi), or None to read the whole page."""
    try:
        from pypdf import PdfReader

        pages = PdfReader(path).pages
        crops = [_trim_crop(page) for page in pages]
    except Exception:  # noqa: BLE001 - a file pypdf cannot read is read whole (and fails in ours)
        return [(1, 10**6, None)]
    groups: list[tuple[int, int, tuple[int, int, int, int] | None]] = []
    for number, crop in enumerate(crops, start=1):
        if groups and groups[-1][2] == crop:
            groups[-1] = (groups[-1][0], number, crop)
        else:
            groups.append((number, number, crop))
    return groups or [(1, 10**6, None)]


def _trim_crop(page: Any) -> tuple[int, int, int, int] | None:
    if "/TrimBox" not in page or int(page.get("/Rotate", 0) or 0) % 360:
        return None
    crop, trim = page.cropbox, page.trimbox
    if [round(float(v)) for v in crop] == [round(float(v)) for v in trim]:
        return None
    left = max(float(trim.left) - float(crop.left), 0.0)
    top = max(float(crop.top) - float(trim.top), 0.0)
    return (int(left), int(top), int(float(trim.width) + 0.5), int(float(trim.height) + 0.5))


def _measure(path: str, queue: Any, repeat: int = 1) -> None:
    """Runs in a child process: our extraction, the furniture we drop, passages, and pypdf's time."""
    try:
        from pypdf import PdfReader

        from ingest import words
        from ingest.extract import Extractor
        from ingest.models import Publication
        from ingest.split import Splitter

        words.is_word_any("example")  # load the word lists first: a one-off cost per process, not per file
        extractor = Extractor()
        # Interleaved runs, best of each: the machine is shared, so a single run measures the neighbours.
        ours = theirs = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            doc = extractor(Path(path))
            ours = min(ours, time.perf_counter() - start)
            start = time.perf_counter()
            pypdf_text = [page.extract_text() for page in PdfReader(path).pages]
            theirs = min(theirs, time.perf_counter() - start)
        # The furniture lines, as the extractor's own stage finds them (what is dropped on purpose).
        reader = extractor.open(Path(path))
        raw = extractor.read_pages(reader, Path(path), [])
        dropped = [raw[p][i].text for p, found in enumerate(extractor.furniture.find(raw)) for i in found]
        marks = [m for lines in raw for line in lines for m in line.marks]  # note marks left out on purpose
        passages = Splitter(lambda t: int(len(t.split()) * 1.4) + 2, max_tokens=256)(
            Publication(id="x", title="x", file=Path(path).name), doc
        )
        queue.put(
            {
                "pages": len(doc.pages),
                "blocks": [(b.kind, b.text) for b in doc.blocks],
                "labels": [p.label for p in doc.pages],
                "kinds": [p.kind for p in doc.pages],
                "dropped": dropped,
                "marks": marks,
                "passages": [p.text for p in passages],
                # What the lexical index reads of a passage: its section title and its text.
                "indexed": [f"{p.section}. {p.text}" if p.section else p.text for p in passages],
                "seconds": ours,
                "pypdf_seconds": theirs,
                "pypdf_text": "\n".join(pypdf_text),
            }
        )
    except BaseException as exc:  # reported per file; the other files go on
        queue.put({"error": f"{type(exc).__name__}: {str(exc)[:160]}"})


def measure(path: Path, timeout: float, repeat: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measure, args=(str(path), queue, repeat))
    proc.start()
    try:
        result: dict[str, Any] = queue.get(timeout=timeout)
    except Exception:
        result = {"error": f"timeout after {timeout:.0f} s"}
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    return result


def contents_like(text: str) -> bool:
    """A passage of mostly page numbers: a table of contents or an index that leaked through.

    Numbers that are no page references do not count: three or more in a row without commas are
    a table row ("1359 1297 0 0 0 0 1306"; an index lists its pages with commas: "4-7, 5-2, 9-1"),
    numbers that count 1, 2, 3 … in order number the items of a list or a screen menu, and numbers
    after a word that takes several of them are labels ("Liste 2", "Liste 3"; "Kapitel 1" in a
    contents passage is a label too, but its page numbers follow titles, each its own word).
    """
    tokens = text.split()
    numbered: dict[str, set[str]] = {}
    for before, token in zip(tokens, tokens[1:], strict=False):
        if _NUMBERISH.match(token) and not _NUMBERISH.match(before):
            numbered.setdefault(before.casefold(), set()).add(token)
    labels = {word for word, numbers in numbered.items() if len(numbers) >= 2}
    refs: list[str] = []
    run: list[str] = []
    for before, token in zip(["", *tokens], [*tokens, ""], strict=True):
        if token and _NUMBERISH.match(token) and before.casefold() not in labels:
            run.append(token)
            continue
        if len(run) < 3 or any(t.endswith(",") for t in run[:-1]):
            refs += run
        run = []
    plain = [int(m.group(1)) for t in refs if (m := _PLAIN_NUMBER.match(t))]
    if len(plain) >= 4 and plain == list(range(plain[0], plain[0] + len(plain))):
        refs = [t for t in refs if not _PLAIN_NUMBER.match(t)]  # a numbered list or menu
    return len(refs) >= 4 and len(refs) >= 0.2 * len(tokens)


def suspicious_headings(headings: list[str]) -> int:
    counts = Counter(headings)
    bad = 0
    for text in headings:
        if text.endswith(":") or len(text) > 80 or _LINE_HYPHEN.search(text) or counts[text] >= 3:
            bad += 1
    return bad


def glued_and_split(
    ours: list[str], reference: set[str], broken: frozenset[str] | set[str] = frozenset()
) -> tuple[int, int]:
    """Glued: our token is two reference words run together. Split: two of ours make one reference word.

    pdftotext drops the hyphen of "K-" + "kommando" at a line end ("kkommando") where we keep it,
    so a hyphenated token of ours whose hyphen-free form pdftotext prints is that reference word;
    a token that starts with a word pdftotext left broken at a line end is no glued word.
    """

    def known(token: str) -> bool:
        return token in reference or ("-" in token and token.replace("-", "") in reference)

    glued = split = 0
    for token in set(ours):
        if known(token) or len(token) < 6:
            continue
        cuts = range(2, len(token) - 1)
        if any(token[:i] in reference and token[i:] in reference and token[:i] not in broken for i in cuts):
            glued += 1
    for a, b in zip(ours, ours[1:], strict=False):
        joined = a + b
        if known(joined) and (not known(a) or not known(b)) and len(joined) >= 5:
            split += 1
    return glued, split


def reading_order(ours: list[str], reference: list[str], n: int = 4) -> float | None:
    """Share of our word 4-grams that pdftotext also reads in that order: columns that interleave
    line by line break nearly every 4-gram across a line end, a wrong column order only a few."""
    grams = [tuple(ours[i : i + n]) for i in range(len(ours) - n + 1)]
    if not grams:
        return None
    known = {tuple(reference[i : i + n]) for i in range(len(reference) - n + 1)}
    return sum(g in known for g in grams) / len(grams)


def deliberate(reference: list[str], dropped: list[str], marks: list[tuple[str, str]]) -> Counter[str]:
    """pdftotext's words less those we leave out on purpose: the furniture lines, and the note marks
    (each with the word it followed). pdftotext prints a mark on its own ("1") or glued onto that
    word ("273.879.750" + "1" -> "7501"); in the second case its word is ours without the mark."""
    ref = Counter(reference)
    ref.subtract(Counter(w for line in dropped for w in words(line)))
    for before, mark in marks:
        plain, glued = words(before)[-1:], words(before + mark)[-1:]
        if plain and glued and glued != plain and ref[glued[0]] > 0:
            ref[glued[0]] -= 1
            ref[plain[0]] += 1
        else:
            ref.subtract(Counter(words(mark)))
    return +ref


def score(result: dict[str, Any], found: tuple[list[str], set[str]] | None) -> dict[str, Any]:
    if "error" in result:
        return {"error": result["error"]}
    ours = [w for _, text in result["blocks"] for w in words(text)]
    row: dict[str, Any] = {
        "pages": result["pages"],
        "s_page": result["seconds"] / max(result["pages"], 1),
        "pypdf_s_page": result["pypdf_seconds"] / max(result["pages"], 1),
        "toc_idx": sum(contents_like(p) for p in result["passages"]),
        "passages": len(result["passages"]),
        "bad_headings": suspicious_headings([t for k, t in result["blocks"] if k == "heading"]),
        "labels": sum(label is not None for label in result["labels"]),
    }
    row["ratio"] = row["s_page"] / row["pypdf_s_page"] if row["pypdf_s_page"] else None
    if found and found[0]:
        reference, broken = found
        ref = deliberate(reference, result["dropped"], [tuple(m) for m in result.get("marks", [])])
        have = Counter(ours)
        row["recall"] = sum(min(n, have[w]) for w, n in ref.items()) / max(sum(ref.values()), 1)
        # The same for the passages the splitter makes of the blocks: a slide's short lines must
        # reach the index, not only the extracted text.
        indexed = Counter(w for text in result["indexed"] for w in words(text))
        row["passage_recall"] = sum(min(n, indexed[w]) for w, n in ref.items()) / max(sum(ref.values()), 1)
        row["glued"], row["split"] = glued_and_split(ours, set(reference), broken)
        row["order"] = reading_order(ours, reference)
        row["pypdf_order"] = reading_order(words(result["pypdf_text"]), reference)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--json", type=Path, help="write the per-file figures here")
    parser.add_argument("--compare", type=Path, help="an earlier --json file: print before → after")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per file (best counts)")
    args = parser.parse_args()
    pdftotext = ensure_pdftotext()
    before = json.loads(args.compare.read_text()) if args.compare else {}
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted(args.folder.glob("*.pdf")):
        reference = reference_words(pdftotext, path)
        rows[path.name] = score(measure(path, args.timeout, args.repeat), reference)
        print(format_row(path.name, rows[path.name], before.get(path.name)), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


HEADER = (
    f"{'file':48} {'pages':>5} {'recall':>13} {'p-recall':>13} {'order':>11} {'pypdf':>6} {'toc/idx':>9} "
    f"{'bad-h':>9} {'glued':>9} {'split':>9} {'labels':>7} {'s/page':>7} {'×pypdf':>11}"
)


def _plain(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_row(name: str, row: dict[str, Any], old: dict[str, Any] | None) -> str:
    if "error" in row:
        return f"{name[:48]:48} FAILED: {row['error']}"

    def cell(key: str, fmt: str, width: int) -> str:
        value = row.get(key)
        text = "-" if value is None else format(value, fmt)
        if old and "error" not in old and old.get(key) is not None:
            text = f"{format(old[key], fmt)}→{text}"
        return f"{text:>{width}}"

    return (
        f"{name[:48]:48} {row['pages']:>5} {cell('recall', '.3f', 13)} {cell('passage_recall', '.3f', 13)} "
        f"{cell('order', '.3f', 11)} {_plain(row.get('pypdf_order')):>6} "
        f"{cell('toc_idx', 'd', 9)} "
        f"{cell('bad_headings', 'd', 9)} {cell('glued', 'd', 9)} {cell('split', 'd', 9)} {row['labels']:>7} "
        f"{row['s_page']:>7.3f} {cell('ratio', '.2f', 11)}"
    )


if __name__ == "__main__":
    print(HEADER)
    main()
