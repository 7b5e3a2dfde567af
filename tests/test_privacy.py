"""Questions stay out of the logs by default; with KB_LOG_QUERIES they are logged redacted."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi.testclient import TestClient

from api.redact import DropQueryString, redact

# Before the import: the shared helpers assert, and pytest should explain their failures.
pytest.register_assert_rewrite("tests.api_support")
from tests.api_support import make_app, running_server  # noqa: E402

# The app fixtures (client, make_client, bare_client, api_app) live in tests/api_support.py.
pytest_plugins = ["tests.api_support"]

CPR_DASH, CPR_PLAIN = "010203-1234", "0102031234"
SENSITIVE = (f"Pigen med cpr {CPR_DASH} ({CPR_PLAIN}) skriver fra hemmelig@example.dk og +45 12 34 56 78 "
             "om tvangsægteskab")
SECRETS = (CPR_DASH, CPR_PLAIN, "hemmelig@example.dk", "12 34 56 78", "Pigen med cpr")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cpr 010203-1234 her", "cpr [cpr] her"),
        ("cpr 0102031234 her", "cpr [cpr] her"),
        ("cpr 010203 1234", "cpr [cpr]"),
        ("skriv til a.b-c+d@kommune.example.dk nu", "skriv til [e-mail] nu"),
        ("ring 12345678", "ring [telefon]"),
        ("ring +45 12 34 56 78", "ring [telefon]"),
        ("ring +4512345678", "ring [telefon]"),
        ("ring 0045 1234 5678", "ring [telefon]"),
        ("ring 12 34 56 78.", "ring [telefon]."),
        ("ring 1234-5678", "ring [telefon]"),
        ("ring 12-34-56-78", "ring [telefon]"),
        ("ring 12.34.56.78", "ring [telefon]"),
        ("ring +45 1234-5678", "ring [telefon]"),
        ("§ 50-undersøgelse fra 2018 om 3 børn", "§ 50-undersøgelse fra 2018 om 3 børn"),
        ("handlingsplan 2018-2021", "handlingsplan 2018-2021"),
        ("cpr 01 02 03 12 34 her", "cpr [cpr] her"),
        ("cpr 010203-12 34 her", "cpr [cpr] her"),
        ("cpr 0 1 0 2 0 3 1 2 3 4 her", "cpr [cpr] her"),
        ("ring 45 12 34 56 78", "ring [telefon]"),
        ("ring 45 12345678", "ring [telefon]"),
        ("skriv til anna @ kommune . dk nu", "skriv til [e-mail] nu"),
        ("lov nr. 1234 af 12/12 2019", "lov nr. 1234 af 12/12 2019"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def server_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the service logged; the test client's own request log (httpx) is the caller's."""
    records = [r for r in caplog.records if not r.name.startswith("httpx")]
    return "\n".join(f"{r.name} {r.getMessage()} {r.args}" for r in records)


def _exercise(test_client: TestClient) -> None:
    """Every route that takes a question, with personal data: refused (422) before anything else."""
    assert test_client.get("/", params={"q": SENSITIVE}).status_code == 422
    assert test_client.post("/", data={"q": SENSITIVE}).status_code == 422
    assert test_client.get("/api/search", params={"q": SENSITIVE}).status_code == 422
    assert test_client.post("/api/ask", json={"question": SENSITIVE}).status_code == 422
    assert test_client.get("/api/search.rss", params={"q": SENSITIVE}).status_code == 422
    assert test_client.get("/api/suggest", params={"q": SENSITIVE}).status_code == 200


def test_questions_are_not_logged_by_default(make_client, caplog: pytest.LogCaptureFixture) -> None:
    test_client = make_client()
    caplog.set_level(logging.DEBUG)
    _exercise(test_client)
    assert test_client.get("/api/search", params={"q": "tvangsægteskab"}).status_code == 200
    logged = server_log(caplog)
    for secret in (*SECRETS, "tvangsægteskab"):
        assert secret not in logged
    assert not [r for r in caplog.records if r.name == "kb.queries"]


def test_refused_questions_are_never_logged(make_client, caplog: pytest.LogCaptureFixture) -> None:
    test_client = make_client(log_queries=True)
    caplog.set_level(logging.DEBUG)
    _exercise(test_client)
    # An over-long text the page refuses is not logged either (it used to be, cut at 500 characters).
    assert test_client.get("/", params={"q": "hemmelig sag " * 400}).status_code == 422
    assert [r for r in caplog.records if r.name == "kb.queries"] == []
    everything = server_log(caplog)
    for secret in (*SECRETS, "hemmelig sag"):
        assert secret not in everything


def test_searched_questions_are_logged_when_enabled(make_client, caplog: pytest.LogCaptureFixture) -> None:
    test_client = make_client(log_queries=True)
    caplog.set_level(logging.DEBUG)
    question = "tvangsægteskab i familien"
    assert test_client.get("/", params={"q": question}).status_code == 200
    assert test_client.get("/api/search", params={"q": question}).status_code == 200
    assert test_client.post("/api/ask", json={"question": question}).status_code == 200
    assert test_client.get("/api/search.rss", params={"q": question}).status_code == 200
    assert test_client.get("/api/suggest", params={"q": question}).status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "kb.queries"]
    # page, search, ask, rss; suggestions are keystrokes and never logged
    assert lines == [f"{route} {question}" for route in ("page", "search", "ask", "rss")]


