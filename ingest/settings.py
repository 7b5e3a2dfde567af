"""The one settings object, read from ``KB_*`` environment variables.

It lives in the lowest layer so that ``ingest/``, ``index/`` and ``api/`` all read the same
object; tests build it with explicit arguments instead of setting environment variables.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "intfloat/multilingual-e5-small"

# Network defaults live next to the settings, as named constants (httpx habit).
DEFAULT_FETCH_TIMEOUT = 30.0  # seconds, per request
DEFAULT_FETCH_MAX_BYTES = 100 * 1024 * 1024  # no SIRI guide comes near 100 MB
DEFAULT_FETCH_MAX_REDIRECTS = 5
DEFAULT_FETCH_DEADLINE = 600.0  # seconds for one whole download, however slowly the bytes come
# Per publication: the SIRI guides extract in a few seconds; a PDF that takes minutes or gigabytes
# is broken or hostile, and is failed on its own while the others are indexed.
DEFAULT_EXTRACT_TIMEOUT = 300.0  # seconds
DEFAULT_EXTRACT_MAX_MEMORY_MB = 2048  # address space of the extraction process
DEFAULT_REFRESH_TIMEOUT = 3600.0  # seconds for one refresh started from the admin API

MAX_QUESTION_CHARS = 500

# `kb serve`'s connection limits: headers must arrive within 10 s; idle keep-alive ends after 5 s.
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_KEEP_ALIVE_TIMEOUT = 5

ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?")

# The domain thesaurus that ships with the code (a reviewed, versioned file in the repository's
# corpus/ folder); a corpus folder of one's own may hold its own thesaurus.toml instead.
BUNDLED_THESAURUS = Path(__file__).resolve().parent.parent / "corpus" / "thesaurus.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    data_dir: Path = Path("data")
    embedding_model: str = DEFAULT_MODEL
    admin_token: SecretStr | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Origins whose pages may show the service in a frame (CSP frame-ancestors); separate from CORS,
    # because embedding the pages and calling the JSON API from scripts are different permissions.
    frame_ancestors: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_queries: bool = False
    keep_versions: int = Field(default=3, ge=1)
    # The service's address as users reach it ("https://intranet.example.dk/vidensbase"); when set,
    # feeds and the OpenSearch description use it instead of the request's Host header.
    public_url: str | None = None
    # Set by `make demo`: the page says that the corpus is sample text, not SIRI's publications.
    demo: bool = False
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    fetch_max_bytes: int = DEFAULT_FETCH_MAX_BYTES
    fetch_deadline: float = Field(default=DEFAULT_FETCH_DEADLINE, gt=0)
    # Private, loopback and shared addresses are refused after DNS resolution unless allowed (an
    # intranet mirror); link-local and cloud metadata addresses are always refused.
    fetch_allow_private: bool = False
    # Plain http, only to this machine (127.0.0.1, ::1, localhost): the tests' local server.
    fetch_allow_http_localhost: bool = False
    extract_timeout: float = Field(default=DEFAULT_EXTRACT_TIMEOUT, gt=0)
    extract_max_memory_mb: int = Field(default=DEFAULT_EXTRACT_MAX_MEMORY_MB, ge=0)  # 0: no limit
    refresh_timeout: float = Field(default=DEFAULT_REFRESH_TIMEOUT, gt=0)
    # How often a running server checks whether another process switched the live version.
    reload_interval: float = 2.0
    # `kb serve`: a connection must deliver a request's headers within this many seconds, and an
    # idle keep-alive connection is closed after `keep_alive_timeout` (slow-header clients).
    header_timeout: float = Field(default=DEFAULT_HEADER_TIMEOUT, gt=0)
    keep_alive_timeout: int = Field(default=DEFAULT_KEEP_ALIVE_TIMEOUT, ge=1)
    # Query-time synonyms for the lexical side; default: KB_CORPUS_DIR/thesaurus.toml, else the bundled one.
    thesaurus: Path | None = None
    # Optional cross-encoder for the rerank stage (a hub name or a local folder); off when unset.
    reranker_model: str | None = None
    # `kb serve`: torch threads of each thread that encodes questions; unset: the cores shared among
    # the busy ones, fastest on a machine of its own. 1 on a machine shared with other busy
    # processes, where torch's threads stall one another (index/batching.py).
    query_threads: int | None = Field(default=None, ge=1)
    # `kb serve`: threads that encode questions; unset: one per physical core, at most four.
    query_workers: int | None = Field(default=None, ge=1, le=64)
    # `kb serve`: server processes, each with its own model and index (api/server.py); unset: one
    # per core, at most two (`server_processes`).
    workers: int | None = Field(default=None, ge=1, le=32)

    @field_validator("cors_origins", "frame_ancestors", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("frame_ancestors")
    @classmethod
    def _origins_only(cls, value: list[str]) -> list[str]:
        # The values go into a header: anything but a plain origin could widen the policy.
        for origin in value:
            if not ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} er ikke en oprindelse som https://intranet.example.dk")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url_is_absolute(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("skal begynde med https:// (eller http://)")
        return value or None

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_token_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def manifest_path(self) -> Path:
        return self.corpus_dir / "publications.toml"

    @property
    def thesaurus_path(self) -> Path | None:
        if self.thesaurus is not None:
            return self.thesaurus
        for candidate in (self.corpus_dir / "thesaurus.toml", BUNDLED_THESAURUS):
            if candidate.is_file():
                return candidate
        return None

    @field_validator("reranker_model", mode="before")
    @classmethod
    def _empty_reranker_is_unset(cls, value: object) -> object:
        return None if value == "" else value


@lru_cache
def get_settings() -> Settings:
    return Settings()
