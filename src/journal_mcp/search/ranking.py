"""Hybrid ranking: meaning first, specific words second, context from the same session third.

Every candidate entry gets one relevance score, the score shown and the score ranked by:

    base  = max(0, cosine) + KEYWORD_WEIGHT * k / (k + KEYWORD_HALF)
    score = base + max over neighbours n of  CONTEXT_LIFT[distance] * max(0, base(n) - base)

- `cosine` is the best chunk's similarity to the query (negative similarity counts as none).
- `k` is the entry's keyword strength: the BM25 of its best section, summed over the query's terms,
  each term weighted by how specific it is in this journal (`term_weight`). A word found in many
  sections ("test", "payment", a speaker's name) says little about which entry is meant and the
  vectors already cover it; a rare word (a name, a file, an error code) says a lot. Without that
  weighting a bonus for common words buries the best match by meaning.
- A neighbour is one of the two entries written just before or after it in the same journal, in
  the same working session (each step at most CONTEXT_GAP_SECONDS apart). An entry is lifted part
  of the way toward a better-scoring neighbour and never above it: the answer that follows a
  question, or the fix written after the problem, is found with it.

Scores are never negative and do not depend on `limit`, so the first k results of limit=2k are
the results of limit=k; `min_score` applies to every hit's score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

KEYWORD_WEIGHT = 0.5
KEYWORD_HALF = 3.0
# A term in at most SPECIFIC_SHARE of the journal's sections counts fully, one in COMMON_SHARE or
# more not at all, linearly in between; a small journal counts every term in at most
# COMMON_MIN_SECTIONS sections fully (there, every word is "in many sections").
SPECIFIC_SHARE = 0.005
COMMON_SHARE = 0.04
COMMON_MIN_SECTIONS = 8
CONTEXT_LIFT = {1: 0.6, 2: 0.5}
CONTEXT_GAP_SECONDS = 3600.0
DEFAULT_MIN_SCORE = 0.2
MAX_SCORE = 1.0 + KEYWORD_WEIGHT

# Words too common to count as a keyword match when the meaning is already scored by the vectors
# (in a small journal, BM25 would otherwise rate "was" in "times I was stuck" as a rare term).
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
    ]
)
_WORD = re.compile(r"\w+")


def keyword_query(query: str) -> str:
    """The query without stop words, for the keyword signal (the whole query if nothing else is left)."""
    kept = [word for word in query.split() if any(w.lower() not in STOPWORDS for w in _WORD.findall(word))]
    return " ".join(kept) if kept else query


def term_weight(matching_sections: int, total_sections: int) -> float:
    """How much a query term counts in the keyword signal, 0..1, from how many sections contain it."""
    if matching_sections <= 0:
        return 0.0
    if matching_sections <= COMMON_MIN_SECTIONS:
        return 1.0
    share = matching_sections / max(total_sections, 1)
    return min(1.0, max(0.0, (COMMON_SHARE - share) / (COMMON_SHARE - SPECIFIC_SHARE)))


@dataclass
class Candidate:
    """One entry seen by either signal or as a neighbour, before ranking."""

    entry_id: str
    cosine: float | None = None  # best chunk's similarity; None when the entry has no vector yet
    keyword: float = 0.0  # weighted BM25 strength of the best section (>= 0)
    section: str | None = None  # the section that matched best
    vector_id: int | None = None  # the best chunk, for the excerpt
    base: float = 0.0
    score: float = 0.0
    matched: list[str] = field(default_factory=list)


def keyword_bonus(strength: float) -> float:
    strength = max(0.0, strength)
    return KEYWORD_WEIGHT * strength / (strength + KEYWORD_HALF)


def base_score(candidate: Candidate) -> float:
    return max(0.0, candidate.cosine or 0.0) + keyword_bonus(candidate.keyword)


@dataclass(frozen=True)
class Link:
    """`neighbour` was written `distance` entries before or after `source`, in the same session."""

    source: str
    neighbour: str
    distance: int


def score_all(candidates: Iterable[Candidate], links: Iterable[Link] = ()) -> list[Candidate]:
    """Set every candidate's base score, then its score with the lift from its neighbours."""
    by_id = {c.entry_id: c for c in candidates}
    for c in by_id.values():
        c.base = base_score(c)
        c.score = c.base
        c.matched = []
        if c.cosine is not None and c.cosine > 0:
            c.matched.append("semantic")
        if c.keyword > 0:
            c.matched.append("keyword")
    lifted: dict[str, float] = {}
    for link in links:
        source, neighbour = by_id.get(link.source), by_id.get(link.neighbour)
        lift = CONTEXT_LIFT.get(link.distance, 0.0)
        if source is None or neighbour is None or lift <= 0:
            continue
        gain = lift * max(0.0, source.base - neighbour.base)
        if gain > lifted.get(neighbour.entry_id, 0.0):
            lifted[neighbour.entry_id] = gain
    for entry_id, gain in lifted.items():
        c = by_id[entry_id]
        c.score = c.base + gain
        c.matched.append("context")
    return list(by_id.values())


def rank(
    candidates: Iterable[Candidate], limit: int, min_score: float = DEFAULT_MIN_SCORE, links: Iterable[Link] = ()
) -> list[Candidate]:
    """The best `limit` candidates by score, those below `min_score` dropped (ties: newer first; an
    entry id starts with its time)."""
    scored = [c for c in score_all(candidates, links) if c.score >= min_score and c.score > 0]
    scored.sort(key=lambda c: c.entry_id, reverse=True)
    scored.sort(key=lambda c: -c.score)
    return scored[:limit]
