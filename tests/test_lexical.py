import numpy as np

from index.lexical import Analyzer, AnalyzerConfig, LexicalIndex


def test_danish_stemming_and_stop_words():
    tokens = Analyzer(AnalyzerConfig(decompound=False))("Hvad gør jeg, hvis eleven siger, at hun skal giftes?")
    assert "gift" in tokens and "elev" in tokens
    assert "hvis" not in tokens and "at" not in tokens


def test_domain_words_are_not_stop_words():
    assert "far" in Analyzer()("hendes far truer hende")


def test_compounds_split_into_known_parts_with_linking_s():
    analyzer = Analyzer()
    assert analyzer.split_compound("beredskabsplan") == ("beredskab", "plan")
    assert analyzer.split_compound("tvangsægteskab") == ("tvang", "ægteskab")
    assert analyzer.split_compound("politi") is None  # too short to be a compound


def test_decompounding_lets_a_spelled_out_question_find_the_compound():
    docs = ["Kommunen skal have en beredskabsplan for æresrelaterede sager.",
            "Skolen holder forældremøde om trivsel."]
    plain = LexicalIndex(Analyzer(AnalyzerConfig(decompound=False, ngrams=0)))
    plain.index(docs)
    split = LexicalIndex(Analyzer(AnalyzerConfig(decompound=True, ngrams=0)))
    split.index(docs)
    query = "plan for beredskab"
    assert plain.scores(query).max() == 0
    scores = split.scores(query)
    assert scores.argmax() == 0 and scores[0] > 0


def test_unknown_words_score_zero_and_have_no_idf():
    index = LexicalIndex()
    index.index(["Underretning efter serviceloven.", "Samtale med den unge."])
    assert index.scores("parkeringstilladelse").max() == 0
    assert index.idf("parkeringstilladels") is None
    assert index.idf(index.analyzer("underretning")[0]) is not None


def test_save_and_load_round_trip(tmp_path):
    index = LexicalIndex()
    index.index(["Genopdragelsesrejser til forældrenes hjemland.", "Anonym rådgivning til unge."])
    index.save(tmp_path / "lex")
    again = LexicalIndex.load(tmp_path / "lex")
    assert again.count == 2
    assert again.scores("rådgivning").tolist() == index.scores("rådgivning").tolist()


def test_character_ngrams_bridge_inflections_the_stemmer_misses():
    docs = ["Et tvangsægteskab er strafbart.", "Skolen holder forældremøde om trivsel."]
    index = LexicalIndex(Analyzer(AnalyzerConfig(decompound=False, ngrams=4)))
    index.index(docs)
    scores = index.scores("tvunget ægteskab")
    assert scores.argmax() == 0 and scores[1] == 0


def test_scores_are_the_sum_bm25s_computes_token_by_token():
    docs = ["Et tvangsægteskab er strafbart, og den unge kan få hjælp.",
            "Skolen holder forældremøde om trivsel og om den unges hjælp.",
            "Kommunen skal have en beredskabsplan for æresrelaterede sager.",
            "Den unge kan flytte hjemmefra og bo et andet sted."]
    index = LexicalIndex()
    index.index(docs)
    for question in ["hjælp til den unge", "hjælp hjælp hjælp", "tvangsægteskab og beredskabsplan",
                     "parkeringstilladelse hjælp", "unge"]:
        tokens = index.analyzer(question)
        expected = index._bm25.get_scores([t for t in tokens if t in index._bm25.vocab_dict])
        assert np.allclose(index.score_tokens(tokens), expected, rtol=1e-6, atol=1e-6), question
    assert index.score_tokens(["ukendtord"]).tolist() == [0.0] * 4
