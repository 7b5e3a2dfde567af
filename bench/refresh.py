"""Cost of a refresh: a full cold build against a one-publication change and an unchanged run.

    .venv/bin/python bench/refresh.py [--model PATH]

Prints wall time and passages embedded/reused for: the first build (empty cache), a refresh
with nothing changed, a refresh after one word changed on one page of one publication, and one
after that publication lost a page. Then the price of extracting each PDF in its own child process
(ingest/isolate.py, the default) against extracting in the build's own process: `--rebuild` with
every embedding cached, so the difference is extraction and process start-up, alternated per round.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import default_models, fixture_corpus
from pypdf import PdfReader, PdfWriter

from api.wiring import make_builder
from index.build import Builder
from index.embed import Embedder
from ingest.extract import EXTRACTOR_VERSION, Extractor
from ingest.isolate import IsolatedExtractor, Limits
from ingest.manifest import load_manifest
from ingest.settings import Settings


def edit_page(path: Path, page_index: int, old: bytes, new: bytes) -> None:
    """A "corrected reprint": one word changed on one page, every other page byte-identical."""
    writer = PdfWriter(clone_from=PdfReader(path))
    page = writer.pages[page_index]
    contents = page.get_contents()
    assert contents is not None and old in contents.get_data()
    contents.set_data(contents.get_data().replace(old, new))
    page.replace_contents(contents)
    with open(path, "wb") as fh:
        writer.write(fh)


def drop_page(path: Path) -> None:
    reader = PdfReader(path)
    writer = PdfWriter()
    for i, page in enumerate(reader.pages):
        if i != len(reader.pages) - 2:
            writer.add_page(page)
    with open(path, "wb") as fh:
        writer.write(fh)


def run(label: str, settings: Settings, embedder: Embedder) -> None:
    pubs = load_manifest(settings.manifest_path)
    t0 = time.perf_counter()
    report = make_builder(settings, embedder=embedder, progress=False).build(pubs)
    print(f"  {label:<28} {time.perf_counter() - t0:6.2f} s  embedded {report.passages_embedded:>4}  "
          f"reused {report.passages_reused:>4}  version {report.version} live={report.live}")


def isolation(settings: Settings, embedder: Embedder, rounds: int = 3) -> None:
    pubs = load_manifest(settings.manifest_path)
    isolated = make_builder(settings, embedder=embedder, progress=False)

    def variant(extract: object) -> Builder:
        return Builder(isolated.store, settings.corpus_dir, settings.embedding_model, embedder=embedder,
                       extract=extract, extractor_version=EXTRACTOR_VERSION, progress=False,  # type: ignore[arg-type]
                       keep_versions=settings.keep_versions)

    # The default child runs at nice 10: on a busy machine it yields to everything else, which is
    # the point (searches first) but shows as build time; nice 0 separates the start-up cost.
    variants = {"in-process": variant(Extractor()), "child, nice 0": variant(IsolatedExtractor(Extractor(),
                Limits(niceness=0))), "child (default)": isolated}
    results: dict[str, list[tuple[float, float]]] = {label: [] for label in variants}
    for _ in range(rounds):
        for label, builder in variants.items():
            t0 = time.perf_counter()
            report = builder.build(pubs, rebuild=True, force=True)
            results[label].append((report.timings["extract"], time.perf_counter() - t0))
    for label, runs in results.items():
        extract = sorted(r[0] for r in runs)[len(runs) // 2]
        total = sorted(r[1] for r in runs)[len(runs) // 2]
        print(f"  rebuild, extraction {label:<14} extract {extract:6.2f} s  whole build {total:6.2f} s  "
              f"(median of {rounds})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    parser.add_argument("--isolation-only", action="store_true", help="only the extraction process comparison")
    args = parser.parse_args()
    for label, model in ([("given", args.model)] if args.model else default_models()):
        corpus = fixture_corpus()
        settings = Settings(corpus_dir=corpus, data_dir=Path(tempfile.mkdtemp(prefix="kb-bench-refresh-")),
                            embedding_model=model)
        embedder = Embedder(model)
        print(f"== {label} ==")
        if args.isolation_only:
            run("build", settings, embedder)
            isolation(settings, embedder)
            continue
        run("full build (cold cache)", settings, embedder)
        run("refresh, nothing changed", settings, embedder)
        edit_page(corpus / "vejledning.pdf", 2, b"kommune", b"Kommune")
        run("refresh, one page reworded", settings, embedder)
        drop_page(corpus / "vejledning.pdf")
        run("refresh, one page removed", settings, embedder)
        isolation(settings, embedder)


if __name__ == "__main__":
    main()
