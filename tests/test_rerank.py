"""The optional cross-encoder rerank stage, end to end with a tiny cross-encoder built here."""

from __future__ import annotations

import asyncio
import json
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
        index.ask(question, k=50)  # more passages listed, not more reranked
    finally:
        reranker.model.predict = predict
    assert seen == [reranker.top_n] * 4


def test_a_filtered_search_scores_each_passage_once(tiny_cross_encoder: str, built_settings, embedder) -> None:  # type: ignore[no-untyped-def]
    # A filtered search also judges the unfiltered one (a filter never makes a passage less
    # relevant); a review counted the cross-encoder scoring 20 + 20 pairs for it, each shared
    # passage twice.
    from api.wiring import make_live

    live = make_live(built_settings.model_copy(update={"reranker_model": tiny_cross_encoder}), embedder=embedder)
    live.reload()
    index = live.current()
    reranker = index.tools.reranker
    assert reranker is not None
    question = "Hvornår skal kommunen underrette?"
    publication = index.search(question, k=1)[0].passage.publication_id
    scored: list[str] = []
    predict = reranker.model.predict
    reranker.model.predict = lambda pairs, **kw: (scored.extend(text for _, text in pairs), predict(pairs, **kw))[1]
    try:
        found = index.find(question, k=5, publication=publication)
    finally:
        reranker.model.predict = predict
    assert found.nearest and {h.passage.publication_id for h in found.nearest} == {publication}
    assert len(scored) == len(set(scored))  # no passage twice
    # the filtered top_n and the unfiltered top_n share this publication's best passages
    assert reranker.top_n < len(scored) < 2 * reranker.top_n
    # and the scores are the cross-encoder's own, as in an unfiltered search
    expected = predict([(question, h.passage.text) for h in found.nearest], show_progress_bar=False)
    assert [h.score for h in found.nearest] == pytest.approx([float(s) for s in expected], abs=1e-5)


QUESTIONS_FOR_K = ["Hvornår skal kommunen underrette?", "hvad er en genopdragelsesrejse",
                   "hvad gør jeg hvis en elev siger hun skal giftes mod sin vilje", "negativ social kontrol",
                   "sikkerhedsplan for den unge", "må jeg kontakte forældrene"]


def test_the_answer_does_not_depend_on_k_with_a_reranker(tiny_cross_encoder: str, built_settings, embedder) -> None:  # type: ignore[no-untyped-def]
    """k says how many passages to list, not what the answer is. With k above the reranker's
    top_n, the cross-encoder once reordered every one of the k candidates, so a passage fused
    far down could become one the answer reads: another answer (or none) for the same question."""
    from api.wiring import make_live

    live = make_live(built_settings.model_copy(update={"reranker_model": tiny_cross_encoder}), embedder=embedder)
    live.reload()
    index = live.current()
    assert index.tools.reranker is not None
    top_n = index.tools.reranker.top_n
    for question in QUESTIONS_FOR_K:
        drafts = {k: index.draft(question, k=k) for k in (5, top_n, top_n + 1, 50)}
        base = drafts[5]
        for k, draft in drafts.items():
            assert (draft.confident, draft.sentences) == (base.confident, base.sentences), (question, k)
            # and the passages both list are the same, in the same order
            assert [h.passage.id for h in draft.hits[:5]] == [h.passage.id for h in base.hits], (question, k)
        assert len(drafts[50].hits) == 50
        # the passages past the reranked ones score below them, in their fused order (the first
        # passage may be the quoted one rather than the highest scored: ``quoted_first``)
        scores = [h.score for h in drafts[50].hits]
        assert scores[top_n:] == sorted(scores[top_n:], reverse=True), question
        assert min(scores[:top_n]) >= scores[top_n], question
    async_draft = asyncio.run(index.draft_async(QUESTIONS_FOR_K[0], k=50))
    assert async_draft.sentences == index.draft(QUESTIONS_FOR_K[0], k=5).sentences

    # What a caseworker saw, through `kb ask`: "tvangsægteskab" was answered with k=5 and declined,
    # with no answer, with k=50.
    from click.testing import CliRunner

    from api.cli import cli
    from tests.conftest import kb_env

    env = kb_env(built_settings, KB_RERANKER_MODEL=tiny_cross_encoder, HF_HUB_OFFLINE="1")
    asked = json.loads(CliRunner().invoke(cli, ["ask", "tvangsægteskab", "--k", "50", "--json"], env=env,
                                          catch_exceptions=False).stdout)
    answer = index.ask("tvangsægteskab", k=5)
    assert asked["confident"] == answer.confident
    assert [s["text"] for s in asked["answer"]] == [s.text for s in answer.sentences]
    assert [p["id"] for p in asked["passages"][:5]] == [h.passage.id for h in answer.hits]


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
