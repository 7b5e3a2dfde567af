"""The `kb` command line, in-process with click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from tests.conftest import QUESTIONS, kb_env


@pytest.fixture
def run(built_settings):  # noqa: ANN001
    runner = CliRunner()

    def invoke(*args: str, settings=None):  # noqa: ANN001, ANN202
        return runner.invoke(cli, list(args), env=kb_env(settings or built_settings), catch_exceptions=False)

    return invoke


def test_ask_prints_danish_citations(run):
    result = run("ask", "hvad gør jeg hvis en elev siger hun skal giftes mod sin vilje")
    assert result.exit_code == 0, result.output
    assert "PDF-side" in result.output
    assert "/corpus/" in result.output and "#page=" in result.output


def test_ask_prints_the_sentence_after_a_quoted_list_on_its_own_line(run, monkeypatch: pytest.MonkeyPatch):
    # textwrap.fill joined it to the list's last item: "… høj risiko Er der tvivl, skal der ikke mægles."
    from dataclasses import replace

    from index.answer import AnswerSentence
    from index.search import SearchIndex

    real_ask = SearchIndex.ask

    def ask_with_a_list(self, question, k=5, *, publication=None):  # type: ignore[no-untyped-def]
        answer = real_ask(self, question, k, publication=publication)
        return replace(answer, confident=True, sentences=[AnswerSentence(
            "Der må ikke mægles, når: • der er udøvet vold • risikoen er høj\nEr der tvivl, skal der ikke mægles.",
            answer.hits[0].passage.id)])

    monkeypatch.setattr(SearchIndex, "ask", ask_with_a_list)
    result = run("ask", "hvornår må der ikke mægles")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  Der må ikke mægles, når: • der er udøvet vold • risikoen er høj" in lines
    assert "  Er der tvivl, skal der ikke mægles. [1]" in lines


def test_ask_json_matches_the_design_shape(run):
    result = run("ask", "underretning til kommunen", "--k", "3", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {"question", "confident", "answer", "passages"}
    assert len(data["passages"]) == 3
    passage = data["passages"][0]
    assert set(passage) == {"id", "publication_id", "publication_title", "page_start", "page_end", "page_label",
                            "section", "text", "url", "permalink", "score"}
    assert passage["url"].endswith(f"#page={passage['page_start']}")
    for sentence in data["answer"]:
        assert sentence["passage_id"] in {p["id"] for p in data["passages"]}


def test_every_answer_sentence_cites_a_returned_passage_even_for_k_1(run):
    data = json.loads(run("ask", "hvad er en genopdragelsesrejse", "--k", "1", "--json").stdout)
    assert len(data["passages"]) == 1
    assert all(s["passage_id"] == data["passages"][0]["id"] for s in data["answer"])


def test_invalid_setting_is_one_clear_line(work_settings):
    result = CliRunner().invoke(cli, ["status"], env=kb_env(work_settings) | {"KB_KEEP_VERSIONS": "0"})
    assert result.exit_code == 1
    assert "KB_KEEP_VERSIONS" in result.output and "Traceback" not in result.output


def test_unrelated_question_is_not_answered_confidently(run):
    result = run("ask", "hvordan søger jeg parkeringstilladelse", "--json")
    data = json.loads(result.stdout)
    assert data["confident"] is False and data["answer"] == []
    human = run("ask", "hvordan søger jeg parkeringstilladelse")
    assert "ikke fundet et sikkert svar" in human.output


@pytest.mark.parametrize("question", ["", "   ", "x" * 501])
def test_bad_questions_give_a_clear_error(run, question):
    result = CliRunner().invoke(cli, ["ask", question])
    assert result.exit_code == 1
    assert "Fejl:" in result.output and "Traceback" not in result.output


def test_eval_json_reports_summary_and_ranked_results(run):
    result = run("eval", str(QUESTIONS), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"all", "answers"} <= set(data["summary"])
    assert {"right", "confidently_wrong", "declined", "unanswerable_declined"} <= set(data["summary"]["answers"])
    assert all({"id", "confident", "answer", "results"} <= set(q) for q in data["questions"])
    confident = [q for q in data["questions"] if q["confident"]]
    assert confident and all(q["answer"] and {"text", "passage_id"} <= set(q["answer"][0]) for q in confident)
    assert all(len(q["results"]) == 10 for q in data["questions"])
    # A shown answer is a right draft; the rule's ceiling counts the withheld ones too.
    answers = data["summary"]["answers"]
    assert all(q["draft_right"] for q in data["questions"] if q["answer_right"])
    assert answers["drafts_right"] == sum(bool(q["draft_right"]) for q in data["questions"])
    assert answers["drafts_right"] == answers["right"] + answers["declined_draft_right"]


def test_eval_human_table(run):
    result = run("eval", str(QUESTIONS))
    assert "R@5" in result.output and "paraphrase" in result.output
    assert "med et rigtigt udkast" in result.output


def test_status_shows_live_version_and_publications(run):
    result = run("status")
    assert result.exit_code == 0
    assert "Live version:" in result.output and "haandbog" in result.output
    data = json.loads(run("status", "--json").stdout)
    assert data["live"]["passage_count"] > 0


def test_missing_model_is_one_clear_message(work_settings, tmp_path):
    env = kb_env(work_settings) | {"KB_EMBEDDING_MODEL": "nobody/no-such-model-here", "HF_HUB_OFFLINE": "1"}
    result = CliRunner().invoke(cli, ["ingest"], env=env)
    assert result.exit_code == 1
    assert "nobody/no-such-model-here" in result.output and "KB_EMBEDDING_MODEL" in result.output
    assert "Traceback" not in result.output


def test_ask_without_index_says_run_ingest(work_settings):
    result = CliRunner().invoke(cli, ["ask", "hvad er negativ social kontrol"], env=kb_env(work_settings))
    assert result.exit_code == 1 and "kb ingest" in result.output


def test_ingest_rollback_cycle(work_settings):
    runner = CliRunner()
    env = kb_env(work_settings)
    first = runner.invoke(cli, ["ingest", "--json"], env=env)
    assert first.exit_code == 0, first.output
    v1 = json.loads(first.stdout)["version"]
    second = json.loads(runner.invoke(cli, ["ingest", "--rebuild", "--json"], env=env).stdout)
    assert second["version"] != v1 and second["passages_embedded"] == 0  # all from the cache
    rolled = runner.invoke(cli, ["rollback"], env=env)
    assert v1 in rolled.output
    assert json.loads(runner.invoke(cli, ["status", "--json"], env=env).stdout)["live"]["version"] == v1


def test_ingest_with_hostile_pdfs_fails_them_alone_and_says_so(work_settings):
    """A decompression bomb and a CID font without ToUnicode beside two good PDFs (issue 8, 1 and 9)."""
    from index.store import VersionStore
    from tests.fixtures.hostile import cid_font_pdf, zlib_bomb_pdf

    zlib_bomb_pdf(work_settings.corpus_dir / "metodehaefte.pdf")
    cid_font_pdf(work_settings.corpus_dir / "godpraksis.pdf")
    env = kb_env(work_settings)
    result = CliRunner().invoke(cli, ["ingest", "--json"], env=env)
    assert result.exit_code == 4 and "Traceback" not in result.output
    report = json.loads(result.stdout)
    failed = {p["id"]: p["error"] for p in report["publications"] if p["status"] == "failed"}
    assert set(failed) == {"metodehaefte", "godpraksis"}
    assert "metodehaefte.pdf" in failed["metodehaefte"]
    assert "godpraksis.pdf" in failed["godpraksis"] and "ToUnicode" in failed["godpraksis"]
    assert report["live"] and not report["ok"]
    store = VersionStore(work_settings.data_dir)
    live = {p.id: p for p in store.manifest(store.live_id()).publications}
    assert live["haandbog"].passages > 0 and live["vejledning"].passages > 0
    assert live["godpraksis"].passages == 0 and live["godpraksis"].status == "failed"

    human = CliRunner().invoke(cli, ["ingest"], env=env)  # the same, for a person reading the terminal
    assert human.exit_code == 4
    assert "FEJL: godpraksis.pdf: teksten kan ikke læses som sprog" in human.output


def _server_paths(settings) -> tuple[str, ...]:  # noqa: ANN001
    """Where the corpus and the data dir lie on the machine, as a report might spell them."""
    folders = (settings.corpus_dir, settings.data_dir)
    return tuple({str(f) for f in folders} | {str(Path(f).resolve()) for f in folders})


def test_reports_name_corpus_files_by_name_not_where_they_lie(work_settings):
    """`kb ingest` and `kb status` said "PDF-filen /srv/kb/corpus/haandbog.pdf findes ikke" and
    "Filen /srv/kb/corpus/metodehaefte.pdf er en HTML-side": a report names a corpus file as it lies
    in the corpus folder, and `kb status` names the data dir once."""
    from tests.fixtures.pdfkit import write_corrupt_pdf, write_garbage_pdf

    corpus = work_settings.corpus_dir
    env = kb_env(work_settings)
    assert CliRunner().invoke(cli, ["ingest"], env=env).exit_code == 0  # a live version to keep passages from
    (corpus / "haandbog.pdf").unlink()
    write_garbage_pdf(corpus / "metodehaefte.pdf")
    write_corrupt_pdf(corpus / "vejledning.pdf", corpus / "godpraksis.pdf", keep=0.3)
    as_json = CliRunner().invoke(cli, ["ingest", "--json"], env=env)
    human = CliRunner().invoke(cli, ["ingest", "--rebuild"], env=env)
    status = CliRunner().invoke(cli, ["status"], env=env)
    status_json = CliRunner().invoke(cli, ["status", "--json"], env=env)
    errors = {p["id"]: p["error"] for p in json.loads(as_json.stdout)["publications"]}
    assert "haandbog.pdf findes ikke i korpusmappen" in errors["haandbog"]
    assert errors["metodehaefte"].startswith("Filen metodehaefte.pdf er en HTML-side")
    assert errors["vejledning"].startswith("PDF-filen vejledning.pdf er afkortet")
    for output in (as_json.stdout, human.stdout, status.stdout, status_json.stdout):
        assert "metodehaefte.pdf er en HTML-side" in output
    for output in (as_json.stdout, human.stdout):
        assert not [p for p in _server_paths(work_settings) if p in output], output
    data_dir = str(Path(work_settings.data_dir).resolve())
    for output in (status.stdout, status_json.stdout):
        assert str(corpus) not in output and str(corpus.resolve()) not in output, output
        assert output.count(data_dir) == 1, output


def test_rollback_to_a_damaged_version_is_refused_and_the_live_one_stays(work_settings):
    """The operator's report: a truncated vectors.faiss in the previous version was made live."""
    from index.store import VersionStore

    runner = CliRunner()
    env = kb_env(work_settings)
    v1 = json.loads(runner.invoke(cli, ["ingest", "--json"], env=env).stdout)["version"]
    v2 = json.loads(runner.invoke(cli, ["ingest", "--rebuild", "--json"], env=env).stdout)["version"]
    store = VersionStore(work_settings.data_dir)
    with open(store.path(v1) / "vectors.faiss", "r+b") as fh:
        fh.truncate(1000)
    rolled = runner.invoke(cli, ["rollback"], env=env)
    assert rolled.exit_code == 1 and "Traceback" not in rolled.output
    assert "er nu live" not in rolled.output
    assert f"Fejl: Version {v1} kan ikke indlæses" in rolled.output and f"{v2} er stadig live" in rolled.output
    pointer = store.pointer()
    assert pointer is not None and (pointer.version, pointer.previous) == (v2, (v1,))
    assert json.loads(runner.invoke(cli, ["status", "--json"], env=env).stdout)["live"]["version"] == v2


