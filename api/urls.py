"""The one place that builds the service's URLs; views, feeds and templates all call it.

Paths honour the ASGI ``root_path`` so the service can sit under a prefix behind an intranet
proxy; ``absolute()`` adds scheme and host for feeds and the OpenSearch description.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import Request

from api.schemas import PassageBase, pdf_url, permalink_path

# OpenSearch 1.1 template parameter: clients substitute it, so it must stay unencoded.
SEARCH_TERMS = "{searchTerms}"


class Urls:
    def __init__(self, root_path: str = "", origin: str = "") -> None:
        self.root = root_path.rstrip("/")
        self.origin = origin.rstrip("/")

    @classmethod
    def for_request(cls, request: Request) -> Urls:
        # Absolute URLs (feeds, OpenSearch) leave the service: behind a proxy, or against a forged
        # Host header, the configured public address is the one to hand out.
        public = getattr(request.app.state.settings, "public_url", None)
        if public:
            base = public.rstrip("/")
            origin, _, root = base.partition("://")
            host, slash, path = root.partition("/")
            return cls(f"{slash}{path}" if slash else "", f"{origin}://{host}")
        return cls(request.scope.get("root_path", ""), f"{request.url.scheme}://{request.url.netloc}")

    def base(self) -> str:
        """Scheme, host and root path: what the JSON API's absolute links start with."""
        return self.absolute(self.root)

    def path(self, path: str) -> str:
        return f"{self.root}{path}"

    def absolute(self, url: str) -> str:
        return f"{self.origin}{url}"

    # -- pages --------------------------------------------------------------------------------
    def home(self) -> str:
        return self.path("/")

    def search(self, q: str, publication: str | None = None, k: int | None = None,
               shortened: int | None = None) -> str:
        """``/?q=…``; the optional parts only when set, so the plain link stays short."""
        params: dict[str, str | int] = {"q": q}
        if publication:
            params["publication"] = publication
        if k is not None:
            params["k"] = k
        if shortened is not None:
            params["forkortet"] = shortened
        return self.path("/?" + urlencode(params))

    def passage(self, passage_id: str) -> str:
        return self.path(permalink_path(passage_id))

    def current_pdf(self, file: str) -> str:
        """The live edition of a PDF, from its first page (where an edition-pinned link cannot go)."""
        return self.path(pdf_url(file, 1))

    def passage_pdf(self, passage: PassageBase) -> str:
        """The passage's own ``url`` (``/corpus/<file>?udgave=<edition>#page=N``) under the root path."""
        return self.path(passage.url)

    def feedback(self) -> str:
        return self.path("/feedback")

    def static(self, name: str) -> str:
        return self.path("/static/" + quote(name))

    # -- feeds and intranet hooks -------------------------------------------------------------
    def opensearch(self) -> str:
        return self.path("/opensearch.xml")

    def suggest(self, q: str) -> str:
        return self.path("/api/suggest?" + urlencode({"q": q}))

    def rss(self, q: str, publication: str | None = None) -> str:
        params = {"q": q, **({"publication": publication} if publication else {})}
        return self.path("/api/search.rss?" + urlencode(params))

    def openapi(self) -> str:
        return self.path("/openapi.json")

    def template(self, kind: str) -> str:
        """Absolute OpenSearch URL template for ``html``, ``suggest`` or ``rss``."""
        base = {"html": self.home(), "suggest": self.path("/api/suggest"), "rss": self.path("/api/search.rss")}[kind]
        return self.absolute(f"{base}?q={SEARCH_TERMS}")
