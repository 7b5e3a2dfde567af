""""Hjalp svaret?": the form on result and passage pages, what is stored (and what never is), the
admin JSON, and `kb feedback export` as a `kb eval` question file."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from ingest.settings import Settings

pytest.register_assert_rewrite("tests.api_support")
from tests.api_support import ANSWERABLE, assert_error, copy_data_dir, make_app, parse_html  # noqa: E402
from tests.conftest import kb_env  # noqa: E402

pytest_plugins = ["tests.api_support"]

CPR = "010203-1234"
AGENT = "Mozilla/5.0 (Sagsbehandler-test)"
TOKEN = "feedback-admin-token"


@pytest.fixture
def fb_settings(built_settings: Settings, tmp_path: Path) -> Settings:
    """The fixture index in a private data dir (feedback is written there), with an admin token."""
    settings = copy_data_dir(built_settings, tmp_path / "data")
    # Other tests (the browser's) may have left answers in the shared data dir: start empty.
    shutil.rmtree(settings.data_dir / "feedback", ignore_errors=True)
    return Settings(**{**settings.model_dump(), "admin_token": TOKEN})


@pytest.fixture
def fb_client(fb_settings: Settings, embedder):  # type: ignore[no-untyped-def]
    with TestClient(make_app(fb_settings, embedder), headers={"User-Agent": AGENT}) as test_client:
        yield test_client


def form_of(html: str):  # type: ignore[no-untyped-def]
    page = parse_html(html)
    form = page.find("form", class_="feedback")
    fields = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")}
    buttons = {b.attrs["value"]: b.text for b in form.find_all("button")}
    return form, fields, buttons


def send(client: TestClient, fields: dict[str, str], helpful: str):  # type: ignore[no-untyped-def]
    return client.post("/feedback", data={**fields, "helpful": helpful})


def stored(settings: Settings) -> list[dict[str, object]]:
    path = settings.data_dir / "feedback" / "feedback.sqlite3"
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM feedback ORDER BY id")]


# -- the form -------------------------------------------------------------------------------------
def test_result_page_asks_and_stores_a_redacted_yes(fb_client: TestClient, fb_settings: Settings) -> None:
    page = fb_client.get("/", params={"q": ANSWERABLE})
    form, fields, buttons = form_of(page.text)
    assert fields["q"] == ANSWERABLE
    # Posted with personal data in it (a page never offers that, but a form can be sent by hand).
    fields["q"] = f"{ANSWERABLE} Pigen har cpr {CPR}"
    assert form.attrs["method"] == "post" and form.attrs["action"] == "/feedback"
    assert form.find("legend").text == "Hjalp svaret?"
    assert buttons == {"ja": "Ja", "nej": "Nej"}
    passages = parse_html(page.text).find_all("article", class_="passage")
    assert fields["passage_id"] in {a.attrs["aria-labelledby"].removeprefix("p-") for a in passages}

    thanks = send(fb_client, fields, "ja")
    assert thanks.status_code == 200
    body = parse_html(thanks.text)
    assert body.find("h1").text == "Tak for din tilbagemelding"
    back = body.find("a", class_="feedback-back")
    assert back.attrs["href"] == "/"  # not "/?q=…" with the CPR number in it

    [row] = stored(fb_settings)
    assert row["helpful"] == 1 and row["source"] == "search"
    assert row["question"] == f"{ANSWERABLE} Pigen har cpr [cpr]"
    detail = fb_client.get(f"/api/passages/{fields['passage_id']}").json()
    assert (row["publication_id"], row["page_start"], row["page_end"]) == (
        detail["publication_id"], detail["page_start"], detail["page_end"])
    assert len(str(row["day"])) == 10  # a date, never a time that could be matched to an access log


def test_nothing_about_the_person_is_stored(fb_client: TestClient, fb_settings: Settings) -> None:
    _, fields, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    send(fb_client, fields, "nej")
    [row] = stored(fb_settings)
    assert row["helpful"] == 0
    assert not {"ip", "client", "user_agent", "agent", "host"} & set(row)
    raw = (fb_settings.data_dir / "feedback" / "feedback.sqlite3").read_bytes()
    for trace in (b"testclient", b"Sagsbehandler-test", b"Mozilla"):
        assert trace not in raw


def test_passage_page_asks_too(fb_client: TestClient, fb_settings: Settings) -> None:
    passage_id = fb_client.get("/api/search", params={"q": "familie", "k": 1}).json()["results"][0]["id"]
    _, fields, buttons = form_of(fb_client.get(f"/p/{passage_id}").text)
    assert fields["passage_id"] == passage_id and fields["source"] == "passage"
    assert buttons == {"ja": "Ja", "nej": "Nej"}
    thanks = send(fb_client, fields, "ja")
    assert parse_html(thanks.text).find("a", class_="feedback-back").attrs["href"] == f"/p/{passage_id}"
    [row] = stored(fb_settings)
    assert row["source"] == "passage" and row["question"] is None and row["passage_id"] == passage_id


@pytest.mark.parametrize(("change", "status"), [({"helpful": "måske"}, 422), ({"passage_id": "findes-ikke"}, 404),
                                                ({"source": "andet"}, 422)])
def test_bad_feedback_is_refused_with_a_page(fb_client: TestClient, fb_settings: Settings,
                                             change: dict[str, str], status: int) -> None:
    _, fields, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    response = fb_client.post("/feedback", data={**fields, "helpful": "ja", **change})
    assert_error(response, status, html=True)
    assert not (fb_settings.data_dir / "feedback" / "feedback.sqlite3").exists() or stored(fb_settings) == []


# -- reading it back ------------------------------------------------------------------------------
def test_admin_reads_feedback_as_json(fb_client: TestClient) -> None:
    _, fields, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    send(fb_client, {**fields, "q": f"{ANSWERABLE} tlf 12 34 56 78"}, "ja")
    assert_error(fb_client.get("/api/admin/feedback"), 401)
    assert_error(fb_client.get("/api/admin/feedback", headers={"Authorization": "Bearer forkert"}), 403)
    body = fb_client.get("/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert body["count"] == 1
    [item] = body["feedback"]
    assert item["helpful"] is True and item["passage_id"] == fields["passage_id"]
    assert item["question"] == f"{ANSWERABLE} tlf [telefon]"
    assert item["pages"] and item["publication_id"]


def test_admin_feedback_is_off_without_a_token(make_client) -> None:  # type: ignore[no-untyped-def]
    assert_error(make_client().get("/api/admin/feedback"), 404)


def test_export_writes_an_eval_question_file(fb_client: TestClient, fb_settings: Settings, tmp_path: Path) -> None:
    from api.cli import cli
    from index.evaluate import load_questions

    _, helpful, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    send(fb_client, helpful, "ja")
    send(fb_client, helpful, "ja")  # the same twice: one question
    _, unhelpful, _ = form_of(fb_client.get("/", params={"q": "tvangsægteskab og skole"}).text)
    send(fb_client, unhelpful, "nej")
    passage_id = fb_client.get("/api/search", params={"q": "familie", "k": 1}).json()["results"][0]["id"]
    _, on_passage, _ = form_of(fb_client.get(f"/p/{passage_id}").text)
    send(fb_client, on_passage, "ja")  # no question: nothing to evaluate

    out = tmp_path / "feedback.jsonl"
    result = CliRunner().invoke(cli, ["feedback", "export", str(out)], env=kb_env(fb_settings))
    assert result.exit_code == 0, result.output
    assert "1 spørgsmål" in result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    detail = fb_client.get(f"/api/passages/{helpful['passage_id']}").json()
    assert lines == [{"id": "feedback-1", "question": ANSWERABLE, "publication": detail["publication_id"],
                      "pages": list(range(detail["page_start"], detail["page_end"] + 1)),
                      **({"labels": [detail["page_label"]]} if detail["page_label"] else {}),
                      "kind": "feedback"}]
    [question] = load_questions(out)  # what `kb eval` reads
    assert question.publication == detail["publication_id"]


def test_export_with_no_feedback_says_so(fb_settings: Settings, tmp_path: Path) -> None:
    from api.cli import cli

    out = tmp_path / "empty.jsonl"
    result = CliRunner().invoke(cli, ["feedback", "export", str(out)], env=kb_env(fb_settings))
    assert result.exit_code == 0
    assert "0 spørgsmål" in result.output and out.read_text() == ""


def test_a_cpr_number_across_the_length_limit_is_not_stored_in_part(fb_client: TestClient,
                                                                     fb_settings: Settings) -> None:
    # A question posted by hand, longer than a search takes, with a CPR number where it was cut
    # (500 characters): cut first and redacted after, "0102031" (a birth date and a digit) was kept.
    _, fields, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    lead = "Pigen frygter et tvangsægteskab, og hendes cpr-nummer er "
    question = lead + "x" * (500 - len(lead) - 8) + " " + CPR.replace("-", "") + " Hvad gør jeg?"
    assert question[492:500] == " 0102031"  # the part inside the limit
    send(fb_client, {**fields, "q": question}, "ja")
    [row] = stored(fb_settings)
    assert "[cpr]" in str(row["question"])
    assert "0102" not in str(row["question"])


def test_the_way_back_holds_no_personal_data_and_keeps_the_filter(fb_client: TestClient) -> None:
    publication = fb_client.get("/api/publications").json()["publications"][0]["id"]
    page = fb_client.get("/", params={"q": "familie", "publication": publication})
    _, fields, _ = form_of(page.text)
    assert fields.get("publication") == publication  # the filter goes with the answer
    back = parse_html(send(fb_client, fields, "ja").text).find("a", class_="feedback-back").attrs["href"]
    assert back == f"/?q=familie&publication={publication}"
    # A question posted by hand with a CPR number: the link back must not carry it into a URL.
    thanks = send(fb_client, {**fields, "q": f"familie {CPR}"}, "ja")
    back = parse_html(thanks.text).find("a", class_="feedback-back").attrs["href"]
    assert "0102" not in back and "1234" not in back


def test_an_answer_to_a_passage_gone_since_says_what_happened(fb_client: TestClient) -> None:
    # A refresh made a new version live while the caseworker read the results; the passage the
    # answer rested on changed. The page she gets is not "Siden findes ikke": it says her answer
    # was not saved, why, and leads back to her question in the new version.
    page = fb_client.get("/", params={"q": ANSWERABLE})
    _, fields, _ = form_of(page.text)
    response = send(fb_client, {**fields, "passage_id": "haandbog-0000000000"}, "ja")
    assert response.status_code == 404
    body = parse_html(response.text)
    assert body.find("h1").text == "Dit svar blev ikke gemt"
    assert "opdateret" in body.find("div", class_="notice").text
    again = body.find("div", class_="notice").find("a")
    assert again.text == "Søg igen" and again.attrs["href"] == "/?" + urlencode({"q": ANSWERABLE})


def test_the_thank_you_address_opened_again_leads_to_the_search(fb_client: TestClient) -> None:
    # The thank-you page's address (/feedback) reopened from the history or a restored tab is a GET:
    # the caseworker got "Metoden er ikke tilladt" (405), which says nothing to her.
    response = fb_client.get("/feedback", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert fb_client.get("/feedback").status_code == 200
