"""The answer units' embeddings, computed when a version is built instead of at the first question.

An answer compares the question with every sentence of its top passages. Embedding those
sentences when a question first reaches a passage made the first answers (and the search that
decides on them) cost a model call more than the floor; a build embeds them once, through the same
embedding cache as the passages, and a version keeps them beside its passages:

    versions/<id>/sentences.npy          one row per unit, passages in index order, units in order
    versions/<id>/sentence_offsets.npy   passage i's units are rows offsets[i]:offsets[i + 1]

A version without them (built before, or by a build that was asked not to) still answers: the
units are then embedded when first needed, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.sentences import Unit, units
from ingest.models import Passage

VECTORS = "sentences.npy"
OFFSETS = "sentence_offsets.npy"


def unit_texts(passages: list[Passage]) -> tuple[list[str], np.ndarray]:
    """Every passage's unit texts in order, and where each passage's rows start (with the end last)."""
    texts: list[str] = []
    offsets = [0]
    for passage in passages:
        texts.extend(u.text for u in units(passage))
        offsets.append(len(texts))
    return texts, np.array(offsets, dtype=np.int64)


def write(path: Path, vectors: np.ndarray, offsets: np.ndarray) -> None:
    np.save(path / VECTORS, vectors.astype(np.float32))
    np.save(path / OFFSETS, offsets)


@dataclass(frozen=True)
class SentenceVectors:
    vectors: np.ndarray
    offsets: np.ndarray

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
        return cls(vectors, offsets)

    def of(self, index: int, found: list[Unit]) -> dict[str, np.ndarray] | None:
        """Passage ``index``'s units by text; None when the stored rows do not match them (the unit
        rules changed since the build), so the caller embeds them."""
        rows = self.vectors[int(self.offsets[index]):int(self.offsets[index + 1])]
        if rows.shape[0] != len(found):
            return None
        return {u.text: np.asarray(row) for u, row in zip(found, rows, strict=True)}
