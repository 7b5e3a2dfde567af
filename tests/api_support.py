"""Shared pieces of the API tests: app fixtures, the error-shape helper, a small HTML parser, and a
real uvicorn server in a thread.

Test modules import the fixtures they use (``from tests.api_support import client, …``);
they build on the session fixtures of ``conftest.py`` (``built_settings``, ``embedder``).
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ingest.settings import Settings

ANSWERABLE = "Hvad er SSP-samarbejdet?"
UNANSWERABLE = "Hvordan søger man om parkeringstilladelse til en campingvogn?"
XSS_QUERIES = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
# Words of FastAPI's and Starlette's English defaults; none may reach a caseworker.
ENGLISH = re.compile(r"\b(the|field|required|not found|error|invalid|method|allowed|value|input)\b", re.IGNORECASE)
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


# -- apps and clients -----------------------------------------------------------------------------
def with_settings(settings: Settings, **overrides: Any) -> Settings:
    """A validated copy (``model_copy`` would not turn a token into a ``SecretStr``)."""
    return Settings(**{**settings.model_dump(), **overrides})


def make_app(settings: Settings, embedder: Any = None) -> FastAPI:
    from api.app import create_app

    return create_app(settings, embedder=embedder)


@pytest.fixture(scope="session")
def api_app(built_settings: Settings, embedder: Any) -> FastAPI:
    """One app over the fixture index, shared by the read-only tests of a module."""
    return make_app(built_settings, embedder)


@pytest.fixture(scope="session")
def client(api_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(api_app) as test_client:  # runs the lifespan: model + live index load once
        yield test_client


@pytest.fixture
def make_client(built_settings: Settings, embedder: Any) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)``: a fresh app over the fixture index with other settings."""
    clients: list[TestClient] = []

    def factory(**overrides: Any) -> TestClient:
        settings = with_settings(built_settings, **overrides)
        test_client = TestClient(make_app(settings, embedder))
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield factory
    for test_client in clients:
        test_client.__exit__(None, None, None)


@pytest.fixture
def bare_client(tmp_path: Path) -> Iterator[TestClient]:
    """An app over an empty data dir: no live index, no model loaded."""
    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", embedding_model="unused")
    with TestClient(make_app(settings)) as test_client:
        yield test_client


def copy_data_dir(settings: Settings, target: Path) -> Settings:
    """A private, writable copy of a built data dir (the corpus stays shared and read-only)."""
    shutil.copytree(settings.data_dir, target)
    return with_settings(settings, data_dir=target)


def add_old_version(data_dir: Path, version: str, passages: list[dict[str, Any]]) -> None:
    """An older index version on disk holding only what the 404 page reads (manifest + passages)."""
    path = data_dir / "versions" / version
    path.mkdir(parents=True)
    (path / "passages.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages),
                                         encoding="utf-8")
    (path / "manifest.json").write_text(json.dumps({"version": version, "publications": []}), encoding="utf-8")


# -- the error shape ------------------------------------------------------------------------------
def assert_error(response: httpx.Response, status: int, *, html: bool = False, contains: str | None = None) -> str:
    """Every error: the right status and one shape; JSON ``{"detail": "<Danish sentence>"}`` or a
    Danish page built on ``base.html`` that states the problem. Returns the detail text."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    for header in SECURITY_HEADERS:
        assert header in response.headers, header
    if html:
        assert response.headers["content-type"].startswith("text/html")
        page = parse_html(response.text)
        assert page.find("html").attrs.get("lang") == "da"
        headings = page.find_all("h1")
        assert len(headings) == 1 and headings[0].text
        notice = page.find("div", class_="notice")
        detail = notice.text
    else:
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert set(body) == {"detail"}, body
        detail = body["detail"]
        assert isinstance(detail, str)
    assert detail.strip(), "an error must say what is wrong"
    assert not ENGLISH.search(detail), f"caseworkers read Danish: {detail!r}"
    if contains is not None:
        assert contains in detail, detail
    return detail


# -- a small HTML tree (stdlib only) --------------------------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join("".join(parts).split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, class_: str | None = None, **attrs: str) -> list[Node]:
        return [
            node for node in self.iter()
            if (tag is None or node.tag == tag)
            and (class_ is None or class_ in node.classes)
            and all(node.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, **kwargs: str) -> Node:
        found = self.find_all(tag, **kwargs)
        assert found, f"no <{tag}> with {kwargs}"
        return found[0]

    def by_id(self, element_id: str) -> Node:
        return self.find(None, id=element_id)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# -- a real server --------------------------------------------------------------------------------
@contextmanager
def running_server(app: FastAPI, **config: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (ephemeral port) in a thread; yields the base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
