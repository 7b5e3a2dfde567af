"""Admin API: token check on the whole router, reload, background refresh, one refresh at a time."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.deps import get_refresh_jobs
from api.errors import Conflict
from api.jobs import KEEP_JOBS, RefreshJobs
from index.store import VersionStore

# Before the import: the shared helpers assert, and pytest should explain their failures.
pytest.register_assert_rewrite("tests.api_support")
from tests.api_support import assert_error, copy_data_dir, make_app, with_settings  # noqa: E402

# The app fixtures (client, make_client, bare_client, api_app) live in tests/api_support.py.
pytest_plugins = ["tests.api_support"]

TOKEN = "s3cret-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ADMIN_CALLS = (("POST", "/api/admin/reload"), ("POST", "/api/admin/refresh"), ("GET", "/api/admin/refresh/abc"))


@pytest.fixture
def admin(make_client) -> TestClient:
    return make_client(admin_token=TOKEN)


class SlowRefresh:
    """A refresh that runs until the test releases it (deterministic 409s and 'running' states)."""

    def __init__(self, report: dict[str, Any] | None = None, error: Exception | None = None) -> None:
        self.release = threading.Event()
        self.report = report if report is not None else {"ok": True, "version": "v-test"}
        self.error = error
        self.calls = 0

    def __call__(self, on_progress: Any = None) -> dict[str, Any]:
        self.calls += 1
        if on_progress:
            on_progress({"phase": "fetch"})
        self.release.wait(30)
        if self.error:
            raise self.error
        return self.report


def with_jobs(test_client: TestClient, jobs: RefreshJobs) -> RefreshJobs:
    test_client.app.dependency_overrides[get_refresh_jobs] = lambda: jobs  # type: ignore[attr-defined]
    return jobs


def poll(test_client: TestClient, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = test_client.get(f"/api/admin/refresh/{job_id}", headers=AUTH).json()
        if job["state"] != "running" or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


# -- the token ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path"), ADMIN_CALLS)
def test_admin_is_off_without_a_configured_token(make_client, method: str, path: str) -> None:
    test_client = make_client()
    assert_error(test_client.request(method, path), 404)
    assert_error(test_client.request(method, path, headers=AUTH), 404)


def test_the_schema_lists_the_admin_routes_only_when_they_exist(make_client, admin: TestClient) -> None:  # type: ignore[no-untyped-def]
    # Off, they answer 404 to everyone: a schema that listed them (with their 401) misled clients
    # and failed schemathesis's "missing required header accepted" check on all three.
    assert not [path for path in make_client().get("/openapi.json").json()["paths"] if path.startswith("/api/admin")]
    listed = admin.get("/openapi.json").json()["paths"]
    assert {"/api/admin/reload", "/api/admin/refresh", "/api/admin/feedback"} <= set(listed)


@pytest.mark.parametrize("prefix", ["", "/vidensbase"])
def test_admin_answers_are_never_cached(make_client, prefix: str) -> None:  # type: ignore[no-untyped-def]
    # The stored feedback holds caseworkers' questions; behind KB_PUBLIC_URL's path the request's
    # path still holds the prefix (a review found that it was then cached).
    test_client = make_client(admin_token=TOKEN, public_url="https://intranet.example.dk/vidensbase")
    response = test_client.get(f"{prefix}/api/admin/feedback", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("method", "path"), ADMIN_CALLS)
def test_admin_needs_a_token(admin: TestClient, method: str, path: str) -> None:
    response = admin.request(method, path)
    assert_error(response, 401, contains="Bearer")
    assert response.headers["www-authenticate"] == "Bearer"
    assert_error(admin.request(method, path, headers={"Authorization": f"Basic {TOKEN}"}), 401)


@pytest.mark.parametrize(("method", "path"), ADMIN_CALLS)
def test_admin_refuses_a_wrong_token(admin: TestClient, method: str, path: str) -> None:
    for wrong in ("nope", TOKEN[:-1], TOKEN + "x", TOKEN.upper()):
        assert_error(admin.request(method, path, headers={"Authorization": f"Bearer {wrong}"}), 403)


def test_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from ingest.settings import Settings

    monkeypatch.setenv("KB_ADMIN_TOKEN", TOKEN)
    settings = Settings(data_dir=tmp_path)
    assert settings.admin_token is not None and settings.admin_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)


# -- reload ---------------------------------------------------------------------------------------
def test_reload_without_a_new_version(admin: TestClient) -> None:
    version = admin.get("/readyz").json()["version"]
    response = admin.post("/api/admin/reload", headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {"version": version, "swapped": False}


def test_reload_swaps_to_the_new_live_version(tmp_path: Path, built_settings, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = with_settings(copy_data_dir(built_settings, tmp_path / "data"), admin_token=TOKEN,
                             reload_interval=3600)  # no watcher swap during the test
    store = VersionStore(settings.data_dir)
    old = store.live_id()
    with TestClient(make_app(settings, embedder)) as test_client:
        # A "new version": a copy of the live one under a new id, made live as `kb ingest` would.
        new = "29990101T000000-bbbbbb"
        shutil.copytree(store.path(old), store.path(new))
        manifest = json.loads((store.path(new) / "manifest.json").read_text(encoding="utf-8"))
        (store.path(new) / "manifest.json").write_text(json.dumps({**manifest, "version": new}), encoding="utf-8")
        store.set_live(new)
        assert test_client.get("/readyz").json()["version"] == old  # requests never reload
        response = test_client.post("/api/admin/reload", headers=AUTH)
        assert response.json() == {"version": new, "swapped": True}
        assert test_client.get("/readyz").json()["version"] == new
        assert test_client.get("/api/search", params={"q": "familie", "k": 1}).status_code == 200


# -- refresh --------------------------------------------------------------------------------------
def test_refresh_runs_in_the_background(admin: TestClient) -> None:
    refresh = SlowRefresh()
    reloads: list[int] = []
    jobs = with_jobs(admin, RefreshJobs(refresh, on_done=lambda: reloads.append(1)))
    response = admin.post("/api/admin/refresh", headers=AUTH)
    assert response.status_code == 202
    job_id = response.json()["id"]
    running = admin.get(f"/api/admin/refresh/{job_id}", headers=AUTH).json()
    assert running["state"] == "running" and running["report"] is None
    assert running["progress"] == {"phase": "fetch"}
    refresh.release.set()
    jobs.join(10)
    done = admin.get(f"/api/admin/refresh/{job_id}", headers=AUTH).json()
    assert done["state"] == "done"
    assert done["report"] == {"ok": True, "version": "v-test"}
    assert done["finished"]
    assert reloads == [1]  # the live index is reloaded after every refresh


def test_only_one_refresh_at_a_time(admin: TestClient) -> None:
    refresh = SlowRefresh()
    jobs = with_jobs(admin, RefreshJobs(refresh))
    first = admin.post("/api/admin/refresh", headers=AUTH)
    assert first.status_code == 202
    assert_error(admin.post("/api/admin/refresh", headers=AUTH), 409, contains="kører allerede")
    refresh.release.set()
    jobs.join(10)
    second = admin.post("/api/admin/refresh", headers=AUTH)  # free again once the first is done
    assert second.status_code == 202
    jobs.join(10)
    assert refresh.calls == 2


@pytest.mark.parametrize(("refresh", "error"), [
    (SlowRefresh(error=RuntimeError("netværket er nede")), "netværket er nede"),
    (SlowRefresh(report={"ok": False, "error": "haandbog kunne ikke hentes"}), "haandbog kunne ikke hentes"),
])
def test_failed_refresh_is_reported(admin: TestClient, refresh: SlowRefresh, error: str) -> None:
    refresh.release.set()
    jobs = with_jobs(admin, RefreshJobs(refresh))
    job_id = admin.post("/api/admin/refresh", headers=AUTH).json()["id"]
    jobs.join(10)
    job = admin.get(f"/api/admin/refresh/{job_id}", headers=AUTH).json()
    assert job["state"] == "failed"
    assert job["report"]["error"] == error


def test_unknown_refresh_id_is_404(admin: TestClient) -> None:
    assert_error(admin.get("/api/admin/refresh/0000", headers=AUTH), 404, contains="ingen opdatering")


@pytest.mark.slow
def test_real_refresh_builds_and_goes_live(work_settings, embedder) -> None:  # type: ignore[no-untyped-def]
    """End to end: an empty data dir, `POST /refresh` (fetch skips local PDFs, then a build), live."""
    settings = with_settings(work_settings, admin_token=TOKEN, reload_interval=3600)
    with TestClient(make_app(settings, embedder)) as test_client:
        assert_error(test_client.get("/readyz"), 503)
        job_id = test_client.post("/api/admin/refresh", headers=AUTH).json()["id"]
        job = poll(test_client, job_id, timeout=600)
        assert job["state"] == "done", job
        assert job["report"]["live"] is True
        assert job["progress"]["phase"] == "validate"  # the last step a successful build reports
        ready = test_client.get("/readyz")  # reloaded by the job, not by the (hour-long) watcher
        assert ready.status_code == 200
        assert ready.json()["version"] == job["report"]["version"]


# -- deadlines (issue 8, item 8) ------------------------------------------------------------------
def test_a_stuck_refresh_is_ended_and_a_new_one_is_accepted(admin: TestClient) -> None:
    stuck = SlowRefresh()
    jobs = with_jobs(admin, RefreshJobs(stuck, timeout=1))
    job_id = admin.post("/api/admin/refresh", headers=AUTH).json()["id"]
    job = poll(admin, job_id, timeout=60)
    assert job["state"] == "failed" and "KB_REFRESH_TIMEOUT" in job["report"]["error"]
    assert job["finished"]
    again = admin.post("/api/admin/refresh", headers=AUTH)
    assert again.status_code == 202  # not 409 forever
    stuck.release.set()
    jobs.join(10)
    assert admin.get(f"/api/admin/refresh/{job_id}", headers=AUTH).json()["state"] == "failed"  # stays ended


def test_the_refresh_process_is_killed_at_its_deadline(tmp_path: Path, built_settings) -> None:  # type: ignore[no-untyped-def]
    import os
    import sys

    from api.jobs import SubprocessRefresh

    pid_file = tmp_path / "pid"
    hang = ("import os, sys, time; sys.stdin.read(); "
            f"open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
            "print('{\"progress\": {\"phase\": \"fetch\"}}', flush=True); time.sleep(600)")
    steps: list[dict[str, Any]] = []
    refresh = SubprocessRefresh(built_settings, timeout=3, command=[sys.executable, "-c", hang])
    report = refresh(on_progress=steps.append)
    assert not report["ok"] and "KB_REFRESH_TIMEOUT" in report["error"]
    assert steps == [{"phase": "fetch"}]
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_the_refresh_process_reports_a_bad_manifest(tmp_path: Path, built_settings) -> None:  # type: ignore[no-untyped-def]
    from api.jobs import SubprocessRefresh

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "publications.toml").write_text("[[publication]]\nid = 1\n", encoding="utf-8")
    settings = with_settings(built_settings, corpus_dir=corpus, data_dir=tmp_path / "data")
    report = SubprocessRefresh(settings, timeout=120)()
    assert not report["ok"] and "publications.toml" in report["error"]
    assert str(corpus) not in report["error"], "the manifest by its name in the corpus folder"


def test_the_refresh_process_logs_no_library_chatter(tmp_path: Path, built_settings) -> None:  # type: ignore[no-untyped-def]
    """Every admin refresh put faiss's "Could not load library with AVX512 support due to:
    ModuleNotFoundError(…)" into the server's log at INFO: an operator reads that as a fault. Like
    `kb serve`, the refresh process logs the service's own lines at info and a library's from warnings."""
    import json
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "publications.toml").write_text("[[publication]]\nid = 1\n", encoding="utf-8")
    settings = with_settings(built_settings, corpus_dir=corpus, data_dir=tmp_path / "data")
    child = subprocess.run([sys.executable, "-m", "api.refresh_worker"], capture_output=True, text=True, timeout=120,
                           input=json.dumps(settings.model_dump(mode="json", exclude={"admin_token"})))
    assert '"report"' in child.stdout
    assert "faiss" not in child.stderr and "ModuleNotFoundError" not in child.stderr, child.stderr


@pytest.mark.slow
def test_a_refresh_job_names_corpus_files_by_name_not_where_they_lie(work_settings, embedder) -> None:  # type: ignore[no-untyped-def]
    """The admin job's report said "PDF-filen /srv/kb/corpus/haandbog.pdf findes ikke …" and "ingen
    fil /srv/kb/corpus/haandbog.pdf" (fetch): the operator reads the job JSON, not the server's disk."""
    from tests.fixtures.pdfkit import write_garbage_pdf

    corpus = work_settings.corpus_dir
    (corpus / "haandbog.pdf").unlink()
    write_garbage_pdf(corpus / "metodehaefte.pdf")
    settings = with_settings(work_settings, admin_token=TOKEN, reload_interval=3600)
    with TestClient(make_app(settings, embedder)) as test_client:
        job = poll(test_client, test_client.post("/api/admin/refresh", headers=AUTH).json()["id"], timeout=600)
    assert job["state"] == "failed" and job["report"]["live"], job  # two publications failed; the rest went live
    report = {p["id"]: p for p in job["report"]["publications"]}
    assert "haandbog.pdf" in report["haandbog"]["error"] and "haandbog.pdf" in report["haandbog"]["fetch"]["error"]
    assert report["metodehaefte"]["error"].startswith("Filen metodehaefte.pdf er en HTML-side")
    text = json.dumps(job, ensure_ascii=False)
    folders = (corpus, settings.data_dir)
    assert not [p for p in {str(f) for f in folders} | {str(Path(f).resolve()) for f in folders} if p in text], text


