"""The optional cross-encoder rerank stage, end to end with a tiny cross-encoder built here."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from index.errors import ModelLoadError
from index.rerank import Reranker


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory, minilm_path: str) -> str:
    """A one-layer BERT sequence classifier with MiniLM's tokenizer: a real CrossEncoder, untrained."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("tiny-cross-encoder")
    tokenizer = AutoTokenizer.from_pretrained(minilm_path)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=1)
    torch.manual_seed(7)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def test_rerank_orders_the_candidates_by_the_cross_encoder(tiny_cross_encoder: str, built_settings, embedder) -> None:  # type: ignore[no-untyped-def]
    from api.wiring import make_live

    settings = built_settings.model_copy(update={"reranker_model": tiny_cross_encoder})
    live = make_live(settings, embedder=embedder)
    live.reload()
    index = live.current()
    reranker = index.tools.reranker
    assert reranker is not None and reranker.name == tiny_cross_encoder

    question = "Hvornår skal kommunen underrette?"
    hits = index.search(question, k=5)
    assert len(hits) == 5
    # every returned passage was scored by the cross-encoder, and the order follows those scores
    expected = reranker.model.predict([(question, h.passage.text) for h in hits], show_progress_bar=False)
    assert [h.score for h in hits] == pytest.approx([float(s) for s in expected], abs=1e-5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    # the fused order without the reranker differs from the cross-encoder's (it is untrained)
    plain = make_live(built_settings, embedder=embedder)
    plain.reload()
    fused = plain.current().search(question, k=reranker.top_n)
    assert {h.passage.id for h in hits} <= {h.passage.id for h in fused}

    answer = index.ask(question, k=5)
    assert answer.hits and all(s.passage_id in {h.passage.id for h in answer.hits} for s in answer.sentences)
    # the JSON API's event-loop path reranks too (in a thread: a cross-encoder is slow)
    # (equal up to rounding: the query is encoded in another thread, on its own number of torch
    # threads, which may sum in another order)
    assert same_hits(asyncio.run(index.ask_async(question, k=5)), answer)
    assert asyncio.run(index.ask_async(question, k=5)).sentences == answer.sentences
    found, found_async = index.find(question, k=5), asyncio.run(index.find_async(question, k=5))
    assert same_hits(found_async, found) and found_async.confident == found.confident

    # A search, a feed or a page reranks top_n candidates, not the fifty it counts over the floor
    # (a review caught every request drafting fifty hits, which a cross-encoder then scored).
    seen: list[int] = []
    predict = reranker.model.predict
    reranker.model.predict = lambda pairs, **kw: (seen.append(len(pairs)), predict(pairs, **kw))[1]
    try:
        index.find(question, k=5)
        asyncio.run(index.find_async(question, k=5))
        index.ask(question, k=10)
    finally:
        reranker.model.predict = predict
    assert seen == [reranker.top_n] * 3


def same_hits(a, b) -> bool:  # type: ignore[no-untyped-def]
    return ([h.passage.id for h in a.hits] == [h.passage.id for h in b.hits]
            and [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits], rel=1e-4, abs=1e-5))


def test_an_unloadable_reranker_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="KB_RERANKER_MODEL"):
        Reranker.load(str(tmp_path / "findes-ikke"))


def test_a_server_thread_reranks_on_one_torch_thread(tiny_cross_encoder: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The JSON API reranks in a pool thread; on torch's default number there it would start a
    team of threads of its own, and libgomp then slows every encode in the process (see
    index/batching.py). The command line (the main thread) keeps torch's own choice."""
    import threading

    from index import rerank
    from index.rerank import Reranker
    from index.search import Hit
    from ingest.models import Passage

    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(rerank, "set_torch_threads", lambda n: calls.append((n, threading.current_thread().name)))
    reranker = Reranker.load(tiny_cross_encoder)
    hits = [Hit(Passage(id=f"p{i}", publication_id="x", publication_title="X", page_start=1, page_end=1,
                        page_label=None, section="", text=text), 0.0, 0.0, 0.0, 0.0)
            for i, text in enumerate(["Kontakt ikke forældrene.", "Underret kommunen.", "Lav en sikkerhedsplan."])]
    assert len(reranker.rerank("Skal jeg ringe til forældrene?", hits)) == 3
    assert calls == []
    thread = threading.Thread(target=reranker.rerank, args=("Skal jeg ringe til forældrene?", hits), name="pool")
    thread.start()
    thread.join(60)
    assert calls == [(1, "pool")]
