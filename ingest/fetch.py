"""Download the publications' PDFs: find the link, ask only for what changed, never break the old file.

    Publication ──pdf_url, or discover on landing_url──► PDF URL
        ──conditional GET (If-None-Match / If-Modified-Since)──► 304: unchanged
                                                              └─► 200: stream to .<file>.<rand>.part
        ──check (ingest.extract.open_pdf; sha256)──────────► os.replace over the old PDF
        ──► .fetch/<id>.json (see ``ingest.fetchstate``)

Only https to public addresses is fetched (see ``ingest.netpolicy``: private addresses only with
KB_FETCH_ALLOW_PRIVATE, plain http only to this machine with KB_FETCH_ALLOW_HTTP_LOCALHOST); redirects
are followed by hand so that every hop is checked. Each publication has an overall deadline
(KB_FETCH_DEADLINE) besides the per-read timeout, so a server that drips bytes cannot hold a refresh.
Any failure leaves the old PDF byte-identical and removes the temporary file; ``fetch_all`` first
sweeps the ``.part`` files a killed run left behind, and reports failures per publication (in short
messages that never quote the server's body) instead of raising.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import shutil
import ssl
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import httpx
from tqdm import tqdm

from ingest.errors import ExtractionError, FetchError
from ingest.extract.pdf import open_pdf
from ingest.fetchstate import FETCH_DIR_NAME, FetchFacts, file_sha256, now_iso, read_facts, write_facts
from ingest.manifest import missing_pdf_hint
from ingest.models import Publication
from ingest.netpolicy import AddressPolicy, GuardedBackend, Refused, check_redirect, check_url, guarded_transport
from ingest.settings import DEFAULT_FETCH_MAX_REDIRECTS, Settings

__all__ = ["AddressPolicy", "FetchResult", "Fetcher", "GuardedBackend", "check_pdf", "check_redirect", "check_url",
           "find_pdf_link", "sweep_partials"]

logger = logging.getLogger("kb.fetch")

FetchStatus = Literal["downloaded", "unchanged", "failed", "skipped"]

USER_AGENT = "kb-aere/0.1 (kb fetch)"
LANDING_PAGE_MAX_BYTES = 5 * 1024 * 1024  # a news page is a few hundred kB; more means something is wrong
STREAM_CHUNK_BYTES = 64 * 1024
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # readers accept the %PDF- header anywhere in the first 1024 bytes
NEW_FILE_MODE = 0o644  # mkstemp makes 0600 files; the web server must still be able to serve the PDF
MAX_ERROR_CHARS = 600  # one report line; a server must not be able to fill the report
MAX_LINKS_SHOWN = 5

# Words that say nothing about which publication a link is; they would make every link look alike.
# Spelled as normalise() leaves them (på → paa).
STOPWORDS = frozenset(
    {"af", "at", "de", "den", "der", "det", "du", "en", "er", "et", "for", "fra", "har", "hent", "her"}
    | {"med", "og", "om", "paa", "pdf", "som", "til", "ved", "version"}
)
MIN_PREFIX_MATCH = 4  # "håndbogen" matches "håndbog", but "om" does not match "omsorg"


@dataclass(frozen=True)
class FetchResult:
    """What happened to one publication.

    ``sha256`` is the hash of the PDF now in the corpus folder (the old one after a failure; None
    when there is none). ``bytes`` counts the PDF body received in this run: 0 for a 304, a skip
    or a failure.
    """

    publication_id: str
    status: FetchStatus
    sha256: str | None = None
    error: str | None = None
    bytes: int = 0
    pdf_url: str | None = None

    @property
    def changed(self) -> bool:
        return self.status == "downloaded"


# --- finding the PDF on a landing page ----------------------------------------------------------


class _LinkCollector(HTMLParser):
    """Collects ``<a href>`` targets with their visible text (plus title/alt), and ``<base href>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base_href: str | None = None
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base_href is None and attributes.get("href"):
            self.base_href = attributes["href"].strip()
        elif tag == "a":
            self._finish_link()  # browsers close an open <a> when a new one starts
            if attributes.get("href"):
                self._href = attributes["href"].strip()
                self._text = [attributes.get("title", ""), attributes.get("aria-label", "")]
        elif tag == "img" and self._href is not None:
            self._text.append(attributes.get("alt", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._finish_link()

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._finish_link()

    def _finish_link(self) -> None:
        if self._href is not None:
            self.links.append((self._href, " ".join(" ".join(self._text).split())))
        self._href = None
        self._text = []


def normalise(text: str) -> str:
    """Lower case with the Danish letters spelled the way they are in file names (æ→ae, ø→oe, å→aa)."""
    return text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")


def tokens(text: str) -> set[str]:
    words = re.findall(r"[^\W_]+", normalise(text))
    return {word for word in words if len(word) > 1 and word not in STOPWORDS}


def _same_word(a: str, b: str) -> bool:
    # Danish inflects by suffix (håndbog/håndbogen, vejledning/vejledningen), so a prefix counts.
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= MIN_PREFIX_MATCH and longer.startswith(shorter)


def match_score(title: str, link_text: str, url: str) -> float:
    """Share of the title's words found in the link text or the PDF's file name."""
    wanted = tokens(title)
    if not wanted:
        return 0.0
    file_stem = PurePosixPath(unquote(urlsplit(url).path)).stem
    offered = tokens(link_text) | tokens(file_stem.replace("-", " "))
    found = sum(1 for word in wanted if any(_same_word(word, other) for other in offered))
    return found / len(wanted)


def pdf_links(html: str, page_url: str) -> dict[str, str]:
    """Absolute PDF URL → the text of every link to it, in page order."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    base = urljoin(page_url, collector.base_href) if collector.base_href else page_url
    found: dict[str, str] = {}
    for href, text in collector.links:
        absolute = urldefrag(urljoin(base, href)).url
        if urlsplit(absolute).path.lower().endswith(".pdf"):
            found[absolute] = f"{found.get(absolute, '')} {text}".strip()
    return found


def find_pdf_link(html: str, page_url: str, title: str) -> str:
    """The PDF link on a landing page that best matches the publication's title."""
    links = pdf_links(html, page_url)
    if not links:
        raise FetchError(f"ingen PDF-link fundet på siden {page_url}")
    if len(links) == 1:
        return next(iter(links))
    # max() keeps the first of equal scores, so ties go to the link that comes first on the page.
    best_url = max(links, key=lambda url: match_score(title, links[url], url))
    if match_score(title, links[best_url], best_url) == 0:
        shown = ", ".join(list(links)[:MAX_LINKS_SHOWN])
        more = f" og {len(links) - MAX_LINKS_SHOWN} flere" if len(links) > MAX_LINKS_SHOWN else ""
        raise FetchError(
            f"siden {page_url} linker til {len(links)} PDF'er, men ingen ligner titlen {title!r}: {shown}{more}"
        )
    return best_url


# --- checking a downloaded file -----------------------------------------------------------------


def check_pdf(path: Path, url: str) -> None:
    """Raise FetchError unless ``path`` is a PDF that pypdf can read and that has at least one page."""
    try:
        open_pdf(path, name=url)
    except ExtractionError as exc:
        if exc.detail:  # the reader's own (English) words: the log, not the report
            logger.warning("%s: the PDF reader said: %s", url, exc.detail)
        raise FetchError(str(exc)) from exc


def _require_pdf_header(path: Path, url: str, response: httpx.Response) -> None:
    # Said here rather than left to check_pdf: the body of an error or login page may hold a
    # session token, so the message names its type and never quotes it.
    with path.open("rb") as source:
        head = source.read(PDF_HEADER_WINDOW)
    if not head:
        raise FetchError(f"svaret fra {url} er tomt (0 byte), ikke en PDF")
    if PDF_MAGIC not in head:
        kind = " ".join(response.headers.get("content-type", "ukendt").split())[:80]
        looks = "ligner en HTML-side; " if head.lstrip()[:1] == b"<" else ""
        raise FetchError(f"svaret fra {url} er ikke en PDF ({looks}Content-Type: {kind})")


def _http_failure(exc: httpx.HTTPError) -> str:
    """What went wrong with a download, in Danish where httpx's words are English only.

    A connection the address guard refused keeps its own text: the guard (ingest/netpolicy.py)
    says in Danish why it refused."""
    causes = _causes(exc)
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(c, Refused) for c in causes):
            return str(exc)
        if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
            # Behind an intranet proxy that inspects TLS, its certificate must be trusted by the
            # system (or SSL_CERT_FILE): the usual cause, and one the operator can act on.
            return ("serverens certifikat kunne ikke godkendes (TLS); står maskinen bag en proxy, der "
                    "undersøger trafikken, skal proxyens certifikat være betroet")
        if any(isinstance(c, ssl.SSLError) for c in causes):
            return "der kunne ikke oprettes en sikker forbindelse (TLS) til serveren"
        return "der kunne ikke oprettes forbindelse til serveren (afvist eller utilgængelig)"
    if isinstance(exc, httpx.TooManyRedirects):
        return "for mange omdirigeringer"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "serveren afbrød forbindelsen, før hele filen var hentet (filen ville være afkortet)"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return "forbindelsen til serveren fejlede undervejs"
    if isinstance(exc, httpx.DecodingError):
        return "svaret kunne ikke afkodes (ugyldig komprimering)"
    return str(exc) or type(exc).__name__


def _os_failure(exc: Exception) -> str:
    """Why a file could not be written, in Danish, for the errors an operator can act on."""
    reasons = {
        errno.ENOSPC: "disken er fuld",
        errno.EDQUOT: "diskkvoten er brugt op",
        errno.EACCES: "ingen skriveadgang til mappen",
        errno.EPERM: "ingen skriveadgang til mappen",
        errno.EROFS: "filsystemet er skrivebeskyttet",
    }
    reason = reasons.get(getattr(exc, "errno", None) or -1)
    return reason or f"{type(exc).__name__}; se loggen"


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it was raised from, outermost first (httpx wraps httpcore's, which
    wraps the socket's or ssl's)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def sweep_partials(corpus_dir: Path) -> list[Path]:
    """Remove the temporary files of downloads that were killed (ours are hidden: ``.<name>.<rand>.part``)."""
    removed = []
    for folder in (corpus_dir, corpus_dir / FETCH_DIR_NAME):
        if folder.is_dir():
            for path in folder.glob(".*.part"):
                path.unlink(missing_ok=True)
                removed.append(path)
    if removed:
        logger.info("removed %d unfinished download(s) left by an earlier run", len(removed))
    return removed


def _bounded(message: str) -> str:
    return message if len(message) <= MAX_ERROR_CHARS else message[: MAX_ERROR_CHARS - 1] + "…"


class Deadline:
    """The overall time one publication's download may take (KB_FETCH_DEADLINE)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def check(self, url: str) -> None:
        if self.remaining() <= 0:
            raise FetchError(f"hentningen af {url} tog mere end {self.seconds:g} s og er afbrudt; se KB_FETCH_DEADLINE")


def _copy_mode(old: Path, new: Path) -> None:
    if old.is_file():
        shutil.copymode(old, new)
    else:
        os.chmod(new, NEW_FILE_MODE)


def _content_length(response: httpx.Response) -> int | None:
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


# --- the fetcher --------------------------------------------------------------------------------


class Fetcher:
    """Fetches publications into ``settings.corpus_dir``.

    Pass ``client`` to choose the transport (tests use ``httpx.MockTransport``); without one the
    fetcher makes its own and closes it in ``close()``. ``progress=False`` turns the download bar
    off; otherwise it shows only on a terminal.
    """

    def __init__(
        self,
        settings: Settings,
        client: httpx.Client | None = None,
        *,
        progress: bool = True,
        max_redirects: int = DEFAULT_FETCH_MAX_REDIRECTS,
    ) -> None:
        self._settings = settings
        self._policy = AddressPolicy.from_settings(settings)
        self._owns_client = client is None
        # Our own transport checks every resolved address at connect time. Behind a proxy (HTTPS_PROXY
        # and friends) the proxy connects, not us: keep httpx's proxy support and the URL checks only.
        # A client passed in (tests) gets the URL checks only, too.
        if client is None:
            behind_proxy = any(urllib.request.getproxies().get(s) for s in ("https", "http", "all"))
            transport = None if behind_proxy else guarded_transport(self._policy)
            client = httpx.Client(timeout=settings.fetch_timeout, transport=transport)
        self._client = client
        self._progress = progress
        self._max_redirects = max_redirects
        self._named: frozenset[str] = frozenset()  # the manifest's files, set by fetch_all

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def corpus_dir(self) -> Path:
        return self._settings.corpus_dir

    # public

    def fetch_all(self, publications: Iterable[Publication]) -> list[FetchResult]:
        """Fetch each publication in turn; one failure is reported, never raised."""
        sweep_partials(self.corpus_dir)
        publications = list(publications)
        self._named = frozenset(p.file for p in publications)
        results = []
        for publication in publications:
            try:
                result = self.fetch(publication)
            except Exception as exc:  # a bug for one publication must not stop the others
                logger.exception("unexpected error while fetching %s", publication.id)
                result = FetchResult(publication.id, "failed", error=_bounded(f"{publication.id}: uventet fejl: {exc}"))
            results.append(result)
        return results

    def fetch(self, publication: Publication) -> FetchResult:
        """Bring one publication's PDF up to date; download and validation failures become "failed"."""
        target = self.corpus_dir / publication.file
        source = publication.pdf_url or publication.landing_url
        if not source:
            return self._skip(publication, target)
        url = source
        deadline = Deadline(self._settings.fetch_deadline)
        try:
            url = self._pdf_url(publication, source, deadline)
            result = self._fetch_pdf(publication, source, url, target, deadline)
        except (FetchError, httpx.HTTPError, OSError) as exc:
            message = _bounded(f"{publication.id}: {self._describe(exc, url, deadline)}")
            logger.warning("fetch failed: %s", message)
            sha = file_sha256(target) if target.is_file() else None
            return FetchResult(publication.id, "failed", sha256=sha, error=message, pdf_url=url)
        logger.info("%s: %s (%s)", publication.id, result.status, url)
        return result

    # steps

    def _skip(self, publication: Publication, target: Path) -> FetchResult:
        if target.is_file():
            logger.info("%s: no URL in the manifest; using %s as is", publication.id, target)
            return FetchResult(publication.id, "skipped", sha256=file_sha256(target))
        # The report names the file as it lies in the corpus folder; the log, grepped for paths, in full.
        hint = missing_pdf_hint(self.corpus_dir, target.name, self._named)
        message = f"{publication.id}: ingen URL i manifestet og ingen fil {target.name} i korpusmappen" + (
            f". {hint}" if hint else "; læg PDF'en ind manuelt eller tilføj pdf_url/landing_url")
        logger.warning("fetch failed: %s (%s)", message, target)
        return FetchResult(publication.id, "failed", error=message)

    def _pdf_url(self, publication: Publication, source: str, deadline: Deadline) -> str:
        if publication.pdf_url:
            return publication.pdf_url
        html, page_url = self._get_page(source, deadline)
        url = find_pdf_link(html, page_url, publication.title)
        logger.info("%s: found %s on %s", publication.id, url, page_url)
        return url

    def _get_page(self, url: str, deadline: Deadline) -> tuple[str, str]:
        """The landing page's HTML and its final URL (relative links resolve against it)."""
        limit = min(LANDING_PAGE_MAX_BYTES, self._settings.fetch_max_bytes)
        with self._open(url, {}, deadline) as response:
            if response.status_code != 200:
                raise FetchError(f"siden {url} svarede HTTP {response.status_code}")
            parts: list[bytes] = []
            self._read_body(response, url, limit, parts.append, label=None, deadline=deadline)
            body = b"".join(parts)
            try:
                return body.decode(response.charset_encoding or "utf-8", errors="replace"), str(response.url)
            except LookupError:  # an unknown charset name in Content-Type
                return body.decode("utf-8", errors="replace"), str(response.url)

    def _fetch_pdf(self, publication: Publication, source: str, url: str, target: Path,
                   deadline: Deadline) -> FetchResult:
        facts = read_facts(self.corpus_dir, publication.id)
        current_sha = file_sha256(target) if target.is_file() else None
        headers = self._conditional_headers(facts, url, current_sha)
        with self._open(url, headers, deadline) as response:
            if response.status_code == 304 and headers and facts is not None:
                self._record_not_modified(facts, response, source)
                return FetchResult(publication.id, "unchanged", sha256=current_sha, pdf_url=url)
            if response.status_code != 200:
                raise FetchError(f"serveren svarede HTTP {response.status_code} for {url}")
            sha, size, replaced = self._save(response, url, target, current_sha, publication.id, deadline)
            validators = response.headers.get("etag"), response.headers.get("last-modified")
        fetched_at = facts.fetched_at if facts is not None and not replaced and facts.sha256 == sha else now_iso()
        new_facts = FetchFacts(
            publication_id=publication.id,
            file=publication.file,
            source_url=source,
            pdf_url=url,
            sha256=sha,
            size=size,
            fetched_at=fetched_at,
            checked_at=now_iso(),
            etag=validators[0],
            last_modified=validators[1],
        )
        # The PDF is renamed before the facts are written: if we die in between, the facts' sha256
        # no longer matches the file, so the next run simply downloads without validators.
        write_facts(self.corpus_dir, new_facts)
        status: FetchStatus = "downloaded" if replaced else "unchanged"
        return FetchResult(publication.id, status, sha256=sha, bytes=size, pdf_url=url)

    def _conditional_headers(self, facts: FetchFacts | None, url: str, current_sha: str | None) -> dict[str, str]:
        # Validators describe the file we downloaded from this URL; if the local file was replaced
        # by hand, or the link now points elsewhere, a 304 would wrongly bless what we have.
        if facts is None or current_sha is None or facts.sha256 != current_sha or facts.pdf_url != url:
            return {}
        headers = {}
        if facts.etag:
            headers["If-None-Match"] = facts.etag
        if facts.last_modified:
            headers["If-Modified-Since"] = facts.last_modified
        return headers

    def _record_not_modified(self, facts: FetchFacts, response: httpx.Response, source: str) -> None:
        # A 304 may carry fresh validators; keep the old ones when it does not.
        checked = replace(
            facts,
            source_url=source,
            checked_at=now_iso(),
            etag=response.headers.get("etag", facts.etag),
            last_modified=response.headers.get("last-modified", facts.last_modified),
        )
        write_facts(self.corpus_dir, checked)

    def _save(
        self, response: httpx.Response, url: str, target: Path, current_sha: str | None, label: str,
        deadline: Deadline,
    ) -> tuple[str, int, bool]:
        """Stream to a temporary file beside ``target``, check it, then rename it over ``target``.

        Returns (sha256, size, replaced); ``replaced`` is False when the bytes equal the old file's.
        """
        target.parent.mkdir(parents=True, exist_ok=True)
        # Same folder, so that os.replace is an atomic rename and never a copy across file systems.
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                sha, size = self._read_body(response, url, self._settings.fetch_max_bytes, out.write, label,
                                            deadline=deadline)
                out.flush()
                os.fsync(out.fileno())
            _require_pdf_header(tmp, url, response)
            check_pdf(tmp, url)
            if sha == current_sha:
                return sha, size, False
            _copy_mode(target, tmp)
            os.replace(tmp, target)
            return sha, size, True
        finally:
            tmp.unlink(missing_ok=True)  # nothing left after a rename; the partial file otherwise

    def _read_body(
        self,
        response: httpx.Response,
        url: str,
        limit: int,
        write: Callable[[bytes], object],
        label: str | None,
        *,
        deadline: Deadline,
    ) -> tuple[str, int]:
        """Stream the body into ``write`` within ``limit`` bytes; returns (sha256, size)."""
        declared = _content_length(response)
        if declared is not None and declared > limit:
            raise FetchError(self._too_large(url, limit, declared))
        digest = hashlib.sha256()
        received = 0
        with tqdm(
            total=declared,
            desc=label,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            leave=False,
            disable=True if (label is None or not self._progress) else None,  # None: only on a TTY
        ) as bar:
            # Chunks as they arrive (not gathered to a size), so the deadline is checked at every read.
            for chunk in response.iter_bytes():
                deadline.check(url)
                received += len(chunk)
                if received > limit:
                    raise FetchError(self._too_large(url, limit, None))
                digest.update(chunk)
                write(chunk)
                bar.update(len(chunk))
        # h11 already refuses a short body; this also covers transports that do not (e.g. mocks).
        # With a Content-Encoding the header counts encoded bytes, so the sizes cannot be compared.
        encoded = response.headers.get("content-encoding", "identity").strip().lower() not in ("", "identity")
        if declared is not None and not encoded and received != declared:
            raise FetchError(f"hentningen af {url} blev afbrudt: {received} af {declared} bytes modtaget")
        return digest.hexdigest(), received

    @contextmanager
    def _open(self, url: str, headers: dict[str, str], deadline: Deadline) -> Iterator[httpx.Response]:
        """GET ``url`` as a stream, following redirects by hand so that every hop is checked."""
        check_url(url, self._policy)
        start = url
        headers = {
            "User-Agent": USER_AGENT,
            # Identity keeps Content-Length meaningful for the size limit; PDFs are compressed anyway.
            "Accept-Encoding": "identity",
            **headers,
        }
        for _hop in range(self._max_redirects + 1):
            deadline.check(url)
            # No single wait may outlast the deadline either.
            timeout = max(min(self._settings.fetch_timeout, deadline.remaining()), 0.01)
            request = self._client.build_request("GET", url, headers=headers, timeout=timeout)
            response = self._client.send(request, stream=True, follow_redirects=False)
            if not response.has_redirect_location:
                break
            response.close()
            try:
                next_url = str(response.url.join(response.headers["location"]))
            except httpx.InvalidURL as exc:
                raise FetchError(f"ugyldig omdirigering fra {url}: {exc}") from exc
            check_redirect(url, next_url, self._policy)
            logger.debug("redirect %s -> %s", url, next_url)
            url = next_url
        else:
            raise FetchError(f"for mange omdirigeringer (mere end {self._max_redirects}) fra {start}")
        try:
            yield response
        finally:
            response.close()

    # messages

    def _too_large(self, url: str, limit: int, declared: int | None) -> str:
        size = f" ({declared} bytes)" if declared is not None else ""
        return f"{url} er større end grænsen på {limit} bytes{size}; se KB_FETCH_MAX_BYTES"

    def _describe(self, exc: Exception, url: str, deadline: Deadline) -> str:
        if isinstance(exc, FetchError):
            return str(exc)
        if isinstance(exc, httpx.TimeoutException) and deadline.remaining() <= 0:
            return (f"hentningen af {url} tog mere end {deadline.seconds:g} s og er afbrudt; "
                    "se KB_FETCH_DEADLINE")
        if isinstance(exc, httpx.TimeoutException):
            return f"intet svar inden for {self._settings.fetch_timeout:g} s fra {url}; se KB_FETCH_TIMEOUT"
        if isinstance(exc, httpx.HTTPError):
            # httpx's own words ("peer closed connection without sending complete message body") go
            # to the log; the operator reads in Danish what happened to the download.
            logger.warning("%s: the HTTP client said: %s", url,
                           " <- ".join(f"{type(c).__name__}: {c}" for c in _causes(exc)))
            return f"hentningen af {url} mislykkedes: {_http_failure(exc)}"
        # The system's words ("[Errno 28] No space left on device: '/srv/…/.x.pdf.part'") name a
        # temporary file and are English: the log keeps them, the report says what to do.
        logger.warning("%s: saving in %s failed: %s: %s", url, self.corpus_dir, type(exc).__name__, exc)
        return f"kunne ikke gemme {url} i {self.corpus_dir}: {_os_failure(exc)}"
