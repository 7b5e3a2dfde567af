"""QueryBatcher: concurrent questions share model calls, each gets its own vector, errors reach the caller."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from index.batching import QueryBatcher


class FakeEmbedder:
    """Vectors made from the text; the first call waits until the test lets it finish."""

    dimension = 2
    model_name = "fake"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.release = threading.Event()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            assert self.release.wait(60)
        if any(t == "boom" for t in texts):
            raise ValueError("model failed")
        return np.array([[len(t), sum(map(ord, t))] for t in texts], dtype=np.float32)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), 2), dtype=np.float32)


def wait_until(condition, limit: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)


def test_concurrent_questions_share_one_model_call() -> None:
    inner = FakeEmbedder()
    batcher = QueryBatcher(inner, workers=1)  # type: ignore[arg-type]
    questions = [f"spørgsmål nummer {i}" + "x" * i for i in range(16)]
    results: dict[str, np.ndarray] = {}

    def ask(q: str) -> None:
        results[q] = batcher.encode_queries([q])

    first = threading.Thread(target=ask, args=(questions[0],))
    first.start()
    wait_until(lambda: len(inner.calls) == 1)  # the model is busy with the first question
    others = [threading.Thread(target=ask, args=(q,)) for q in questions[1:]]
    for thread in others:
        thread.start()
    wait_until(lambda: len(batcher._pending) == 15)
    inner.release.set()
    for thread in [first, *others]:
        thread.join(60)
    batcher.close()
    assert len(inner.calls) == 2 and batcher.model_calls == 2  # not 16
    assert sorted(inner.calls[1]) == sorted(questions[1:])
    for q in questions:
        assert results[q].tolist() == [[len(q), sum(map(ord, q))]]


def test_an_event_loop_awaits_its_vectors_and_its_questions_share_one_model_call() -> None:
    inner = FakeEmbedder()
    batcher = QueryBatcher(inner, workers=1)  # type: ignore[arg-type]
    busy = threading.Thread(target=batcher.encode_queries, args=(["optaget"],))
    busy.start()
    wait_until(lambda: len(inner.calls) == 1)  # the model is busy: what the loop sends now waits together
    questions = ["tvangsægteskab", "negativ social kontrol", "genopdragelsesrejse"]

    async def requests() -> list[np.ndarray]:
        waiting = [asyncio.ensure_future(batcher.encode_queries_async([q])) for q in questions]
        cancelled = asyncio.ensure_future(batcher.encode_queries_async(["ingen venter"]))
        ticker = 0
        while len(batcher._pending) < 4:  # the loop is free while the requests wait
            ticker += 1
            await asyncio.sleep(0.01)
        cancelled.cancel()  # a client that went away: its job is done and dropped
        inner.release.set()
        vectors = await asyncio.gather(*waiting)
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        again = await batcher.encode_queries_async(["igen"])
        assert ticker > 0 and again.tolist() == [[4, sum(map(ord, "igen"))]]
        with pytest.raises(ValueError, match="model failed"):
            await batcher.encode_queries_async(["boom"])
        return vectors

    vectors = asyncio.run(requests())
    busy.join(60)
    batcher.close()
    assert inner.calls[1] == [*questions, "ingen venter"]  # one model call for all four
    for q, v in zip(questions, vectors, strict=True):
        assert v.tolist() == [[len(q), sum(map(ord, q))]]


def test_errors_reach_the_waiting_request_and_the_batcher_goes_on() -> None:
    inner = FakeEmbedder()
    inner.release.set()
    batcher = QueryBatcher(inner)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="model failed"):
        batcher.encode_queries(["boom"])
    assert batcher.encode_queries(["igen"]).shape == (1, 2)
    batcher.close()
    with pytest.raises(RuntimeError):
        batcher.encode_queries(["lukket"])


def test_passages_go_through_the_same_thread_one_call_each() -> None:
    inner = FakeEmbedder()
    inner.release.set()
    batcher = QueryBatcher(inner)  # type: ignore[arg-type]
    assert batcher.dimension == 2 and batcher.model_name == "fake"  # the embedder's own
    assert batcher.encode_passages(["a", "b"]).shape == (2, 2)
    assert batcher.encode_queries(["c"]).shape == (1, 2)
    batcher.close()
    assert batcher.model_calls == 2


def test_batched_vectors_equal_single_ones(embedder) -> None:  # type: ignore[no-untyped-def]
    batcher = QueryBatcher(embedder)
    questions = ["Hvad er en genopdragelsesrejse?", "tvangsægteskab", "Hvornår skal kommunen underrette?"]
    together = batcher.encode_queries(questions)
    batcher.close()
    alone = np.vstack([embedder.encode_queries([q]) for q in questions])
    assert np.allclose(together, alone, atol=1e-5)


def test_query_threads_are_set_in_the_encoding_threads_and_only_the_lead_runs_on_several(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index import batching
    from ingest.settings import Settings

    assert Settings().query_threads is None
    assert Settings(query_threads=1).query_threads == 1
    for threads, lead_wants in ((None, 2), (1, 1)):
        calls: list[tuple[int, str]] = []
        monkeypatch.setattr(batching, "set_torch_threads",
                            lambda n, calls=calls: calls.append((n, threading.current_thread().name)))
        inner = FakeEmbedder()
        inner.release.set()
        batcher = QueryBatcher(inner, threads=threads, workers=3)  # type: ignore[arg-type]
        batcher.cores = 2
        try:
            assert batcher.encode_queries(["tvangsægteskab"]).shape == (1, 2)
        finally:
            batcher.close()
        # from the threads that encode, never the caller's; the lead (a lone question's) sets
        # every core, or the number asked for, on its first batch; the others one, at once
        assert all(name.startswith("kb-query-encoder-") for _, name in calls)
        assert sorted(calls) == sorted([(lead_wants, "kb-query-encoder-0"), (1, "kb-query-encoder-1"),
                                        (1, "kb-query-encoder-2")])


def test_the_lead_encodes_every_question_while_it_is_free() -> None:
    """A second thread running the model on several cores slows every encode in the process
    (libgomp, see index/batching.py): questions one at a time all go to the lead."""
    inner = FakeEmbedder()
    inner.release.set()
    names: list[str] = []
    encode = inner.encode_queries

    def recording(texts: list[str]) -> np.ndarray:
        names.append(threading.current_thread().name)
        return encode(texts)

    inner.encode_queries = recording  # type: ignore[method-assign]
    batcher = QueryBatcher(inner, workers=3)  # type: ignore[arg-type]
    try:
        for i in range(12):
            batcher.encode_queries([f"spørgsmål {i}"])

        async def one_at_a_time() -> None:
            for i in range(12):
                await batcher.encode_queries_async([f"spørgsmål {i}"])

        asyncio.run(one_at_a_time())
    finally:
        batcher.close()
    assert names == ["kb-query-encoder-0"] * 24


def test_a_second_worker_encodes_while_the_first_is_busy_on_its_share_of_the_cores(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index import batching

    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(batching, "set_torch_threads", lambda n: calls.append((n, threading.current_thread().name)))
    inner = FakeEmbedder()
    batcher = QueryBatcher(inner, workers=2)  # type: ignore[arg-type]
    batcher.cores = 2
    first = threading.Thread(target=batcher.encode_queries, args=(["første spørgsmål"],))
    first.start()
    try:
        wait_until(lambda: len(inner.calls) == 1)  # the lead is inside the model
        # answered while the first question is still being encoded
        assert batcher.encode_queries(["andet spørgsmål"]).tolist() == [[15, sum(map(ord, "andet spørgsmål"))]]
    finally:
        inner.release.set()
        first.join(60)
        batcher.close()
    # the lone first question ran on the lead on every core; the second on the other worker's one
    assert sorted(calls) == [(1, "kb-query-encoder-1"), (2, "kb-query-encoder-0")] and batcher.model_calls == 2


def test_encodes_run_together_and_a_token_count_runs_alone() -> None:
    from index.embed import TokenizerGate

    gate = TokenizerGate()
    inside: list[str] = []
    entered = threading.Event()
    leave = threading.Event()

    def hold(name: str, section) -> None:  # type: ignore[no-untyped-def]
        with section():
            inside.append(name)
            entered.set()
            assert leave.wait(60)
            inside.remove(name)

    with gate.encoding():  # the first encode runs alone and leaves the tokenizer set for encodes
        pass
    a = threading.Thread(target=hold, args=("encode", gate.encoding))
    a.start()
    assert entered.wait(60)
    with gate.encoding():  # a second encode does not wait for the first
        assert inside == ["encode"]
    counting = threading.Thread(target=hold, args=("count", gate.alone))
    counting.start()
    time.sleep(0.05)
    assert inside == ["encode"]  # the token count waits for the running encode ...
    leave.set()
    for thread in (a, counting):
        thread.join(60)
    assert inside == []
    assert not gate._set_for_encoding  # ... and the next encode runs alone to set the tokenizer back


def test_concurrent_encodes_and_token_counts_give_the_serial_results(embedder) -> None:  # type: ignore[no-untyped-def]
    # Question encoders and a refresh counting tokens share one tokenizer, whose padding and
    # truncation state a token count changes. Without the gate this load failed every run
    # ("Unable to create tensor, you should probably activate truncation and/or padding").
    texts = [("ord " * n).strip() + f" spørgsmål {n}" for n in range(1, 60)]
    serial = embedder.encode_queries(texts)
    counts = [embedder.passage_tokens(t * 10) for t in texts]
    errors: list[BaseException] = []

    def encode(offset: int) -> None:
        try:
            for _ in range(10):
                for i in range(offset, len(texts), 4):
                    assert np.allclose(embedder.encode_queries(texts[i:i + 4]), serial[i:i + 4], atol=1e-5)
        except BaseException as exc:
            errors.append(exc)

    def count() -> None:
        try:
            for _ in range(20):
                assert [embedder.passage_tokens(t * 10) for t in texts] == counts
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=encode, args=(n,)) for n in range(3)] + [threading.Thread(target=count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors, errors


def test_the_number_of_encoding_threads_is_a_setting() -> None:
    from pydantic import ValidationError

    from ingest.settings import Settings

    assert Settings().query_workers is None  # one per physical core, at most four
    assert Settings(query_workers=3).query_workers == 3
    with pytest.raises(ValidationError):
        Settings(query_workers=0)
    inner = FakeEmbedder()
    inner.release.set()
    batcher = QueryBatcher(inner, workers=3)  # type: ignore[arg-type]
    try:
        assert [t.name for t in batcher._workers] == [f"kb-query-encoder-{n}" for n in range(3)]
        assert all(t.is_alive() for t in batcher._workers)
    finally:
        batcher.close()
    assert not any(t.is_alive() for t in batcher._workers)