def test_status_marks_which_versions_are_live_previous_or_refused(work_settings):
    from tests.test_build import keep_pages

    runner = CliRunner()
    env = kb_env(work_settings)
    v1 = json.loads(runner.invoke(cli, ["ingest", "--json"], env=env).stdout)["version"]
    v2 = json.loads(runner.invoke(cli, ["ingest", "--rebuild", "--json"], env=env).stdout)["version"]
    keep_pages(work_settings.corpus_dir / "haandbog.pdf", [0, 1, 2])
    refused = runner.invoke(cli, ["ingest", "--json"], env=env)
    assert refused.exit_code == 4
    v3 = json.loads(refused.stdout)["version"]
    status = runner.invoke(cli, ["status"], env=env)
    assert status.exit_code == 0
    assert f"{v2} (live)" in status.output
    assert f"{v1} (forrige; `kb rollback` gør den live)" in status.output
    assert f"{v3} (ikke live)" in status.output
    data = json.loads(runner.invoke(cli, ["status", "--json"], env=env).stdout)
    assert data["not_live"] == [v3] and data["previous"] == [v1]


def test_rollback_to_a_named_version_and_a_clear_error_for_one_it_cannot(work_settings):
    from index.store import VersionStore
    from tests.test_store import make

    store = VersionStore(work_settings.data_dir)
    for v in ("v1", "v2", "v3"):
        make(store, v)
        store.set_live(v)
    runner = CliRunner()
    env = kb_env(work_settings)
    status = runner.invoke(cli, ["status"], env=env)
    assert "v1 (tidligere; `kb rollback --to` gør den live)" in status.output

    unknown = runner.invoke(cli, ["rollback", "--to", "v9"], env=env)
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    assert "Fejl: Version v9 findes ikke. Versioner, der kan rulles tilbage til: v2, v1." in unknown.output
    assert store.pointer().version == "v3"

    rolled = runner.invoke(cli, ["rollback", "--to", "v1"], env=env)
    assert rolled.exit_code == 0, rolled.output
    assert rolled.output == "Version v1 er nu live.\n"
    data = json.loads(runner.invoke(cli, ["status", "--json"], env=env).stdout)
    assert data["live"]["version"] == "v1" and data["previous"] == ["v2", "v3"]


