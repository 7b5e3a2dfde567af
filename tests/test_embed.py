"""Embedder: a short list is encoded in one direct model call, with exactly what ``model.encode`` returns."""

from __future__ import annotations

import numpy as np

QUESTIONS = [
    "Hvad er negativ social kontrol?",
    "Hvornår skal kommunen underrette?",
    "Hvilken hjælp kan en ung få, der frygter tvangsægteskab eller genopdragelsesrejse?",
    "Hvad er en risikovurdering?",
    "Må skolen tale med eleven uden forældrenes samtykke, når der er mistanke om æresrelateret vold?",
]


def encoded(embedder, texts: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    vectors = embedder.model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
    return np.ascontiguousarray(vectors, dtype=np.float32)


def test_one_batch_is_what_encode_returns(embedder) -> None:  # type: ignore[no-untyped-def]
    for texts in ([QUESTIONS[0]], QUESTIONS[:2], QUESTIONS, QUESTIONS[::-1]):
        queries = [embedder.prefixes.query + t for t in texts]
        assert np.array_equal(embedder.encode_queries(texts), encoded(embedder, queries))
        assert np.array_equal(embedder.encode_passages(texts), encoded(embedder, texts))


def test_longer_lists_go_through_encode(embedder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    texts = QUESTIONS * (embedder.batch_size // len(QUESTIONS) + 1)
    calls: list[int] = []
    encode = embedder.model.encode

    def counting(texts, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return encode(texts, **kwargs)

    monkeypatch.setattr(embedder.model, "encode", counting)
    vectors = embedder.encode_passages(texts)
    assert calls == [len(texts)]
    embedder.encode_queries(QUESTIONS)
    assert calls == [len(texts)]  # one batch: the direct call
    assert vectors.shape == (len(texts), embedder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