def test_a_rejected_build_says_what_an_operator_can_do_also_from_the_admin_api():
    """The refresh report reaches GET /api/admin/refresh/{id}, where there is no --force to add."""
    from index.build import loss_problem

    message = loss_problem("haandbog", 40, 10)
    assert "40" in message and "10" in message
    assert "kb ingest --force" in message and "på serveren" in message
    assert "brug --force" not in message


# -- several server processes (KB_WORKERS > 1) share the jobs through the data dir ----------------
def test_a_job_started_in_one_process_is_polled_from_another(tmp_path: Path) -> None:
    refresh = SlowRefresh()
    first, other = RefreshJobs(refresh, folder=tmp_path / "jobs"), RefreshJobs(SlowRefresh(), folder=tmp_path / "jobs")
    job = first.start()
    deadline = time.monotonic() + 30
    while (seen := other.get(job.id)) is not None and seen.progress is None and time.monotonic() < deadline:
        time.sleep(0.01)  # the job's thread reports its first step a moment after the start
    assert seen is not None and seen.state == "running" and seen.progress == {"phase": "fetch"}
    with pytest.raises(Conflict):
        other.start()  # one refresh at a time, whichever process is asked
    refresh.release.set()
    first.join(10)
    done = other.get(job.id)
    assert done is not None and done.state == "done" and done.report == {"ok": True, "version": "v-test"}
    assert done.finished
    other.start()  # free again
    other.join(0)


