import numpy as np
import pytest

from index.dense import DenseIndex
from index.errors import CorruptIndex, NoLiveIndex
from index.lexical import LexicalIndex
from index.store import Pointer, VersionStore, write_passages
from index.version import VersionManifest
from ingest.models import Passage

TEXTS = ["Tvangsægteskab og negativ social kontrol.", "Underretning til kommunen.", "Genopdragelsesrejser."]


def make(store: VersionStore, version: str) -> None:
    """A small but complete version: a rollback checks that its parts load."""
    staging = store.staging(version)
    passages = [Passage(f"p-{i}", "p", "P", 1, 1, "1", "", t) for i, t in enumerate(TEXTS)]
    write_passages(staging, passages)
    dense = DenseIndex(3)
    dense.add(np.eye(3, dtype=np.float32))
    dense.save(staging)
    lexical = LexicalIndex()
    lexical.index(TEXTS)
    lexical.save(staging / "lexical")
    store.commit(staging, version, VersionManifest(version=version, created="2026-01-01T00:00:00+00:00",
                                                   model="m", dimension=3, passage_count=len(TEXTS)))


def test_no_live_version_explains_what_to_do(tmp_path):
    with pytest.raises(NoLiveIndex, match="kb ingest"):
        VersionStore(tmp_path).live_id()


def test_set_live_rollback_and_history(tmp_path):
    store = VersionStore(tmp_path)
    for v in ("v1", "v2", "v3"):
        make(store, v)
        store.set_live(v)
    assert store.pointer().previous == ("v2", "v1")
    assert store.rollback().version == "v2"
    assert store.rollback().version == "v1"
    # The versions rolled back from stay listed last, so they are kept and can be returned to.
    assert store.pointer().previous == ("v3", "v2")


def test_rollback_without_a_previous_version_says_so(tmp_path):
    store = VersionStore(tmp_path)
    make(store, "v1")
    store.set_live("v1")
    with pytest.raises(CorruptIndex, match="tidligere"):
        store.rollback()


@pytest.mark.parametrize("damage", [
    lambda path: (path / "vectors.faiss").write_bytes((path / "vectors.faiss").read_bytes()[:40]),
    lambda path: (path / "passages.jsonl").write_text('{"id": "p-0"}\n'),
    lambda path: (path / "passages.jsonl").write_text("\n".join(
        (path / "passages.jsonl").read_text().splitlines()[:2]) + "\n"),  # one passage short
    lambda path: (path / "lexical" / "params.index.json").unlink(),
], ids=["truncated-faiss", "bad-passages", "count-mismatch", "lexical-missing"])
def test_rollback_refuses_a_version_that_does_not_load_and_keeps_the_live_one(tmp_path, damage):
    store = VersionStore(tmp_path)
    for v in ("v1", "v2"):
        make(store, v)
        store.set_live(v)
    damage(store.path("v1"))
    with pytest.raises(CorruptIndex, match="v1.*ikke.*live.*v2 er stadig live"):
        store.rollback()
    assert store.pointer() == Pointer("v2", ("v1",))  # untouched: a second attempt after a repair can still work


def test_rollback_to_a_named_version_of_the_history(tmp_path):
    store = VersionStore(tmp_path)
    for v in ("v1", "v2", "v3"):
        make(store, v)
        store.set_live(v)
    assert store.rollback(to="v1") == Pointer("v1", ("v2", "v3"))  # past v2, which stays kept
    assert store.rollback().version == "v2"  # a plain rollback still works from there
    assert store.rollback(to="v1").version == "v1"


@pytest.mark.parametrize(("target", "words"), [
    ("v9", "Version v9 findes ikke"),
    ("v3", "Version v3 er allerede live"),
    ("v4", "Version v4 er ikke i tilbagerulningshistorikken.*kb ingest --force"),
])
def test_rollback_to_a_version_it_cannot_roll_to_names_the_ones_it_can(tmp_path, target, words):
    store = VersionStore(tmp_path)
    for v in ("v1", "v2", "v3"):
        make(store, v)
        store.set_live(v)
    make(store, "v4")  # built but never made live: a refused build, kept for inspection
    with pytest.raises(CorruptIndex, match=f"{words}.*kan rulles tilbage til: v2, v1"):
        store.rollback(to=target)
    assert store.pointer() == Pointer("v3", ("v2", "v1"))


