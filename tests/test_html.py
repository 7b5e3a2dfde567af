"""The Danish pages, parsed: search page, results, not-confident results, permalinks, PDFs, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.render import BASE_CONTEXT, DEMO_NOTICE, Highlighter

# Before the import: the shared helpers assert, and pytest should explain their failures.
pytest.register_assert_rewrite("tests.api_support")
from tests.api_support import (  # noqa: E402
    ANSWERABLE,
    UNANSWERABLE,
    XSS_QUERIES,
    Node,
    add_old_version,
    assert_error,
    copy_data_dir,
    make_app,
    parse_html,
)

# The app fixtures (client, make_client, bare_client, api_app) live in tests/api_support.py.
pytest_plugins = ["tests.api_support"]


def page_of(response) -> Node:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("text/html")
    return parse_html(response.text)


def assert_accessible_frame(page: Node) -> None:
    """What every page has: Danish, a title, a skip link to main, one h1, a labelled search field."""
    assert page.find("html").attrs["lang"] == "da"
    assert page.find("title").text
    skip = page.find("a", class_="skip-link")
    assert skip.attrs["href"] == "#indhold"
    assert page.find("main").attrs["id"] == "indhold"
    assert len(page.find_all("h1")) == 1
    search = page.find("input", name="q")
    label = page.find("label", for_=search.attrs["id"])
    assert label.text
    assert page.find("link", rel="search").attrs["href"] == "/opensearch.xml"


# -- start page -----------------------------------------------------------------------------------
def test_start_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = page_of(response)
    assert_accessible_frame(page)
    form = page.find("form", role="search")
    assert form.attrs["method"] == "get" and form.attrs["action"] == "/"
    assert page.find("input", name="q").attrs["value"] == ""
    assert not page.find_all(class_="demo-banner")
    assert not page.find_all("section", class_="answer")


def test_blank_question_shows_the_start_page(client: TestClient) -> None:
    response = client.get("/", params={"q": "   "})
    assert response.status_code == 200
    assert not page_of(response).find_all(class_="notice")


# -- results --------------------------------------------------------------------------------------
def test_results_page_with_answer_and_sources(client: TestClient) -> None:
    response = client.get("/", params={"q": ANSWERABLE})
    assert response.status_code == 200
    page = page_of(response)
    assert_accessible_frame(page)
    assert page.find("input", name="q").attrs["value"] == ANSWERABLE
    answer = page.find("section", class_="answer")
    sentences = answer.find_all("li")
    assert 1 <= len(sentences) <= 3
    passages = page.find_all("article", class_="passage")
    assert len(passages) == 10
    for sentence in sentences:
        cite = sentence.find("a", class_="cite")
        target = cite.attrs["href"]
        assert re.fullmatch(r"#kilde-\d+", target)
        source = page.by_id(target[1:])
        # The sentence is quoted from the passage it cites.
        quoted = sentence.text.rsplit("[", 1)[0].strip()
        assert quoted in source.find("p", class_="passage-text").text
    for number, article in enumerate(passages, start=1):
        assert article.attrs["id"] == f"kilde-{number}"
        assert article.find("h3").text.startswith(f"[{number}]")
        meta = article.find("p", class_="passage-meta").text
        assert re.search(r"PDF-side \d+", meta)
        pdf = next(a for a in article.find_all("a") if a.text.startswith("Åbn i PDF"))
        page_number = re.fullmatch(r"Åbn i PDF \(side (\d+)\)", pdf.text).group(1)
        assert re.fullmatch(rf"/corpus/[a-z0-9-]+\.pdf#page={page_number}", pdf.attrs["href"])
        permalink = next(a for a in article.find_all("a") if a.attrs["href"].startswith("/p/"))
        assert permalink.text.startswith("Permanent link")
    assert page.find("h2", id="kilder-overskrift").text == "Kilder"


def test_printed_page_label_is_shown(client: TestClient) -> None:
    page = page_of(client.get("/", params={"q": ANSWERABLE}))
    metas = [a.find("p", class_="passage-meta").text for a in page.find_all("article", class_="passage")]
    assert any(re.search(r"\bs\. \d+", m) for m in metas)
    labelled = client.get("/api/search", params={"q": ANSWERABLE, "k": 10}).json()["results"]
    for meta, passage in zip(metas, labelled, strict=True):
        if passage["page_label"]:
            assert f"s. {passage['page_label']}" in meta


def test_question_words_are_highlighted(client: TestClient) -> None:
    page = page_of(client.get("/", params={"q": "genopdragelsesrejse"}))
    marks = [m.text.casefold() for m in page.find_all("mark")]
    assert marks
    assert all(m.startswith("genopdragelsesrejse") for m in marks)


def test_not_confident_page(client: TestClient) -> None:
    response = client.get("/", params={"q": UNANSWERABLE})
    assert response.status_code == 200
    page = page_of(response)
    assert not page.find_all("section", class_="answer")
    notice = page.find("div", class_="notice-uncertain")
    assert "ikke noget sikkert svar" in notice.text
    label = page.find("h2", id="kilder-overskrift").text
    assert label.startswith("Nærmeste passager")
    assert page.find_all("article", class_="passage")


def test_too_long_question_is_a_friendly_422(client: TestClient) -> None:
    response = client.get("/", params={"q": "ord " * 200})
    assert response.status_code == 422
    page = page_of(response)
    assert "højst 500 tegn" in page.find("div", role="alert").text
    assert page.find("input", name="q")


@pytest.mark.parametrize("attack", XSS_QUERIES)
def test_question_is_escaped_everywhere(client: TestClient, attack: str) -> None:
    response = client.get("/", params={"q": attack})
    assert response.status_code == 200
    page = page_of(response)
    assert not page.find_all("script")
    assert not page.find_all("img")
    assert page.find("input", name="q").attrs["value"] == attack
    assert attack not in response.text  # only in escaped form
    assert "&lt;" in response.text or "&#34;" in response.text


def test_highlighter_escapes_before_marking() -> None:
    highlight = Highlighter()
    terms = highlight.terms("Hvad er tvangsægteskaber?")
    html = str(highlight('<b>Tvangsægteskab</b> & "tvangsægteskaberne" er <script>', terms))
    assert html == ('&lt;b&gt;<mark>Tvangsægteskab</mark>&lt;/b&gt; &amp; &#34;<mark>tvangsægteskaberne</mark>'
                    '&#34; er &lt;script&gt;')
    assert str(highlight("a < b", frozenset())) == "a &lt; b"
    # Marking happens on the raw words, so the escapes' own letters ("amp", "lt") are never marked.
    assert str(highlight("a & b < c", highlight.terms("amp lt quot"))) == "a &amp; b &lt; c"
    # Stop words are never marked.
    assert "<mark>" not in str(highlight("Hvad er det?", highlight.terms("hvad er det")))


def test_highlighter_matches_danish_forms() -> None:
    highlight = Highlighter()
    terms = highlight.terms("familiens kontrol")
    marked = str(highlight("Familien kontrollerer hende; familier og kontrollen.", terms))
    assert marked.count("<mark>") == 4


# -- permalinks -----------------------------------------------------------------------------------
def test_permalink_page(client: TestClient) -> None:
    results = client.get("/api/search", params={"q": "genopdragelsesrejse", "k": 1}).json()["results"]
    passage = client.get(f"/api/passages/{results[0]['id']}").json()
    response = client.get(f"/p/{passage['id']}")
    assert response.status_code == 200
    page = page_of(response)
    assert_accessible_frame(page)
    assert page.find("h1").text == (passage["section"] or "Passage")
    article = page.find("article", class_="passage")
    assert " ".join(passage["text"].split()) == article.find("p", class_="passage-text").text
    pdf = next(a for a in article.find_all("a") if a.text.startswith("Åbn i PDF"))
    assert "http://testserver" + pdf.attrs["href"] == passage["url"]  # the page links by path, JSON absolute
    nav = page.find("nav", class_="neighbours")
    links = {a.attrs["rel"]: a.attrs["href"] for a in nav.find_all("a")}
    if passage["previous_id"]:
        assert links["prev"] == f"/p/{passage['previous_id']}"
    if passage["next_id"]:
        assert links["next"] == f"/p/{passage['next_id']}"
    assert links


def test_unknown_permalink_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/p/haandbog-0000000000")
    detail = assert_error(response, 404, html=True)
    assert "findes ikke" in detail
    assert page_of(response).find("input", name="q").attrs["value"] == ""


def test_retired_permalink_offers_its_old_section(tmp_path: Path, built_settings, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = copy_data_dir(built_settings, tmp_path / "data")
    add_old_version(settings.data_dir, "20000101T000000-aaaaaa", [{
        "id": "haandbog-gammel00000", "publication_id": "haandbog", "publication_title": "Håndbog",
        "page_start": 6, "page_end": 6, "page_label": "4", "section": "Genopdragelsesrejser",
        "text": "En ældre formulering.",
    }])
    with TestClient(make_app(settings, embedder)) as test_client:
        response = test_client.get("/p/haandbog-gammel00000")
    detail = assert_error(response, 404, html=True)
    assert "«Genopdragelsesrejser»" in detail
    assert page_of(response).find("input", name="q").attrs["value"] == "Genopdragelsesrejser"


# -- the PDFs -------------------------------------------------------------------------------------
def test_corpus_serves_pdfs_named_in_the_manifest(client: TestClient) -> None:
    response = client.get("/corpus/haandbog.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("inline")


@pytest.mark.parametrize("path", [
    "/corpus/", "/corpus", "/corpus/publications.toml", "/corpus/missing.pdf", "/corpus/..%2Fpublications.toml",
    "/corpus/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/corpus/.fetch", "/corpus/HAANDBOG.PDF", "/corpus/haandbog.pdf%00",
])
def test_corpus_serves_nothing_else(client: TestClient, path: str) -> None:
    assert_error(client.get(path), 404, html=True)


# -- errors and the demo banner -------------------------------------------------------------------
def test_unknown_page_is_a_danish_404(client: TestClient) -> None:
    response = client.get("/noget/der/ikke/findes")
    assert_error(response, 404, html=True)
    page = page_of(response)
    assert_accessible_frame(page)
    assert page.find("h1").text == "Siden findes ikke"


def test_no_index_page_says_what_to_do(bare_client: TestClient) -> None:
    response = bare_client.get("/", params={"q": "familie"})
    assert_error(response, 503, html=True, contains="midlertidigt ikke tilgængelig")
    assert "kb ingest" not in response.text  # operator details stay in /readyz and the log
    # The empty search page still works: a portal link to "/" never shows an error.
    assert bare_client.get("/").status_code == 200


def test_demo_banner_on_every_page(make_client) -> None:
    demo = make_client(demo=True)
    passage_id = demo.get("/api/search", params={"q": "familie", "k": 1}).json()["results"][0]["id"]
    for path, status in (("/", 200), (f"/?q={ANSWERABLE}", 200), (f"/p/{passage_id}", 200), ("/p/ukendt", 404),
                         ("/findes-ikke", 404)):
        response = demo.get(path)
        assert response.status_code == status
        banner = page_of(response).find(class_="demo-banner")
        assert banner.text == DEMO_NOTICE


# -- the template context -------------------------------------------------------------------------
def test_every_page_gets_the_base_context(client: TestClient) -> None:
    passage_id = client.get("/api/search", params={"q": "familie", "k": 1}).json()["results"][0]["id"]
    for path in ("/", f"/?q={ANSWERABLE}", f"/?q={UNANSWERABLE}", f"/p/{passage_id}", "/p/ukendt", "/findes-ikke",
                 "/?q=" + "x" * 600):
        response = client.get(path)
        missing = set(BASE_CONTEXT) - set(response.context)  # type: ignore[attr-defined]
        assert not missing, (path, missing)
