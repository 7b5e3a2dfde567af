"""Intranet hooks: OpenSearch description, suggestions, RSS feed."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from urllib.parse import quote_plus

import pytest
from fastapi.testclient import TestClient

from api.suggest import Suggester, SuggestionCache

# Before the import: the shared helpers assert, and pytest should explain their failures.
pytest.register_assert_rewrite("tests.api_support")
from tests.api_support import ANSWERABLE, XSS_QUERIES, assert_error, parse_html  # noqa: E402

# The app fixtures (client, make_client, bare_client, api_app) live in tests/api_support.py.
pytest_plugins = ["tests.api_support"]

OS = "{http://a9.com/-/spec/opensearch/1.1/}"
KB = "{tag:kb-aere,2026:rss}"


# -- OpenSearch description -----------------------------------------------------------------------
def test_opensearch_description(client: TestClient) -> None:
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{OS}OpenSearchDescription"
    short_name = root.findtext(f"{OS}ShortName")
    assert short_name and len(short_name) <= 16
    assert root.findtext(f"{OS}Description")
    assert root.findtext(f"{OS}InputEncoding") == "UTF-8"
    templates = {url.get("type"): url.get("template") for url in root.findall(f"{OS}Url")}
    assert templates["text/html"] == "http://testserver/?q={searchTerms}"
    assert templates["application/x-suggestions+json"] == "http://testserver/api/suggest?q={searchTerms}"
    assert templates["application/rss+xml"] == "http://testserver/api/search.rss?q={searchTerms}"
    assert templates["application/opensearchdescription+xml"] == "http://testserver/opensearch.xml"


def test_opensearch_urls_follow_the_request_base_url(client: TestClient) -> None:
    response = client.get("https://intranet.kommune.example/opensearch.xml")
    root = ET.fromstring(response.content)
    for url in root.findall(f"{OS}Url"):
        assert url.get("template", "").startswith("https://intranet.kommune.example/")


def test_pages_link_the_description(client: TestClient) -> None:
    link = parse_html(client.get("/").text).find("link", rel="search")
    assert link.attrs["type"] == "application/opensearchdescription+xml"
    assert link.attrs["href"] == "/opensearch.xml"


# -- suggestions ----------------------------------------------------------------------------------
def test_suggestions_complete_the_prefix(client: TestClient) -> None:
    response = client.get("/api/suggest", params={"q": "Tvang"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-suggestions+json")
    query, completions = response.json()
    assert query == "Tvang"
    assert completions
    assert all(c.casefold().startswith("tvang") for c in completions)
    assert any(c == "tvangsægteskab" for c in completions)


def test_suggestions_offer_section_titles_first(client: TestClient, api_app) -> None:
    sections = {p.section for p in api_app.state.live.current().passages if p.section}
    _, completions = client.get("/api/suggest", params={"q": "gen"}).json()
    assert completions[0] in sections


def test_suggestions_complete_the_last_word(client: TestClient) -> None:
    _, completions = client.get("/api/suggest", params={"q": "hvad er genopdr"}).json()
    assert completions
    assert all(c.startswith("hvad er genopdr") for c in completions)


def test_no_suggestions_for_nothing(client: TestClient) -> None:
    assert client.get("/api/suggest", params={"q": ""}).json() == ["", []]
    assert client.get("/api/suggest", params={"q": "zzzqqq"}).json() == ["zzzqqq", []]


def test_suggestions_are_built_once_per_version(api_app, client: TestClient) -> None:
    index = api_app.state.live.current()
    cache = SuggestionCache()
    first = cache.for_index(index)
    assert cache.for_index(index) is first
    newer = copy.copy(index)
    newer.version = "a-newer-version"
    rebuilt = cache.for_index(newer)
    assert rebuilt is not first
    assert cache.for_index(newer) is rebuilt


def test_suggester_ranks_sections_then_frequent_words() -> None:
    suggester = Suggester(["Tvangsægteskab og arrangerede ægteskaber"], ["tvang", "tvangsægteskab", "tvangsægteskaber"])
    assert suggester.suggest("tvangs") == ["Tvangsægteskab og arrangerede ægteskaber", "tvangsægteskab",
                                           "tvangsægteskaber"]
    assert suggester.suggest("tvangsægteskab") == ["Tvangsægteskab og arrangerede ægteskaber", "tvangsægteskaber"]


# -- RSS ------------------------------------------------------------------------------------------
def test_rss_feed(client: TestClient) -> None:
    response = client.get("/api/search.rss", params={"q": ANSWERABLE, "k": 4})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rss+xml")
    rss = ET.fromstring(response.content)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel is not None
    assert channel.findtext("title") and channel.findtext("description")
    assert channel.findtext("link") == "http://testserver/?q=" + quote_plus(ANSWERABLE)
    items = channel.findall("item")
    assert len(items) == 4
    assert channel.findtext(f"{KB}confident") == "true"
    # Every passage that clears the floor is counted, not only the four listed.
    every = client.get("/api/search", params={"q": ANSWERABLE, "k": 50}).json()["results"]
    assert len(every) > 4
    assert channel.findtext(f"{OS}totalResults") == str(len(every))
    assert channel.findtext(f"{OS}startIndex") == "1"
    assert channel.findtext(f"{OS}itemsPerPage") == "4"
    query = channel.find(f"{OS}Query")
    assert query is not None and query.get("role") == "request" and query.get("searchTerms") == ANSWERABLE
    expected = client.get("/api/search", params={"q": ANSWERABLE, "k": 4}).json()["results"]
    for item, passage in zip(items, expected, strict=True):
        title = item.findtext("title") or ""
        # "Section – Title (SIRI 2018), s. 12": what and where, as a caseworker cites it
        assert passage["publication_title"] + " (SIRI " in title
        where = f"s. {passage['page_label']}" if passage["page_label"] else f"PDF-side {passage['page_start']}"
        assert title.endswith(where)
        if passage["section"]:
            assert title.startswith(passage["section"] + " – ")
        link = item.findtext("link")
        assert link == f"http://testserver/p/{passage['id']}"
        assert item.findtext("guid") == link
        assert item.find("guid").get("isPermaLink") == "true"  # type: ignore[union-attr]
        assert item.findtext("description") == passage["text"]
        assert client.get(link).status_code == 200


def test_rss_feed_is_empty_when_nothing_is_relevant(client: TestClient) -> None:
    response = client.get("/api/search.rss", params={"q": "parkeringstilladelse"})
    assert response.status_code == 200
    channel = ET.fromstring(response.content).find("channel")
    assert channel is not None
    assert channel.findall("item") == []
    assert channel.findtext(f"{OS}totalResults") == "0"
    assert channel.findtext(f"{KB}confident") == "false"


def test_rss_feed_of_one_publication(client: TestClient) -> None:
    response = client.get("/api/search.rss",
                          params={"q": "Hvad har skolens ledelse ansvaret for?", "publication": "godpraksis"})
    channel = ET.fromstring(response.content).find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert items and all("God praksis i skoler" in (i.findtext("title") or "") for i in items)
    assert "publication=godpraksis" in (channel.findtext("link") or "")


def test_rss_escapes_the_query(client: TestClient) -> None:
    for attack in XSS_QUERIES:
        response = client.get("/api/search.rss", params={"q": attack})
        rss = ET.fromstring(response.content)  # still well-formed XML
        query = rss.find(f"channel/{OS}Query")
        assert query is not None and query.get("searchTerms") == attack


def test_rss_errors_are_json(client: TestClient) -> None:
    assert_error(client.get("/api/search.rss"), 422)
    assert_error(client.get("/api/search.rss", params={"q": "  "}), 422, contains="tomt")
    assert_error(client.get("/api/search.rss", params={"q": "familie", "k": 99}), 422)


def test_public_url_overrides_the_host_header(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(public_url="https://intranet.example.dk/vidensbase")
    response = client.get("/opensearch.xml", headers={"Host": "evil.example"})
    assert "https://intranet.example.dk/vidensbase/?q={searchTerms}" in response.text
    assert "evil.example" not in response.text
    rss = client.get("/api/search.rss", params={"q": "genopdragelsesrejse"}, headers={"Host": "evil.example"})
    assert "<link>https://intranet.example.dk/vidensbase/p/" in rss.text and "evil.example" not in rss.text
