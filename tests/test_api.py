"""The JSON API over the fixture index: shapes, every error status, CORS, loading once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ingest.fetchstate import FetchFacts, write_facts
from ingest.settings import Settings

# Before the import: the shared helpers assert, and pytest should explain their failures.
pytest.register_assert_rewrite("tests.api_support")
from tests.api_support import ANSWERABLE, UNANSWERABLE, assert_error, make_app, parse_html, with_settings  # noqa: E402

# The app fixtures (client, make_client, bare_client, api_app) live in tests/api_support.py.
pytest_plugins = ["tests.api_support"]

PASSAGE_KEYS = {"id", "publication_id", "publication_title", "page_start", "page_end", "page_label", "section",
                "text", "url", "permalink", "score"}


# -- search ---------------------------------------------------------------------------------------
def test_search_returns_passages(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "  genopdragelsesrejse  ", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"query", "confident", "results"}
    assert body["query"] == "genopdragelsesrejse"
    assert body["confident"] is True
    assert len(body["results"]) == 3
    for passage in body["results"]:
        assert set(passage) == PASSAGE_KEYS
        assert passage["url"].startswith("http://testserver/corpus/")
        assert passage["url"].endswith(f"#page={passage['page_start']}")
        assert passage["page_start"] <= passage["page_end"]
    scores = [p["score"] for p in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_search_default_k_is_10(client: TestClient) -> None:
    default = client.get("/api/search", params={"q": "tvangsægteskab"}).json()["results"]
    assert default == client.get("/api/search", params={"q": "tvangsægteskab", "k": 10}).json()["results"]
    assert 1 <= len(default) <= 10  # at most k: only passages above the relevance floor
    assert len(client.get("/api/search", params={"q": "tvangsægteskab", "k": 2}).json()["results"]) == 2


def test_search_returns_nothing_when_nothing_is_relevant(client: TestClient) -> None:
    # An intranet's federated search shows these: ten weak guesses would be noise on every query.
    for query in (UNANSWERABLE, "parkeringstilladelse"):
        body = client.get("/api/search", params={"q": query, "k": 10}).json()
        assert body == {"query": query, "confident": False, "results": []}


def test_search_and_ask_filter_by_publication(client: TestClient) -> None:
    found = 0
    for pub in ("haandbog", "metodehaefte", "godpraksis", "vejledning"):
        body = client.get("/api/search", params={"q": "samtale med den unge", "k": 5, "publication": pub}).json()
        assert {p["publication_id"] for p in body["results"]} <= {pub}
        found += len(body["results"])
        asked = client.post("/api/ask", json={"question": "samtale med den unge", "k": 3, "publication": pub}).json()
        assert asked["passages"] and {p["publication_id"] for p in asked["passages"]} == {pub}
    assert found


def test_an_empty_publication_means_all_of_them(client: TestClient) -> None:
    # The search page's own "Alle publikationer" is publication="", and an intranet form that copies
    # it sends the same to the API and the feed: all publications, as on the page, not a 422.
    question = "samtale med den unge"
    for params in ({"q": question}, {"q": question, "publication": ""}):
        page = client.get("/", params=params)
        assert page.status_code == 200
    plain = client.get("/api/search", params={"q": question}).json()
    empty = client.get("/api/search", params={"q": question, "publication": ""})
    assert empty.status_code == 200, empty.text
    assert [p["id"] for p in empty.json()["results"]] == [p["id"] for p in plain["results"]]
    asked = client.post("/api/ask", json={"question": question, "publication": ""})
    assert asked.status_code == 200, asked.text
    feed = client.get("/api/search.rss", params={"q": question, "publication": ""})
    assert feed.status_code == 200, feed.text
    assert "publication=" not in feed.text  # its links are those of the unfiltered search


@pytest.mark.parametrize(("publication", "status"), [("findes-ikke", 404), ("Håndbog", 422), ("x" * 101, 422)])
def test_unknown_publication(client: TestClient, publication: str, status: int) -> None:
    # An id that could exist but does not is a 404 (like any missing resource); a malformed one is 422.
    detail = assert_error(client.get("/api/search", params={"q": "samtale", "publication": publication}), status)
    assert "publication" in detail or "findes ikke" in detail
    assert_error(client.post("/api/ask", json={"question": "samtale", "publication": publication}), status)
    assert_error(client.get("/api/search.rss", params={"q": "samtale", "publication": publication}), status)


def test_unknown_publication_names_the_known_ones(client: TestClient) -> None:
    detail = assert_error(client.get("/api/search", params={"q": "samtale", "publication": "findes-ikke"}), 404)
    assert detail == ("Publikationen »findes-ikke« findes ikke. Vælg en af: haandbog, metodehaefte, godpraksis, "
                      "vejledning.")


# -- personal data --------------------------------------------------------------------------------
PERSONAL = "Pigen med cpr 010203\u20111234 frygter tvangsægteskab"


def test_questions_with_personal_data_are_refused(client: TestClient) -> None:
    for response in (client.get("/api/search", params={"q": PERSONAL}),
                     client.post("/api/ask", json={"question": PERSONAL}),
                     client.get("/api/search.rss", params={"q": PERSONAL})):
        detail = assert_error(response, 422, contains="et CPR-nummer")
        assert "1234" not in detail and "fjern" in detail
        assert response.headers["cache-control"] == "no-store"


def test_the_refusal_is_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in (("/api/search", "get"), ("/api/ask", "post"), ("/api/search.rss", "get")):
        assert "personal data" in paths[path][method]["responses"]["422"]["description"]
    parameters = {p["name"]: p for p in paths["/api/search"]["get"]["parameters"]}
    assert "publication" in parameters


def test_answers_that_echo_a_question_are_not_stored(client: TestClient) -> None:
    for response in (client.get("/api/search", params={"q": "familie", "k": 1}),
                     client.post("/api/ask", json={"question": "familie", "k": 1}),
                     client.get("/api/search.rss", params={"q": "familie", "k": 1}),
                     client.get("/api/suggest", params={"q": "fam"}),
                     client.get("/api/search", params={"q": "", "k": 1})):
        assert response.headers["cache-control"] == "no-store", response.url


@pytest.mark.parametrize("path", ["/", "/api/search", "/api/search.rss", "/api/suggest"])
@pytest.mark.parametrize("query", ["%71=familie", "k=1&%71=familie", "q%3D=x&%71=familie"])
def test_a_question_under_a_percent_encoded_name_is_not_stored_either(client: TestClient, path: str,
                                                                      query: str) -> None:
    # The server decodes parameter names ("%71" is "q"), so the page echoes the question: a cache
    # must not keep it, however the name was written.
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("params", "contains"),
    [
        ({}, "»q« mangler"),
        ({"q": ""}, "tomt"),
        ({"q": "   "}, "tomt"),
        ({"q": "x" * 501}, "500"),
        ({"q": "familie", "k": 0}, "mellem 1 og 50"),
        ({"q": "familie", "k": 51}, "mellem 1 og 50"),
        ({"q": "familie", "k": "mange"}, "mellem 1 og 50"),
    ],
)
def test_search_rejects_bad_input(client: TestClient, params: dict[str, object], contains: str) -> None:
    assert_error(client.get("/api/search", params=params), 422, contains=contains)


def test_question_of_500_characters_is_accepted(client: TestClient) -> None:
    question = ("tvangsægteskab " * 40)[:500]
    assert client.get("/api/search", params={"q": question, "k": 1}).status_code == 200


# -- ask ------------------------------------------------------------------------------------------
def test_ask_answers_with_citations(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": ANSWERABLE})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"question", "confident", "answer", "passages"}
    assert body["question"] == ANSWERABLE
    assert body["confident"] is True
    assert 1 <= len(body["answer"]) <= 3
    assert len(body["passages"]) == 5  # k defaults to 5
    ids = {p["id"] for p in body["passages"]}
    for sentence in body["answer"]:
        assert set(sentence) == {"text", "passage_id", "start", "end"}
        assert sentence["passage_id"] in ids
        cited = next(p for p in body["passages"] if p["id"] == sentence["passage_id"])
        assert " ".join(sentence["text"].split()) in " ".join(cited["text"].split())


def test_ask_respects_k(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": ANSWERABLE, "k": 8}).json()
    assert len(body["passages"]) == 8


@pytest.mark.parametrize("question", [ANSWERABLE, "hvornår skal jeg underrette", "skal jeg ringe til forældrene først?",
                                      "hvad er en sikkerhedsplan"])
def test_k_changes_how_many_passages_not_the_answer(client: TestClient, question: str) -> None:
    # k=1 once drew the answer from the first passage alone, and answered where k=5 declined.
    answers = {k: client.post("/api/ask", json={"question": question, "k": k}).json() for k in (1, 2, 5, 10)}
    first = answers[10]
    for k, body in answers.items():
        assert body["confident"] == first["confident"], k
        assert [s["text"] for s in body["answer"]] == [s["text"] for s in first["answer"]
                                                       if s["passage_id"] in {p["id"] for p in body["passages"]}], k
        assert body["passages"] == first["passages"][:k], k
        assert all(s["passage_id"] in {p["id"] for p in body["passages"]} for s in body["answer"]), k
        assert not first["answer"] or body["answer"], k  # the first excerpt's passage is always listed


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u200d", "\u2060", "\ufeff", "\u200e"])
def test_an_invisible_character_inside_a_word_does_not_split_it(client: TestClient, invisible: str) -> None:
    # A soft hyphen comes along when a word is copied from a PDF or from Word.
    plain = client.get("/api/search", params={"q": "genopdragelsesrejse"}).json()
    split = client.get("/api/search", params={"q": f"genopdragelses{invisible}rejse"}).json()
    assert split == plain


def test_a_decomposed_question_is_searched_and_echoed_composed(client: TestClient) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "tvangsægteskab og børn på gården")
    assert decomposed != "tvangsægteskab og børn på gården"
    body = client.get("/api/search", params={"q": decomposed}).json()
    assert body["query"] == "tvangsægteskab og børn på gården"
    assert body == client.get("/api/search", params={"q": "tvangsægteskab og børn på gården"}).json()


@pytest.mark.parametrize(
    ("payload", "contains"),
    [
        ({"question": ""}, "tomt"),
        ({"question": " \t\n "}, "tomt"),
        ({"question": "x" * 501}, "500"),
        ({"question": "familie", "k": 0}, "mellem 1 og 50"),
        ({"question": "familie", "k": 51}, "mellem 1 og 50"),
        ({"question": "familie", "k": True}, "k"),  # pydantic read JSON true as 1; the schema says integer
        ({"question": "familie", "k": "5"}, "k"),
        ({}, "»question« mangler"),
        (["familie"], "JSON-objekt"),
    ],
)
def test_ask_rejects_bad_input(client: TestClient, payload: object, contains: str) -> None:
    assert_error(client.post("/api/ask", json=payload), 422, contains=contains)


def test_ask_rejects_broken_json(client: TestClient) -> None:
    response = client.post("/api/ask", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert_error(response, 422, contains="JSON")


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "x" * 40_000})
    assert_error(response, 413, contains="32 KB")


def test_oversized_chunked_body_is_413(client: TestClient) -> None:
    def chunks():  # no Content-Length: the limit must count what arrives
        yield b'{"question": "'
        for _ in range(40):
            yield b"x" * 1024 * 2
        yield b'"}'

    response = client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(response, 413)


# -- passages and publications --------------------------------------------------------------------
def test_passage_with_neighbours(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "genopdragelsesrejse", "k": 1}).json()["results"][0]
    response = client.get(f"/api/passages/{first['id']}")
    assert response.status_code == 200
    passage = response.json()
    assert set(passage) == PASSAGE_KEYS - {"score"} | {"previous_id", "next_id"}
    assert passage["text"] == first["text"]
    assert passage["previous_id"] or passage["next_id"]
    if passage["next_id"]:
        following = client.get(f"/api/passages/{passage['next_id']}").json()
        assert following["previous_id"] == passage["id"]
        assert following["publication_id"] == passage["publication_id"]


def test_unknown_passage_is_404(client: TestClient) -> None:
    assert_error(client.get("/api/passages/haandbog-0000000000"), 404, contains="Passagen findes ikke")


def test_publications_have_version_facts(client: TestClient) -> None:
    body = client.get("/api/publications").json()
    assert body["version"] == client.get("/readyz").json()["version"]
    assert {p["id"] for p in body["publications"]} == {"haandbog", "metodehaefte", "godpraksis", "vejledning"}
    for pub in body["publications"]:
        assert len(pub["sha256"]) == 64
        assert pub["pages"] > 0 and pub["passages"] > 0
        assert pub["file"].endswith(".pdf")
        assert pub["fetch"] is None  # the fixture PDFs were copied in, never fetched
    assert sum(p["passages"] for p in body["publications"]) == body["passage_count"]


def test_publications_include_fetch_facts(tmp_path: Path, built_settings: Settings, embedder: object) -> None:
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(built_settings.corpus_dir, corpus)
    facts = FetchFacts(publication_id="haandbog", file="haandbog.pdf", source_url="https://siri.example/side",
                       pdf_url="https://siri.example/haandbog.pdf", sha256="a" * 64, size=1234,
                       fetched_at="2026-08-01T10:00:00+00:00", checked_at="2026-08-02T10:00:00+00:00", etag='"v1"')
    write_facts(corpus, facts)
    settings = with_settings(built_settings, corpus_dir=corpus)
    with TestClient(make_app(settings, embedder)) as test_client:
        pubs = {p["id"]: p for p in test_client.get("/api/publications").json()["publications"]}
    assert pubs["haandbog"]["fetch"]["pdf_url"] == "https://siri.example/haandbog.pdf"
    assert pubs["haandbog"]["fetch"]["etag"] == '"v1"'
    assert pubs["vejledning"]["fetch"] is None


# -- health ---------------------------------------------------------------------------------------
def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["version"]


def test_liveness_is_answered_before_routing_as_the_documented_route_would(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routes.health import HealthOut

    # Routing never runs for the probe: a router that fails on every request does not reach it.
    async def no_routing(*args: object) -> None:
        raise AssertionError("the probe went through routing")

    monkeypatch.setattr(client.app.router, "middleware_stack", no_routing)  # type: ignore[attr-defined]
    got = client.get("/healthz")
    assert got.status_code == 200 and got.json() == HealthOut().model_dump()
    assert got.headers["content-type"] == "application/json"
    # the security headers wrap it like every other response
    assert "frame-ancestors" in got.headers["content-security-policy"]
    head = client.head("/healthz")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    monkeypatch.undo()
    # Anything but GET or HEAD still goes to the router, which says what is allowed.
    assert client.post("/healthz").status_code == 405
    assert "/healthz" in client.get("/openapi.json").json()["paths"]


def test_not_ready_without_index(bare_client: TestClient) -> None:
    assert bare_client.get("/healthz").status_code == 200
    assert_error(bare_client.get("/readyz"), 503, contains="kb ingest")
    assert_error(bare_client.get("/api/search", params={"q": "familie"}), 503, contains="kb ingest")
    assert_error(bare_client.post("/api/ask", json={"question": "familie"}), 503, contains="kb ingest")
    assert_error(bare_client.get("/api/publications"), 503, contains="kb ingest")


# -- loading once ---------------------------------------------------------------------------------
def test_requests_never_reload(api_app, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.search import SearchIndex

    loads: list[object] = []
    monkeypatch.setattr(SearchIndex, "load", classmethod(lambda cls, *a, **k: loads.append(a)))
    live = api_app.state.live
    serving, model = live.current(), live.embedder
    client.get("/api/search", params={"q": "familie"})
    client.post("/api/ask", json={"question": ANSWERABLE})
    client.get("/", params={"q": "tvangsægteskab"})
    assert loads == []
    assert live.current() is serving and live.embedder is model


# -- routes and formats ---------------------------------------------------------------------------
def test_unknown_api_route_and_wrong_method_are_json(client: TestClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404)
    assert_error(client.get("/api/ask"), 405)


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/search", "/api/ask", "/api/passages/{passage_id}", "/api/publications", "/healthz",
                 "/readyz", "/api/suggest", "/api/search.rss"):
        assert path in schema["paths"], path  # the admin routes only with a token (test_admin.py)
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-security-policy"] == client.get("/").headers["content-security-policy"]
    # Works offline, nothing from elsewhere: the only script is the site's own (Kopiér kilde, counter).
    scripts = re.findall(r"<script\b[^>]*>", docs.text)
    assert scripts and all(re.search(r'src="/static/[^"]+"', tag) for tag in scripts), scripts
    assert "cdn" not in docs.text
    page = parse_html(docs.text)
    headings = {h.text for h in page.find_all("h3")}
    for path, item in schema["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in headings, (method, path)
    # Every field's description is on the page (the page is read from the schema).
    text = page.text
    for name, model in schema["components"]["schemas"].items():
        for field, spec in model.get("properties", {}).items():
            if spec.get("description"):
                assert " ".join(spec["description"].split()) in text, (name, field)


def test_security_headers_on_every_kind_of_response(client: TestClient) -> None:
    for path in ("/api/search?q=familie", "/", "/static/style.css", "/healthz", "/corpus/haandbog.pdf", "/nowhere",
                 "/opensearch.xml"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'self'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


# -- CORS -----------------------------------------------------------------------------------------
def test_no_cors_by_default(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "familie"}, headers={"Origin": "https://intra.example"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_for_configured_origins_only(make_client) -> None:
    test_client = make_client(cors_origins=["https://intra.example"])
    allowed = test_client.options("/api/search", headers={"Origin": "https://intra.example",
                                                           "Access-Control-Request-Method": "GET"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://intra.example"
    response = test_client.get("/api/search", params={"q": "familie"}, headers={"Origin": "https://intra.example"})
    assert response.headers["access-control-allow-origin"] == "https://intra.example"
    other = test_client.get("/api/search", params={"q": "familie"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    # Calling the API is not permission to frame the pages (that is KB_FRAME_ANCESTORS).
    assert "frame-ancestors 'self';" in response.headers["content-security-policy"] + ";"


def test_cors_origins_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KB_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = Settings(data_dir=tmp_path)
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


# -- unexpected errors ----------------------------------------------------------------------------
class BrokenLive:
    version = None

    def current(self) -> None:
        raise RuntimeError("disk on fire")


def test_unexpected_errors_keep_the_shape(built_settings: Settings, embedder: object) -> None:
    from api.deps import get_live

    app = make_app(built_settings, embedder)
    app.dependency_overrides[get_live] = BrokenLive
    with TestClient(app, raise_server_exceptions=False) as test_client:
        detail = assert_error(test_client.get("/api/search", params={"q": "familie"}), 500)
        assert "disk on fire" not in detail  # internals stay in the server log
        assert_error(test_client.get("/p/noget"), 500, html=True)


def test_a_build_error_in_the_public_publications_names_the_file_not_its_server_path(tmp_path: Path) -> None:
    from api.status import without_server_paths

    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    error = f"Filen {tmp_path / 'corpus' / 'vejledning.pdf'} er en HTML-side, ikke en PDF."
    assert without_server_paths(error, settings) == "Filen vejledning.pdf er en HTML-side, ikke en PDF."
    assert without_server_paths(None, settings) is None
