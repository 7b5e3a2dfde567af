"""`kb refresh` end to end: fetch from a local server, rebuild only what changed, report as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from api.cli import PUBLICATION_FAILED_EXIT, cli
from index.store import VersionStore
from tests.conftest import kb_env
from tests.httpserver import LocalHTTPServer

PUBS = ("haandbog", "metodehaefte", "godpraksis", "vejledning")


def trimmed(pdf: bytes, tmp: Path) -> bytes:
    """The same publication with its second-to-last page removed: a 'revised edition'."""
    src = tmp / "src.pdf"
    src.write_bytes(pdf)
    reader = PdfReader(src)
    writer = PdfWriter()
    for i, page in enumerate(reader.pages):
        if i != len(reader.pages) - 2:
            writer.add_page(page)
    out = tmp / "out.pdf"
    with open(out, "wb") as fh:
        writer.write(fh)
    return out.read_bytes()


@pytest.fixture
def served(work_settings, tmp_path):  # noqa: ANN001
    """The fixture PDFs on a local server, and a corpus folder whose manifest points at it."""
    originals = {p: (work_settings.corpus_dir / f"{p}.pdf").read_bytes() for p in PUBS}
    with LocalHTTPServer() as server:
        manifest = ""
        for pub in PUBS:
            server.add_file(f"/{pub}.pdf", originals[pub], etag=f'"{pub}-v1"')
            manifest += (f'[[publication]]\nid = "{pub}"\ntitle = "{pub}"\nfile = "{pub}.pdf"\n'
                         f'pdf_url = "{server.url(f"/{pub}.pdf")}"\n\n')
        corpus = work_settings.corpus_dir
        for pub in PUBS:
            (corpus / f"{pub}.pdf").unlink()
        (corpus / "publications.toml").write_text(manifest, encoding="utf-8")
        yield server, kb_env(work_settings, KB_FETCH_ALLOW_PRIVATE="1", KB_FETCH_ALLOW_HTTP_LOCALHOST="1"), originals


def refresh(env: dict[str, str]) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["refresh", "--json"], env=env)
    return result.exit_code, json.loads(result.stdout)


def test_refresh_fetches_builds_and_then_does_nothing(served):
    server, env, _ = served
    code, first = refresh(env)
    assert code == 0, first
    assert {p["id"]: p["status"] for p in first["publications"]} == dict.fromkeys(PUBS, "added")
    assert all(p["fetch"]["status"] == "downloaded" for p in first["publications"])

    code, second = refresh(env)
    assert code == 0
    assert {p["status"] for p in second["publications"]} == {"unchanged"}
    assert second["version"] == first["version"] and second["passages_embedded"] == 0
    assert all(p["fetch"]["status"] == "unchanged" for p in second["publications"])
    assert server.requests_for("/haandbog.pdf")[-1].headers.get("if-none-match") == '"haandbog-v1"'


def test_changed_publication_is_the_only_one_rebuilt(served, tmp_path):
    server, env, originals = served
    _, first = refresh(env)
    server.add_file("/vejledning.pdf", trimmed(originals["vejledning"], tmp_path), etag='"vejledning-v2"')
    code, second = refresh(env)
    assert code == 0, second
    statuses = {p["id"]: p["status"] for p in second["publications"]}
    assert statuses == {"haandbog": "unchanged", "metodehaefte": "unchanged", "godpraksis": "unchanged",
                        "vejledning": "updated"}
    assert second["version"] != first["version"] and second["live"]
    unchanged = [p for p in second["publications"] if p["id"] != "vejledning"]
    assert all(p["passages_embedded"] == 0 and p["passages_reused"] == p["passages"] for p in unchanged)


def test_failed_download_keeps_old_pdf_and_index_and_exits_nonzero(served):
    server, env, _ = served
    _, first = refresh(env)
    corpus = Path(env["KB_CORPUS_DIR"])
    before = (corpus / "godpraksis.pdf").read_bytes()
    server.add_status("/godpraksis.pdf", 500)
    code, report = refresh(env)
    assert code == PUBLICATION_FAILED_EXIT and not report["ok"]  # not 2, a mistyped cron line's code
    failed = next(p for p in report["publications"] if p["id"] == "godpraksis")
    assert failed["status"] == "failed" and "500" in failed["error"]
    assert (corpus / "godpraksis.pdf").read_bytes() == before
    assert VersionStore(Path(env["KB_DATA_DIR"])).live_id() == first["version"]


def test_truncated_download_is_refused(served):
    server, env, originals = served
    refresh(env)
    corpus = Path(env["KB_CORPUS_DIR"])
    before = (corpus / "haandbog.pdf").read_bytes()
    server.add_truncated("/haandbog.pdf", originals["haandbog"][:1000], declared=len(originals["haandbog"]) + 1)
    code, report = refresh(env)
    assert code != 0
    assert (corpus / "haandbog.pdf").read_bytes() == before
    assert not list(corpus.glob("*.part"))


def test_failed_download_is_reported_once_and_says_what_is_kept(served):
    """The operator's nightly log: a 404 from SIRI is one line that says the old edition still serves,
    not the same sentence twice (once as the fetch's, once as the build's error)."""
    server, env, _ = served
    refresh(env)
    server.add_status("/godpraksis.pdf", 404)
    result = CliRunner().invoke(cli, ["refresh"], env=env)
    assert result.exit_code == PUBLICATION_FAILED_EXIT
    lines = [line for line in result.stdout.splitlines() if "HTTP 404" in line]
    fetched = CliRunner().invoke(cli, ["fetch"], env=env)  # the download alone says the same
    assert fetched.exit_code == PUBLICATION_FAILED_EXIT and "HTTP 404" in fetched.stdout
    assert len(lines) == 1, result.stdout
    assert "den tidligere PDF og dens passager er bevaret" in lines[0]
