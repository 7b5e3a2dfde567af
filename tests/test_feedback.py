""""Hjalp svaret?": the form on result and passage pages, what is stored (and what never is), the
admin JSON, and `kb feedback export` as a `kb eval` question file."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any
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
    response = fb_client.get("/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.headers["cache-control"] == "no-store"  # caseworkers' questions, even redacted
    body = response.json()
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


# -- one vote per rendered form -------------------------------------------------------------------
def admin_json(client: TestClient) -> Any:
    return client.get("/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"}).json()


def test_a_double_click_stores_one_vote(fb_client: TestClient, fb_settings: Settings) -> None:
    # Two clicks on »Ja« (or a reload of the post) sent the same form twice: two rows, count 2.
    _, fields, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    send(fb_client, fields, "ja")
    send(fb_client, fields, "ja")
    [row] = stored(fb_settings)
    assert row["helpful"] == 1
    body = admin_json(fb_client)
    assert body["count"] == 1 and len(body["feedback"]) == 1


def test_a_changed_mind_keeps_the_last_answer(fb_client: TestClient, fb_settings: Settings) -> None:
    _, fields, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    send(fb_client, fields, "ja")
    send(fb_client, fields, "nej")  # the same page: she changed her mind
    [row] = stored(fb_settings)
    assert row["helpful"] == 0
    [item] = admin_json(fb_client)["feedback"]
    assert item["helpful"] is False


def test_the_thank_you_page_lets_her_change_her_answer(fb_client: TestClient, fb_settings: Settings) -> None:
    # Going back to change the answer may load the result page anew (it is never cached), so
    # the thank-you page offers the other answer itself, for the same form.
    _, fields, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    thanks = parse_html(send(fb_client, fields, "ja").text)
    change = thanks.find("form", class_="feedback-change")
    assert change.attrs["method"] == "post" and change.attrs["action"] == "/feedback"
    again = {i.attrs["name"]: i.attrs.get("value", "") for i in change.find_all("input")}
    [button] = change.find_all("button")
    assert button.text == "Ret mit svar til »Nej«" and button.attrs["value"] == "nej"
    back = parse_html(fb_client.post("/feedback", data={**again, "helpful": "nej"}).text)
    assert back.find("form", class_="feedback-change").find("button").text == "Ret mit svar til »Ja«"
    [row] = stored(fb_settings)
    assert row["helpful"] == 0 and row["question"] == ANSWERABLE


def test_two_rendered_pages_are_two_votes(fb_client: TestClient, fb_settings: Settings) -> None:
    # Two caseworkers (or one, asking again later) answering the same question: both count.
    _, first, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    _, second, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    assert first["token"] != second["token"]
    send(fb_client, first, "ja")
    send(fb_client, second, "ja")
    assert [row["helpful"] for row in stored(fb_settings)] == [1, 1]
    assert admin_json(fb_client)["count"] == 2


def test_the_token_is_random_and_never_in_a_url(fb_client: TestClient, fb_settings: Settings) -> None:
    passage_id = fb_client.get("/api/search", params={"q": "familie", "k": 1}).json()["results"][0]["id"]
    page = fb_client.get(f"/p/{passage_id}")
    _, fields, _ = form_of(page.text)
    token = fields["token"]
    assert len(token) >= 22 and token not in {passage_id, ANSWERABLE}
    # It is one page's: no shared cache may hand the same page (and token) to someone else.
    assert "private" in page.headers["cache-control"] or "no-store" in page.headers["cache-control"]
    thanks = send(fb_client, fields, "ja")
    assert all(token not in str(a.attrs.get("href", "")) for a in parse_html(thanks.text).find_all("a"))
    assert token not in thanks.headers.get("location", "")
    assert token not in json.dumps(admin_json(fb_client))  # stored only to recognise the form again


def test_a_form_without_a_token_is_still_accepted(fb_client: TestClient, fb_settings: Settings) -> None:
    # An old cached page or a form posted by hand: stored as before, each post a row.
    _, fields, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    del fields["token"]
    assert send(fb_client, fields, "ja").status_code == 200
    assert send(fb_client, {**fields, "token": "010203-1234 Anna"}, "ja").status_code == 200
    rows = stored(fb_settings)
    assert len(rows) == 2 and all(row["token"] is None for row in rows)  # a made-up token is not kept


def test_feedback_stored_by_the_previous_version_still_loads(fb_settings: Settings, fb_client: TestClient,
                                                             tmp_path: Path) -> None:
    from api.cli import cli
    from index.evaluate import load_questions

    _, fields, _ = form_of(fb_client.get("/", params={"q": ANSWERABLE}).text)
    detail = fb_client.get(f"/api/passages/{fields['passage_id']}").json()
    fb_client.close()
    # The table as the previous version created it (no token, no filter), with one answer in it.
    path = fb_settings.data_dir / "feedback" / "feedback.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, day TEXT NOT NULL, "
                   "helpful INTEGER NOT NULL, source TEXT NOT NULL, question TEXT, passage_id TEXT NOT NULL, "
                   "publication_id TEXT NOT NULL, page_start INTEGER NOT NULL, page_end INTEGER NOT NULL, "
                   "page_label TEXT, version TEXT)")
        db.execute("INSERT INTO feedback (day, helpful, source, question, passage_id, publication_id, page_start, "
                   "page_end, page_label, version) VALUES ('2026-01-05', 1, 'search', ?, ?, ?, ?, ?, ?, 'v1')",
                   (ANSWERABLE, detail["id"], detail["publication_id"], detail["page_start"], detail["page_end"],
                    detail["page_label"]))
    with TestClient(make_app(fb_settings)) as client:
        [old] = admin_json(client)["feedback"]
        assert old["question"] == ANSWERABLE and old["day"] == "2026-01-05" and old["filter_publication"] is None
        send(client, fields, "nej")  # a new answer goes into the old file
        send(client, fields, "nej")
        assert admin_json(client)["count"] == 2
    out = tmp_path / "gammel.jsonl"
    result = CliRunner().invoke(cli, ["feedback", "export", str(out)], env=kb_env(fb_settings))
    assert result.exit_code == 0, result.output
    [question] = load_questions(out)
    assert question.question == ANSWERABLE and question.filter_publication is None


# -- the publication filter goes with the question ------------------------------------------------
FILTERED = "samtale med den unge"


def test_a_vote_on_a_filtered_search_is_evaluated_with_its_filter(fb_client: TestClient, fb_settings: Settings,
                                                                    tmp_path: Path) -> None:
    # She searched Godt praksis alone; the exported question searched all four publications, so
    # `kb eval` scored an answer from another one against her gold passage.
    from api.cli import cli

    everywhere = fb_client.get("/api/search", params={"q": FILTERED, "k": 10}).json()["results"]
    assert {r["publication_id"] for r in everywhere} - {"godpraksis"}  # unfiltered, others come first
    _, fields, _ = form_of(fb_client.get("/", params={"q": FILTERED, "publication": "godpraksis"}).text)
    send(fb_client, fields, "ja")
    [item] = admin_json(fb_client)["feedback"]
    assert item["filter_publication"] == "godpraksis" and item["publication_id"] == "godpraksis"

    out = tmp_path / "filtreret.jsonl"
    assert CliRunner().invoke(cli, ["feedback", "export", str(out)], env=kb_env(fb_settings)).exit_code == 0
    [line] = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert line["filter_publication"] == "godpraksis"
    result = CliRunner().invoke(cli, ["eval", str(out), "--json"], env=kb_env(fb_settings))
    assert result.exit_code == 0, result.output
    [evaluated] = json.loads(result.output)["questions"]
    assert evaluated["results"] and {r["publication_id"] for r in evaluated["results"]} == {"godpraksis"}
    assert evaluated["rank"] is not None


def test_a_vote_on_all_publications_is_exported_without_a_filter(fb_client: TestClient, fb_settings: Settings,
                                                                  tmp_path: Path) -> None:
    from api.cli import cli

    _, fields, _ = form_of(fb_client.get("/", params={"q": FILTERED, "publication": ""}).text)
    send(fb_client, fields, "ja")
    out = tmp_path / "alle.jsonl"
    assert CliRunner().invoke(cli, ["feedback", "export", str(out)], env=kb_env(fb_settings)).exit_code == 0
    [line] = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert "filter_publication" not in line
    result = CliRunner().invoke(cli, ["eval", str(out), "--json"], env=kb_env(fb_settings))
    [evaluated] = json.loads(result.output)["questions"]
    assert len({r["publication_id"] for r in evaluated["results"]}) > 1  # all four searched, as before


def test_a_token_is_forgotten_once_the_answer_is_old(fb_settings: Settings) -> None:
    # The token only serves to recognise a form posted again; kept for ever, it would tie a row to
    # a page left in someone's browser history.
    from api.feedback import FeedbackStore, new_token

    store = FeedbackStore(fb_settings.data_dir / "feedback")
    passage = {"source": "search", "question": ANSWERABLE, "passage_id": "p", "publication_id": "haandbog",
               "page_start": 3, "page_end": 3, "page_label": None, "version": "v"}
    old, fresh = new_token(), new_token()
    store.add(helpful=True, token=old, **passage)  # type: ignore[arg-type]
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute("UPDATE feedback SET day = '2020-01-01'")
    store.add(helpful=True, token=fresh, **passage)  # type: ignore[arg-type]
    assert [row["token"] is None for row in stored(fb_settings)] == [True, False]
    store.add(helpful=False, token=old, **passage)  # type: ignore[arg-type]  # forgotten: a new answer
    assert [row["helpful"] for row in stored(fb_settings)] == [1, 1, 0]


def test_an_old_form_posted_again_into_a_quiet_store_is_a_new_answer(fb_settings: Settings) -> None:
    # A review found the old token matched (and the old answer was rewritten, its day moved to
    # today) when nobody had answered in between: tokens were forgotten only after an insert.
    from api.feedback import FeedbackStore, new_token

    store = FeedbackStore(fb_settings.data_dir / "feedback")
    passage = {"source": "search", "question": ANSWERABLE, "passage_id": "p", "publication_id": "haandbog",
               "page_start": 3, "page_end": 3, "page_label": None, "version": "v"}
    token = new_token()
    store.add(helpful=True, token=token, **passage)  # type: ignore[arg-type]
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute("UPDATE feedback SET day = '2020-01-01'")
    store.all()  # reading forgets too: a quiet store keeps no old token
    assert [row["token"] for row in stored(fb_settings)] == [None]
    store.add(helpful=False, token=token, **passage)  # type: ignore[arg-type]
    assert [(row["day"], row["helpful"]) for row in stored(fb_settings)][0] == ("2020-01-01", 1)
    assert [row["helpful"] for row in stored(fb_settings)] == [1, 0]


def test_the_file_keeps_a_hash_of_the_token_not_the_token(fb_settings: Settings) -> None:
    # A post by hand can put any 22 token letters in the form: "Anna_Hansen-0102031234" fits.
    from api.feedback import FeedbackStore

    store = FeedbackStore(fb_settings.data_dir / "feedback")
    passage = {"source": "search", "question": ANSWERABLE, "passage_id": "p", "publication_id": "haandbog",
               "page_start": 3, "page_end": 3, "page_label": None, "version": "v"}
    crafted = "Anna_Hansen-0102031234"
    store.add(helpful=True, token=crafted, **passage)  # type: ignore[arg-type]
    store.add(helpful=False, token=crafted, **passage)  # type: ignore[arg-type]  # still the same form
    rows = stored(fb_settings)
    assert len(rows) == 1 and rows[0]["helpful"] == 0
    assert "Anna" not in rows[0]["token"] and "0102031234" not in rows[0]["token"]
    assert b"0102031234" not in store.path.read_bytes()