def test_a_job_whose_process_died_ends_at_its_deadline(tmp_path: Path) -> None:
    folder = tmp_path / "jobs"
    folder.mkdir()
    # What a process killed in the middle of a refresh leaves: "running" for ever, on disk.
    started = "2026-01-01T00:00:00+00:00"
    (folder / "0123456789abcdef.json").write_text(json.dumps(
        {"id": "0123456789abcdef", "state": "running", "report": None, "progress": {"phase": "embed"},
         "started": started, "finished": None}), encoding="utf-8")
    jobs = RefreshJobs(SlowRefresh(), folder=folder, timeout=60)
    job = jobs.get("0123456789abcdef")
    assert job is not None and job.state == "failed" and "KB_REFRESH_TIMEOUT" in job.report["error"]  # type: ignore[index]
    started_again = jobs.start()  # not 409 for ever
    assert started_again.id != "0123456789abcdef"


@pytest.mark.parametrize("job_id", ["../live", "..%2Flive", "0123456789ABCDEF", "0123", ".lock"])
def test_a_job_id_never_names_another_file(tmp_path: Path, job_id: str) -> None:
    folder = tmp_path / "jobs"
    folder.mkdir()
    (tmp_path / "live.json").write_text('{"id": "x"}', encoding="utf-8")
    assert RefreshJobs(SlowRefresh(), folder=folder).get(job_id) is None