def test_cli_log_lines_name_their_process_without_importing_the_server(tmp_path):
    """`kb serve` shares the CLI's log format (its first process logs with it); other commands
    must not pay for importing uvicorn to get it."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import logging, sys\n"
            "from api.cli import cli\n"
            "try:\n    cli(['status'])\nexcept SystemExit:\n    pass\n"
            "logging.getLogger('kb.test').warning('a line')\n"
            "print('uvicorn' in sys.modules)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], env={"PATH": "/usr/bin:/bin", "KB_DATA_DIR": str(tmp_path)},
                            cwd=Path(__file__).parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = proc.communicate(timeout=120)
    assert f"WARNING [pid {proc.pid}] kb.test: a line" in err, err
    assert out.strip().endswith("False"), out


# -- file-system errors: one Danish line naming the path, never a traceback -------------------------
def _no_traceback(result) -> None:  # noqa: ANN001
    assert result.exit_code == 1, result.output
    assert "Fejl:" in result.output and "Traceback" not in result.output


def test_data_dir_that_is_a_file_is_one_clear_message(work_settings, tmp_path):
    a_file = tmp_path / "ikke-en-mappe"
    a_file.write_text("x")
    env = kb_env(work_settings) | {"KB_DATA_DIR": str(a_file)}
    result = CliRunner().invoke(cli, ["rollback"], env=env, catch_exceptions=False)
    _no_traceback(result)
    assert str(a_file) in result.output and "KB_DATA_DIR" in result.output


def test_serve_on_a_data_dir_that_is_a_file_is_one_clear_message(work_settings, tmp_path, monkeypatch):
    # It stops while the app is made, before any port is opened; never a traceback.
    import api.server

    monkeypatch.setattr(api.server, "serve", lambda *a, **kw: pytest.fail("the server must not start"))
    a_file = tmp_path / "ikke-en-mappe"
    a_file.write_text("x")
    env = kb_env(work_settings) | {"KB_DATA_DIR": str(a_file)}
    result = CliRunner().invoke(cli, ["serve", "--port", "0"], env=env, catch_exceptions=False)
    _no_traceback(result)
    assert str(a_file) in result.output and "KB_DATA_DIR" in result.output


def test_data_dir_under_a_file_is_one_clear_message(work_settings, tmp_path):
    # Writes are refused here even for root, unlike a chmod'ed folder.
    a_file = tmp_path / "fil"
    a_file.write_text("x")
    env = kb_env(work_settings) | {"KB_DATA_DIR": str(a_file / "data")}
    result = CliRunner().invoke(cli, ["ingest"], env=env, catch_exceptions=False)
    _no_traceback(result)
    assert str(a_file) in result.output


@pytest.mark.parametrize(("error", "words"), [
    (OSError(30, "Read-only file system"), "skrivebeskyttet"),
    (PermissionError(13, "Permission denied"), "adgang"),
    (OSError(28, "No space left on device"), "plads"),
])
def test_os_errors_name_the_path_and_what_to_do(work_settings, monkeypatch, error, words):
    from index.store import VersionStore

    path = str(work_settings.data_dir / "live.json")
    error.filename = path

    def fail(self, to=None):  # noqa: ANN001, ANN202
        raise error

    monkeypatch.setattr(VersionStore, "rollback", fail)
    result = CliRunner().invoke(cli, ["rollback"], env=kb_env(work_settings), catch_exceptions=False)
    _no_traceback(result)
    assert path in result.output and words in result.output


def test_a_full_disk_under_sqlite_is_one_clear_message(work_settings, monkeypatch, tmp_path):
    import sqlite3

    from api.feedback import FeedbackStore

    def full(self):  # noqa: ANN001, ANN202
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(FeedbackStore, "questions", full)
    result = CliRunner().invoke(cli, ["feedback", "export", str(tmp_path / "f.jsonl")], env=kb_env(work_settings),
                                catch_exceptions=False)
    _no_traceback(result)
    assert "plads" in result.output and str(work_settings.data_dir) in result.output


def test_feedback_export_to_a_missing_folder_is_one_clear_message(work_settings, tmp_path):
    target = tmp_path / "findes-ikke" / "f.jsonl"
    result = CliRunner().invoke(cli, ["feedback", "export", str(target)], env=kb_env(work_settings),
                                catch_exceptions=False)
    _no_traceback(result)
    assert str(target) in result.output and "findes ikke" in result.output


def test_status_without_a_live_index_exits_non_zero_for_monitoring(work_settings):
    result = CliRunner().invoke(cli, ["status"], env=kb_env(work_settings), catch_exceptions=False)
    assert result.exit_code == 3 and "kb ingest" in result.output
    as_json = CliRunner().invoke(cli, ["status", "--json"], env=kb_env(work_settings), catch_exceptions=False)
    assert as_json.exit_code == 3 and json.loads(as_json.stdout)["live"] is None
    assert "3" in CliRunner().invoke(cli, ["status", "--help"]).output


def test_eval_of_an_empty_file_is_an_error(run, tmp_path):
    empty = tmp_path / "tom.jsonl"
    empty.write_text("", encoding="utf-8")
    result = run("eval", str(empty))
    assert result.exit_code == 1 and "ingen spørgsmål" in result.output and "R@5" not in result.output


def test_eval_names_an_unknown_publication_instead_of_scoring_a_miss(run, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "x1", "question": "hvad er negativ social kontrol",
                                     "publication": "findes-ikke", "pages": [1]}) + "\n", encoding="utf-8")
    result = run("eval", str(questions))
    assert result.exit_code == 1 and "findes-ikke" in result.output and "x1" in result.output


# -- click's own words ----------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "danish"), [
    (["--help"], "--help         Vis denne hjælp og afslut."),
    (["serve", "--help"], "[standard: 8000]"),
    (["nosuch"], "Fejl: Kommandoen 'nosuch' findes ikke."),
    (["ask"], "Fejl: Der mangler argumentet 'QUESTION'."),
    (["ask", "--k", "abc", "hvad er en bekymring"], "Fejl: Ugyldig værdi for '--k': 'abc' er ikke et gyldigt tal."),
    (["eval", "findes-ikke.jsonl"], "Fejl: Ugyldig værdi for 'FILE': Fil 'findes-ikke.jsonl' findes ikke."),
    (["eval", "--retriever", "bm25", "x.jsonl"], "er ikke en af 'hybrid', 'lexical', 'dense'."),
    (["status", "--ingen-saadan"], "Fejl: Valget '--ingen-saadan' findes ikke."),
])
def test_help_and_usage_errors_are_danish(args: list[str], danish: str) -> None:
    """`kb --help` said "Show this message and exit.", a mistyped command "Error: No such command":
    an operator reads Danish everywhere else, so click's own words are Danish too."""
    result = CliRunner().invoke(cli, args)
    assert danish in result.output, result.output
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "Error:", "Try '", "No such",
                    "Missing argument", "is not a valid", "does not exist", "default:"):
        assert english not in result.output, (english, result.output)
    assert result.exit_code == (0 if "--help" in args else 2)


