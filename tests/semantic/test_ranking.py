"""Hybrid ranking: one score shown and ranked by, keyword weight by specificity, lift from the same session."""

from __future__ import annotations

import random

from journal_mcp.search.ranking import (
    COMMON_MIN_SECTIONS,
    COMMON_SHARE,
    DEFAULT_MIN_SCORE,
    KEYWORD_WEIGHT,
    MAX_SCORE,
    SPECIFIC_SHARE,
    Candidate,
    Link,
    keyword_bonus,
    rank,
    term_weight,
)


def ids(ranked: list[Candidate]) -> list[str]:
    return [c.entry_id for c in ranked]


def test_keyword_bonus_grows_with_strength_and_is_bounded() -> None:
    bonuses = [keyword_bonus(s) for s in (0.0, 1.0, 3.0, 10.0, 1000.0)]
    assert bonuses == sorted(bonuses)
    assert bonuses[0] == 0.0
    assert bonuses[-1] < KEYWORD_WEIGHT
    assert keyword_bonus(-5.0) == 0.0


def test_a_term_counts_less_the_more_sections_contain_it() -> None:
    total = 10_000
    weights = [term_weight(n, total) for n in (1, 50, 100, 200, 300, 400, 1000)]
    assert weights == sorted(weights, reverse=True)
    assert term_weight(int(SPECIFIC_SHARE * total), total) == 1.0
    assert term_weight(int(COMMON_SHARE * total), total) == 0.0
    assert term_weight(0, total) == 0.0


def test_in_a_small_journal_every_term_counts() -> None:
    assert term_weight(COMMON_MIN_SECTIONS, 10) == 1.0
    assert term_weight(2, 3) == 1.0


def test_the_score_is_the_ranking_order_and_never_negative() -> None:
    rng = random.Random(4)
    cands = [
        Candidate(f"e{i}", cosine=rng.uniform(-0.3, 0.9), keyword=rng.choice([0.0, rng.uniform(0, 20)]))
        for i in range(200)
    ]
    links = [Link(f"e{i}", f"e{i + d}", abs(d)) for i in range(1, 198) for d in (-2, -1, 1, 2)]
    ranked = rank(cands, 100, 0.0, links)
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= MAX_SCORE for s in scores)


def test_limit_k_is_the_first_k_of_limit_2k() -> None:
    rng = random.Random(5)

    def fresh() -> list[Candidate]:
        return [Candidate(f"e{i}", cosine=rng.uniform(0, 1)) for i in range(60)]

    rng.seed(5)
    five = ids(rank(fresh(), 5))
    rng.seed(5)
    ten = ids(rank(fresh(), 10))
    assert five == ten[:5]


def test_min_score_applies_to_keyword_only_hits_too() -> None:
    weak = Candidate("weak", cosine=None, keyword=0.5)  # bonus ~0.07
    strong = Candidate("strong", cosine=None, keyword=30.0)  # bonus ~0.45
    assert ids(rank([weak, strong], 10, 0.2)) == ["strong"]
    assert rank([strong], 10, 0.2)[0].matched == ["keyword"]


def test_a_paraphrase_at_typical_minilm_cosine_survives_the_default_threshold() -> None:
    ranked = rank([Candidate("p", cosine=0.27), Candidate("noise", cosine=0.12)], 10)
    assert ids(ranked) == ["p"]
    assert ranked[0].matched == ["semantic"]
    assert DEFAULT_MIN_SCORE <= 0.25


def test_a_specific_word_lifts_an_entry_above_a_slightly_closer_paraphrase() -> None:
    ranked = rank([Candidate("close", cosine=0.50), Candidate("named", cosine=0.42, keyword=6.0)], 10)
    assert ids(ranked) == ["named", "close"]
    assert ranked[0].matched == ["semantic", "keyword"]


def test_a_neighbour_is_lifted_toward_its_better_source_and_never_above_it() -> None:
    question = Candidate("question", cosine=0.6)
    answer = Candidate("answer", cosine=0.25)
    other = Candidate("other", cosine=0.4)
    ranked = rank([question, answer, other], 10, links=[Link("question", "answer", 1)])
    assert ids(ranked) == ["question", "answer", "other"]
    assert question.score > answer.score > answer.base
    assert answer.matched == ["semantic", "context"]


def test_a_better_neighbour_is_not_pulled_down() -> None:
    best = Candidate("best", cosine=0.7)
    weak = Candidate("weak", cosine=0.3)
    rank([best, weak], 10, links=[Link("weak", "best", 1), Link("best", "weak", 1)])
    assert best.score == best.base
    assert weak.score > weak.base


def test_two_steps_away_lifts_less_than_next_door() -> None:
    src = Candidate("src", cosine=0.8)
    near = Candidate("near", cosine=0.2)
    far = Candidate("far", cosine=0.2)
    rank([src, near, far], 10, links=[Link("src", "near", 1), Link("src", "far", 2)])
    assert near.score > far.score > far.base