# The seven formats that reached the log unredacted (issue 9), and their neighbours.
LEAKED = ["01 02 03-1234", "010203\u20111234", "010203\u22121234", "01.02.03-1234", "010203 - 1234",
          "12 34 5678", "123 45 678", "anna (at) kommune.dk",
          # The formats a review got through to /?q=… and /api/search.
          "01 02 03 12 34", "010203-12 34", "cpr 0 1 0 2 0 3 1 2 3 4", "45 12 34 56 78",
          "anna @ kommune . dk",
          # Foreign numbers, which neither the page nor the log caught.
          "+46 70 123 45 67", "0049 30 12345678", "(+46) 70-123 45 67", "+212 6 12 34 56 78",
          # With a space after the plus, which neither caught either.
          "+ 46 70 123 45 67", "+ 44 20 7946 0958"]


@pytest.mark.parametrize("secret", LEAKED)
def test_query_log_redacts_what_the_warning_catches(secret: str, caplog: pytest.LogCaptureFixture) -> None:
    from api.personal import find
    from api.redact import QueryLog

    caplog.set_level(logging.INFO)
    QueryLog(True)("search", f"pigen {secret} er bange")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "kb.queries"]
    assert line in ("search pigen [cpr] er bange", "search pigen [telefon] er bange", "search pigen [e-mail] er bange",
                    "search pigen cpr [cpr] er bange")
    assert find(secret), "the same detector makes the page refuse it"


# The questions a review got through: the page redirected to /?q=… and /api/search answered 200.
REVIEWED = ["Pigen har cpr 01 02 03 12 34 og siger hun skal giftes", "010203-12 34", "cpr 0 1 0 2 0 3 1 2 3 4",
            "45 12 34 56 78", "anna @ kommune . dk", "Morbroren i Sverige har +46 70 123 45 67",
            "faren: 0090 532 123 45 67", "ring til + 46 70 123 45 67", "+ 44 20 7946 0958",
            # A foreign "00" number right after another number (a review got these through).
            "mor: 23456789 0046 70 123 45 67", "tlf 23456789 0046 70 123 45 67",
            "ring efter kl 16 0046 70 123 45 67",
            # Denmark's own code says what the number is, as a phone word does.
            "+45 23 45 67 89 2 gange om ugen", "+45 23456789 10-12", "0045 23456789 10-12"]


@pytest.mark.parametrize("question", ["mor: 23456789 0046 70 123 45 67", "tlf 23456789 0046 70 123 45 67",
                                      "ring efter kl 16 0046 70 123 45 67",
            # Denmark's own code says what the number is, as a phone word does.
            "+45 23 45 67 89 2 gange om ugen", "+45 23456789 10-12", "0045 23456789 10-12"])
def test_a_foreign_number_after_another_number_is_redacted_whole(question: str) -> None:
    redacted = redact(question)
    assert "0046" not in redacted and "123 45 67" not in redacted, redacted


def test_reviewed_formats_are_refused_not_redirected(make_client) -> None:  # type: ignore[no-untyped-def]
    test_client = make_client()
    for question in REVIEWED:
        page = test_client.post("/", data={"q": question}, follow_redirects=False)
        assert page.status_code == 422, (question, page.headers.get("location"))
        assert test_client.get("/api/search", params={"q": question}).status_code == 422, question


def test_access_log_filter_drops_query_strings() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", f"/?q={CPR_PLAIN}", "1.1", 200), None)
    assert DropQueryString().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET / HTTP/1.1" 200'


def test_answered_probes_stay_out_of_the_access_log_and_failed_ones_do_not() -> None:
    from api.redact import QuietProbes

    def record(path: str, status: int) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                                 ("127.0.0.1:5000", "GET", path, "1.1", status), None)

    quiet = QuietProbes()
    assert not quiet.filter(record("/healthz", 200)) and not quiet.filter(record("/readyz", 200))
    assert quiet.filter(record("/readyz", 503))  # an operator must see a failing probe
    assert quiet.filter(record("/api/search?q=x", 200)) and quiet.filter(record("/healthz/x", 404))


def test_real_server_access_log_has_paths_only(built_settings, embedder,  # type: ignore[no-untyped-def]
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    app = make_app(built_settings, embedder)
    with running_server(app, access_log=True) as base:
        response = httpx.get(f"{base}/api/search", params={"q": SENSITIVE, "k": 1}, timeout=30)
        assert response.status_code == 422
        assert httpx.get(f"{base}/healthz", timeout=30).status_code == 200
    access = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any('"GET /api/search HTTP/1.1" 422' in line for line in access), access
    assert not any("/healthz" in line for line in access), access
    for secret in SECRETS:
        assert secret not in server_log(caplog)