@pytest.mark.parametrize("command", ["ingest", "refresh", "fetch"])
def test_the_commands_for_cron_say_what_their_exit_codes_mean(command: str) -> None:
    """`kb status --help` listed its exit codes; the commands a cron line or a systemd timer runs,
    whose code the operator's monitoring reads, did not."""
    text = CliRunner().invoke(cli, [command, "--help"]).output
    assert "Afslutningskode" in text
    for code in ("0", "1", "2", "4"):
        assert f"\n    {code}  " in text, text


@pytest.mark.parametrize("command", ["ingest", "refresh", "fetch"])
def test_a_mistyped_cron_line_is_not_read_as_a_failed_publication(command: str) -> None:
    """Both exited 2: a monitoring check could not tell a broken crontab (nothing ran) from a
    publication that failed while the rest was built and made live."""
    mistyped = CliRunner().invoke(cli, [command, "--josn"])
    assert mistyped.exit_code == 2 and "--josn" in mistyped.output
    # a failed publication exits 4 (tests/test_refresh.py, test_cli's hostile-PDF ingest); --help says so
    assert "\n    4  " in CliRunner().invoke(cli, [command, "--help"]).output


def test_serve_options_say_what_they_are() -> None:
    text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "Adressen, der lyttes på" in text and "Porten, der lyttes på" in text


def test_a_long_publication_id_keeps_the_report_in_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """`kb refresh` printed "metodehaefte-2020 failed" one column off the rest, its error lines under
    the status column of the others."""
    from api.cli import _print_build

    def entry(pub_id: str, status: str, error: str | None = None) -> dict[str, object]:
        return {"id": pub_id, "status": status, "passages": 0, "passages_embedded": 0, "passages_reused": 0,
                "error": error, "kept_previous": False, "fetch": None}

    report = {"publications": [entry("haandbog", "unchanged"), entry("metodehaefte-2020", "failed", "mangler")],
              "passages": 0, "passages_embedded": 0, "passages_reused": 0, "version": "v1", "live": True}
    _print_build(report, as_json=False)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines[0].index("unchanged") == lines[1].index("failed")
    assert lines[2].index("FEJL") == lines[0].index("unchanged")