def test_rollback_to_a_damaged_version_is_refused_and_names_the_others(tmp_path):
    store = VersionStore(tmp_path)
    for v in ("v1", "v2", "v3"):
        make(store, v)
        store.set_live(v)
    (store.path("v1") / "vectors.faiss").write_bytes(b"not an index")
    with pytest.raises(CorruptIndex, match="v1 kan ikke indlæses.*v3 er stadig live.*vectors.faiss.*"
                                           "rollback --to VERSION`\\): v2"):
        store.rollback(to="v1")
    assert store.pointer() == Pointer("v3", ("v2", "v1"))


def test_an_unreadable_faiss_file_is_named_without_the_librarys_own_words(tmp_path):
    # The message reaches /readyz and the API's 503: a FAISS C++ trace is for the log.
    store = VersionStore(tmp_path)
    make(store, "v1")
    (store.path("v1") / "vectors.faiss").write_bytes(b"not an index")
    with pytest.raises(CorruptIndex) as caught:
        store.check("v1")
    message = str(caught.value)
    assert "vectors.faiss er ulæselig" in message and "kb ingest" in message
    assert "faiss::" not in message and "Error in" not in message


def test_rollback_keeps_the_version_it_left_through_the_next_builds(tmp_path):
    store = VersionStore(tmp_path)
    for v in ("v1", "v2", "v3"):
        make(store, v)
        store.set_live(v)
    assert store.rollback().version == "v2"
    assert store.pointer().previous == ("v1", "v3")
    make(store, "v4")
    store.set_live("v4")
    store.prune(keep=4)
    assert "v3" in store.versions()


def test_unfinished_builds_are_not_versions_and_are_cleaned(tmp_path):
    store = VersionStore(tmp_path)
    make(store, "v1")
    store.staging("v2")  # a build that crashed
    assert store.versions() == ["v1"]
    store.discard_staging()
    assert not list(store.versions_dir.glob(".building-*"))


def test_prune_keeps_the_rollback_chain_and_the_newest_for_inspection(tmp_path):
    store = VersionStore(tmp_path)
    for v in ("v1", "v2", "v3", "v4", "v5"):
        make(store, v)
    store.set_live("v1")
    store.set_live("v4")  # v2 and v3 never went live (say, they failed validation); v5 is being inspected
    removed = store.prune(keep=2)
    assert removed == ["v2", "v3"]
    assert store.versions() == ["v1", "v4", "v5"]
    assert store.rollback().version == "v1"  # the rollback target survived the failed builds


def test_malformed_pointer_is_a_clear_error(tmp_path):
    (tmp_path / "live.json").write_text("{}")
    with pytest.raises(CorruptIndex, match="live.json"):
        VersionStore(tmp_path).pointer()


def test_cannot_point_at_missing_version(tmp_path):
    with pytest.raises(CorruptIndex):
        VersionStore(tmp_path).set_live("nope")


def test_a_damaged_manifest_is_a_corrupt_index_not_a_key_error(tmp_path):
    store = VersionStore(tmp_path)
    make(store, "v1")
    (store.path("v1") / "manifest.json").write_text('{"version": "v1", "publications": [{"id": 3}]}')
    with pytest.raises(CorruptIndex, match="manifest.json"):
        store.manifest("v1")


def test_the_lock_nests_on_one_store_and_excludes_another(tmp_path):
    from index.errors import Busy

    store = VersionStore(tmp_path)
    with store.lock():
        with store.lock(), pytest.raises(Busy), VersionStore(tmp_path).lock():  # nested: fetch, then build
            pass  # another process's fetch or build is refused
        with pytest.raises(Busy), VersionStore(tmp_path).lock():
            pass
    with VersionStore(tmp_path).lock():
        pass


def test_a_passage_as_a_dict_is_every_field_and_reads_back_the_same():
    from dataclasses import asdict

    from ingest.models import Passage

    passage = Passage("haandbog-0007", "haandbog", "Håndbog", 9, 10, "7", "3.1 Risikovurdering", "Tekst.")
    assert passage.to_dict() == asdict(passage)
    assert list(passage.to_dict()) == list(asdict(passage))  # the stored JSON keeps its key order
    assert Passage.from_dict(passage.to_dict()) == passage
