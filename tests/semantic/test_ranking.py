"""Fusion of cosine similarity and BM25."""

from __future__ import annotations

from journal_mcp.search.ranking import DEFAULT_MIN_SCORE, KEYWORD_WEIGHT, Candidate, fused_score, keyword_bonus, rank


def test_keyword_bonus_grows_with_bm25_and_is_bounded() -> None:
    bonuses = [keyword_bonus(-s) for s in (0.0, 1.0, 3.0, 10.0, 1000.0)]
    assert bonuses == sorted(bonuses)
    assert bonuses[0] == 0.0
    assert abs(bonuses[2] - KEYWORD_WEIGHT / 2) < 1e-9
    assert bonuses[-1] < KEYWORD_WEIGHT
    assert keyword_bonus(None) == 0.0


def test_a_paraphrase_at_typical_minilm_cosine_survives_the_default_threshold() -> None:
    ranked = rank([Candidate("p", cosine=0.27), Candidate("noise", cosine=0.12)], 10)
    assert [c.entry_id for c in ranked] == ["p"]
    assert ranked[0].matched == ["semantic"]
    assert DEFAULT_MIN_SCORE <= 0.25


def test_keyword_matches_are_kept_whatever_their_cosine() -> None:
    ranked = rank([Candidate("exact", cosine=0.05, bm25=-4.0), Candidate("none", cosine=None, bm25=-1.0)], 10, 0.5)
    assert {c.entry_id for c in ranked} == {"exact", "none"}
    assert all(c.matched == ["keyword"] for c in ranked)


def test_exact_name_lifts_an_entry_above_a_slightly_closer_paraphrase() -> None:
    close = Candidate("close", cosine=0.50)
    named = Candidate("named", cosine=0.42, bm25=-6.0)
    ranked = rank([close, named], 10)
    assert [c.entry_id for c in ranked] == ["named", "close"]
    assert ranked[0].matched == ["semantic", "keyword"]
    assert fused_score(named) > fused_score(close)


def test_limit_is_respected_and_order_is_by_fused_score() -> None:
    cands = [Candidate(f"e{i}", cosine=i / 20) for i in range(20)]
    ranked = rank(cands, 5)
    assert [c.entry_id for c in ranked] == ["e19", "e18", "e17", "e16", "e15"]


def test_stop_words_do_not_count_as_keyword_matches() -> None:
    from journal_mcp.search.ranking import keyword_query

    assert keyword_query("times I was stuck on GPU memory") == "times stuck GPU memory"
    assert keyword_query("CUDA_ERROR_OUT_OF_MEMORY in config.yaml") == "CUDA_ERROR_OUT_OF_MEMORY config.yaml"
    assert keyword_query("what was it") == "what was it"  # nothing but stop words: keep them