def test_the_shared_folder_keeps_the_newest_jobs(tmp_path: Path) -> None:
    refresh = SlowRefresh()
    refresh.release.set()
    jobs = RefreshJobs(refresh, folder=tmp_path / "jobs")
    for _ in range(KEEP_JOBS + 3):
        jobs.start()
        jobs.join(10)
    assert len(list((tmp_path / "jobs").glob("*.json"))) == KEEP_JOBS


def test_a_refresh_on_a_data_dir_it_cannot_write_says_why(admin: TestClient, tmp_path: Path) -> None:
    (tmp_path / "jobs").write_text("", encoding="utf-8")  # as unusable as a read-only data dir
    refresh = SlowRefresh()
    with_jobs(admin, RefreshJobs(refresh, folder=tmp_path / "jobs"))
    response = admin.post("/api/admin/refresh", headers=AUTH)
    assert response.status_code == 503, response.text
    assert "jobs" in response.json()["detail"] and refresh.calls == 0


def test_a_refresh_whose_server_process_is_gone_is_not_running_for_an_hour(tmp_path: Path) -> None:
    """kill -9 of a worker, or SIGHUP (each process is replaced), in the middle of a refresh: the
    job it left "running" must not answer every new refresh with 409 until its deadline."""
    import signal
    import subprocess
    import sys

    code = ("import sys, threading; sys.path.insert(0, sys.argv[2]); from pathlib import Path; "
            "from api.jobs import RefreshJobs; "
            "jobs = RefreshJobs(lambda on_progress=None: threading.Event().wait(600) or {}, folder=Path(sys.argv[1])); "
            "print(jobs.start().id, flush=True); threading.Event().wait(600)")
    child = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "jobs"), str(Path(__file__).parent.parent)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        job_id = child.stdout.readline().strip()
        here = RefreshJobs(SlowRefresh(), folder=tmp_path / "jobs")
        assert here.get(job_id).state == "running"  # type: ignore[union-attr]
        with pytest.raises(Conflict):
            here.start()
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        gone = here.get(job_id)
        assert gone is not None and gone.state == "failed" and gone.finished
        assert here.start().id != job_id
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
