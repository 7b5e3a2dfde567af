"""The answer units' embeddings, computed when a version is built instead of at the first question.

An answer compares the question with every sentence of its top passages. Embedding those
sentences when a question first reaches a passage made the first answers (and the search that
decides on them) cost a model call more than the floor; a build embeds them once, through the same
embedding cache as the passages, and a version keeps them beside its passages:

    versions/<id>/sentences.npy          one row per unit, passages in index order, units in order
    versions/<id>/sentence_offsets.npy   passage i's units are rows offsets[i]:offsets[i + 1]
    versions/<id>/sentence_digests.npy   passage i's unit texts, hashed (``digest``)

A version without them (built before, or by a build that was asked not to) still answers: the
units are then embedded when first needed, as before. So are a passage's units when the rules that
cut a passage into units (``index/sentences.py``) changed since the build: the digest says so even
where the count of units stayed ("Pligten er personlig. Det betyder, at …" became one unit where
"Det betyder, at …" was one). A version built before the digests were stored is checked by the
count alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.sentences import Unit, units
from ingest.models import Passage

VECTORS = "sentences.npy"
OFFSETS = "sentence_offsets.npy"
DIGESTS = "sentence_digests.npy"


def digest(texts: Sequence[str]) -> int:
    """A passage's unit texts as one 64-bit number: equal when the units are."""
    raw = hashlib.blake2b("\x1f".join(texts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(raw, "little", signed=True)


def unit_texts(passages: list[Passage]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every passage's unit texts in order, where each passage's rows start (with the end last), and
    each passage's ``digest``."""
    texts: list[str] = []
    offsets = [0]
    digests = []
    for passage in passages:
        found = [u.text for u in units(passage)]
        texts.extend(found)
        offsets.append(len(texts))
        digests.append(digest(found))
    return texts, np.array(offsets, dtype=np.int64), np.array(digests, dtype=np.int64)


def write(path: Path, vectors: np.ndarray, offsets: np.ndarray, digests: np.ndarray) -> None:
    np.save(path / VECTORS, vectors.astype(np.float32))
    np.save(path / OFFSETS, offsets)
    np.save(path / DIGESTS, digests)


@dataclass(frozen=True)
class SentenceVectors:
    vectors: np.ndarray
    offsets: np.ndarray
    digests: np.ndarray | None = None  # None: a version built before they were stored

    @classmethod
    def load(cls, path: Path, passages: int) -> SentenceVectors | None:
        """The version's unit vectors, or None when it has none or they do not fit its passages."""
        if not (path / VECTORS).is_file() or not (path / OFFSETS).is_file():
            return None
        # Read whole (a few MB): slicing a memory map makes a new memmap object per passage and question.
        vectors = np.load(path / VECTORS)
        offsets = np.load(path / OFFSETS)
        if offsets.shape != (passages + 1,) or int(offsets[-1]) != vectors.shape[0]:
            return None
        digests = np.load(path / DIGESTS) if (path / DIGESTS).is_file() else None
        return cls(vectors, offsets, digests if digests is not None and digests.shape == (passages,) else None)

    def of(self, index: int, found: list[Unit]) -> dict[str, np.ndarray] | None:
        """Passage ``index``'s units by text; None when the stored rows do not match them (the unit
        rules changed since the build), so the caller embeds them."""
        rows = self.vectors[int(self.offsets[index]):int(self.offsets[index + 1])]
        if rows.shape[0] != len(found):
            return None
        if self.digests is not None and int(self.digests[index]) != digest([u.text for u in found]):
            return None
        return {u.text: np.asarray(row) for u, row in zip(found, rows, strict=True)}
