"""Embedder: a short list is encoded in one direct model call, with exactly what ``model.encode`` returns."""

from __future__ import annotations

import threading

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


def test_loading_a_model_runs_it_in_no_thread(minilm_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Rendering the model card as text (for its base model) ran the model on example sentences
    in the loading thread: a second team of torch threads in the process, which made every later
    encode in the server's encoding thread 1.6-2x slower (libgomp, see index/batching.py)."""
    from sentence_transformers import SentenceTransformer

    from index.embed import Embedder

    runs: list[str] = []
    forward = SentenceTransformer.forward

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(threading.current_thread().name)
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(SentenceTransformer, "forward", counted)
    embedder = Embedder(minilm_path)
    assert runs == []
    assert embedder.prefixes.query == "" and embedder.dimension == 384
    embedder.encode_queries(["tvangsægteskab"])
    assert runs == [threading.current_thread().name]


def test_a_thread_keeps_the_number_of_torch_threads_it_set() -> None:
    """A thread that set one torch thread before its first model call got, at that call, the
    number another thread had set meanwhile: the server's second encoding thread started a team
    of its own after a burst of load, and every later question took 1.7x as long."""
    import torch

    from index.embed import set_torch_threads

    before = torch.get_num_threads()
    seen: list[int] = []
    set_in_thread = threading.Event()
    go = threading.Event()

    def other() -> None:
        set_torch_threads(1)
        set_in_thread.set()
        assert go.wait(60)
        torch.nn.functional.gelu(torch.ones(64, 64))  # the thread's first parallel step
        seen.append(torch.get_num_threads())

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert set_in_thread.wait(60)
        set_torch_threads(2)
        go.set()
        thread.join(60)
    finally:
        set_torch_threads(before)
    assert seen == [1]
