"""``bench/common.py``: the cached bench index is kept per model and per corpus."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.bench_support import load_bench


@pytest.fixture(scope="module")
def common() -> ModuleType:
    return load_bench("common")


def test_each_corpus_and_model_gets_its_own_cached_index(common: ModuleType, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    fixture, realistic, again = (tmp_path / name for name in ("fixture", "realistic", "again"))
    for folder, title in ((fixture, "Lille"), (realistic, "Realistisk"), (again, "Lille")):
        folder.mkdir()
        (folder / "publications.toml").write_text(f'[[publication]]\nid = "haandbog"\ntitle = "{title}"\n')

    monkeypatch.delenv("KB_BENCH_DATA", raising=False)
    assert common.cached_data_dir(fixture, "/models/e5") is None  # a fresh temp dir then

    monkeypatch.setenv("KB_BENCH_DATA", str(tmp_path / "cache"))
    # the same publication ids in both: the fixture build once failed on top of the realistic index
    assert common.cached_data_dir(fixture, "/models/e5") != common.cached_data_dir(realistic, "/models/e5")
    assert common.cached_data_dir(fixture, "/models/e5") != common.cached_data_dir(fixture, "/models/minilm")
    # a corpus built again in another temp dir finds its cache
    assert common.cached_data_dir(again, "/models/e5") == common.cached_data_dir(fixture, "/models/e5")
    assert common.cached_data_dir(fixture, "/models/e5").parent == tmp_path / "cache"
