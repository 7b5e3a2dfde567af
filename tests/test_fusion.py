import numpy as np
import pytest

from index.fusion import FusionConfig, fuse, minmax, ranks, top_k, zscore


def test_ranks_are_one_based_and_stable():
    assert ranks(np.array([0.1, 0.9, 0.5])).tolist() == [3, 1, 2]


def test_zscore_and_minmax_handle_flat_scores():
    flat = np.ones(4)
    assert zscore(flat).tolist() == [0, 0, 0, 0]
    assert minmax(flat).tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("method", ["rrf", "zscore", "minmax"])
def test_weights_at_the_extremes_reproduce_one_retriever(method):
    lexical = np.array([3.0, 0.0, 1.0, 2.0])
    dense = np.array([0.1, 0.9, 0.5, 0.2])
    only_lex = fuse(lexical, dense, FusionConfig(method=method, dense_weight=0.0))
    only_dense = fuse(lexical, dense, FusionConfig(method=method, dense_weight=1.0))
    assert [i for i, _ in top_k(only_lex, 3)] == [0, 3, 2]
    assert [i for i, _ in top_k(only_dense, 4)] == [1, 2, 3, 0]


def test_passage_found_by_both_beats_one_found_by_either():
    lexical = np.array([5.0, 0.0, 4.0, 0.0])
    dense = np.array([0.2, 0.8, 0.75, 0.1])
    best, _ = top_k(fuse(lexical, dense, FusionConfig(method="zscore", dense_weight=0.5)), 1)[0]
    assert best == 2


def test_rrf_gives_no_lexical_credit_to_passages_without_query_words():
    lexical = np.array([0.0, 0.0, 1.0])
    dense = np.array([0.5, 0.4, 0.3])
    fused = fuse(lexical, dense, FusionConfig(method="rrf", dense_weight=0.5))
    assert fused[2] > fused[1]


def test_top_k_orders_and_clips():
    assert top_k(np.array([0.2, 0.9, 0.4]), 5) == [(1, 0.9), (2, 0.4), (0, 0.2)]
    assert top_k(np.array([]), 3) == []


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError):
        fuse(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError):
        fuse(np.zeros(3), np.zeros(3), FusionConfig(sentence_weight=0.5), np.zeros(2))


@pytest.mark.parametrize("method", ["rrf", "zscore", "minmax"])
def test_the_best_sentence_takes_its_share_of_the_dense_weight(method):
    lexical = np.zeros(4)  # no question word anywhere: the dense side decides
    dense = np.array([0.6, 0.5, 0.4, 0.1])
    sentence = np.array([0.5, 0.9, 0.4, 0.2])  # passage 1 holds the one sentence the question paraphrases
    config = FusionConfig(method=method, dense_weight=0.5, sentence_weight=0.6)
    # Without sentence scores, or with no share, the passage vectors decide as before.
    assert fuse(lexical, dense, config).tolist() == fuse(lexical, dense, FusionConfig(method=method,
                                                                                    dense_weight=0.5)).tolist()
    assert fuse(lexical, dense, FusionConfig(method=method, dense_weight=0.5), sentence).tolist() == \
        fuse(lexical, dense, FusionConfig(method=method, dense_weight=0.5)).tolist()
    assert top_k(fuse(lexical, dense, config, sentence), 1)[0][0] == 1
    # All of the dense weight to the best sentence: the sentences alone decide.
    only_sentence = fuse(lexical, dense, FusionConfig(method=method, dense_weight=1.0, sentence_weight=1.0), sentence)
    assert [i for i, _ in top_k(only_sentence, 4)] == [1, 0, 2, 3]


def test_each_model_family_gets_the_weight_measured_for_it() -> None:
    from index.fusion import DEFAULT_FUSION, fusion_for

    assert fusion_for("intfloat/multilingual-e5-small").dense_weight == 0.5
    assert fusion_for("/root/.cache/kb-models/multilingual-e5-small").dense_weight == 0.5
    assert fusion_for("sentence-transformers/all-MiniLM-L6-v2").dense_weight == 0.3
    assert fusion_for("BAAI/bge-m3") == DEFAULT_FUSION  # a family nobody measured: the old weight
    assert {fusion_for(m).method for m in ("e5", "minilm", "x")} == {"zscore"}
    # The best sentence's share of the dense weight, measured per family as well.
    assert fusion_for("intfloat/multilingual-e5-small").sentence_weight == 0.4
    assert fusion_for("sentence-transformers/all-MiniLM-L6-v2").sentence_weight == 0.3
    assert DEFAULT_FUSION.sentence_weight == 0.0
