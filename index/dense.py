"""Vector search over passage embeddings with FAISS (inner product on normalised vectors = cosine)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

try:
    import faiss

    FAISS = True
except ImportError:  # pragma: no cover - faiss-cpu is a hard dependency; the message says so
    FAISS = False


class DenseIndex:
    FILE = "vectors.faiss"

    def __init__(self, dimension: int):
        if not FAISS:
            raise ImportError("faiss-cpu er ikke installeret: `pip install faiss-cpu`.")
        self.dimension = dimension
        # A flat index is exact and, for a few thousand passages, faster than any approximate one:
        # 4 publications ≈ 2,000 passages × 384 floats is 3 MB scanned in well under a millisecond.
        self._index = faiss.IndexFlatIP(dimension)

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        if vectors.ndim != 2 or vectors.shape[1] != self.dimension:
            raise ValueError(f"expected vectors of dimension {self.dimension}, got {vectors.shape}")
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query with every passage, in passage order."""
        k = self.count
        if k == 0:
            return np.zeros(0, dtype=np.float32)
        sims, ids = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        out = np.empty(k, dtype=np.float32)
        out[ids[0]] = sims[0]
        return out

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, self.count)
        if k == 0:
            return []
        sims, ids = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], sims[0], strict=True) if i >= 0]

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path / self.FILE))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        raw = faiss.read_index(str(path / cls.FILE))
        index = cls(raw.d)
        index._index = raw  # type: ignore[assignment]  # read_index returns the generic Index type
        return index
