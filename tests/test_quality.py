"""Retrieval quality on the small fixture question set, through `kb eval`, with the offline MiniLM.

The main quality gate is now tests/test_quality_realistic.py (the realistic corpus's check half);
this set is small (63 answerable) and guards against regressions on the unit-test corpus. With the
search chain of issue 7 (fixed fusion weight 0.4, small-to-big, fitted confidence rule) the hybrid
gives R@5 0.714 here, and one of the 9 unanswerable questions gets a confident answer; the floors
below are set to that, not above it.

The floors are what the hybrid meets and what the dense side alone misses (figures from
``bench/quality.py``: hybrid R@5 0.730 / MRR 0.607, BM25 only 0.714 / 0.595, MiniLM only
0.524 / 0.416). MiniLM is English-only, so here the lexical side carries most of the load;
with multilingual-e5-small the balance turns, and the calibrated weight follows it.

Since the thesaurus's version 3 and a speller that leaves real words alone, BM25 alone meets the
floors on this small set too (R@1 0.587, R@5 0.714, MRR 0.651, against the hybrid's 0.571, 0.778
and 0.640): the two tie on the first hit, and the hybrid finds four more questions in its first
five. So each retriever alone must find fewer in the first five than the hybrid; the realistic
check half (tests/test_quality_realistic.py) is where the hybrid's lead is measured.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from api.cli import cli
from tests.conftest import QUESTIONS, kb_env

RECALL5_FLOOR = 0.70
MRR_FLOOR = 0.60


@pytest.fixture(scope="module")
def summaries(built_settings):  # noqa: ANN001
    env = kb_env(built_settings)
    out = {}
    for retriever in ("hybrid", "lexical", "dense"):
        result = CliRunner().invoke(cli, ["eval", str(QUESTIONS), "--retriever", retriever, "--json"], env=env)
        assert result.exit_code == 0, result.output
        out[retriever] = json.loads(result.stdout)
    return out


def test_hybrid_meets_the_floors(summaries):
    overall = summaries["hybrid"]["summary"]["all"]
    assert overall["questions"] >= 30
    assert overall["recall@5"] >= RECALL5_FLOOR
    assert overall["mrr@10"] >= MRR_FLOOR


@pytest.mark.parametrize("retriever", ["lexical", "dense"])
def test_each_retriever_alone_finds_less_than_the_hybrid(summaries, retriever):
    overall = summaries[retriever]["summary"]["all"]
    assert overall["recall@5"] < summaries["hybrid"]["summary"]["all"]["recall@5"]


def test_the_dense_side_alone_misses_the_floors(summaries):
    overall = summaries["dense"]["summary"]["all"]
    assert overall["recall@5"] < RECALL5_FLOOR and overall["mrr@10"] < MRR_FLOOR
    assert overall["mrr@10"] < summaries["hybrid"]["summary"]["all"]["mrr@10"]


def test_unanswerable_questions_are_declined(summaries):
    answers = summaries["hybrid"]["summary"]["answers"]
    assert answers["unanswerable"] >= 3
    assert answers["unanswerable_declined"] >= answers["unanswerable"] - 1
    # and the decline is not bought by refusing everything (the fitted rule is cautious by design:
    # it answers about a fifth of these questions with MiniLM; the refit after the speller stopped
    # rewriting real words raised MiniLM's threshold from 0.692 to 0.742, and its answers here
    # went from 14 to 12 of 63, with 2 wrong before and after)
    assert answers["declined"] <= answers["answerable"] * 4 // 5
    assert answers["right"] > answers["confidently_wrong"]


def test_lexical_questions_are_nearly_always_found(summaries):
    assert summaries["hybrid"]["summary"]["lexical"]["recall@5"] >= 0.9
