"""Hybrid ranking: vector similarity plus a bounded bonus for a keyword (BM25) match.

    fused = cosine + KEYWORD_WEIGHT * s / (s + KEYWORD_HALF),   s = -bm25 (>= 0, larger is better)

The cosine carries the meaning; the keyword bonus (at most KEYWORD_WEIGHT, half of it at
s = KEYWORD_HALF) lifts entries that contain the exact names, file names or error codes asked
for, which small embedding models blur. Entries found only by meaning must reach `min_score`
cosine; keyword matches are kept whatever their cosine. MiniLM scores a true paraphrase at only
0.25-0.35, so the default threshold is 0.2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEYWORD_WEIGHT = 0.3
KEYWORD_HALF = 3.0
DEFAULT_MIN_SCORE = 0.2

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


@dataclass
class Candidate:
    """One entry seen by either signal, before ranking."""

    entry_id: str
    cosine: float | None = None  # best chunk's cosine similarity; None when the entry has no vector yet
    bm25: float | None = None  # SQLite bm25(): negative, lower is better; None when no keyword matched
    section: str | None = None  # the section that matched best
    vector_id: int | None = None  # the best chunk, for the excerpt
    created_at: float = 0.0  # tie-breaker: newer first
    matched: list[str] = field(default_factory=list)


def keyword_bonus(bm25: float | None) -> float:
    if bm25 is None:
        return 0.0
    strength = max(0.0, -bm25)
    return KEYWORD_WEIGHT * strength / (strength + KEYWORD_HALF)


def fused_score(candidate: Candidate) -> float:
    return (candidate.cosine or 0.0) + keyword_bonus(candidate.bm25)


def rank(candidates: list[Candidate], limit: int, min_score: float = DEFAULT_MIN_SCORE) -> list[Candidate]:
    """The best `limit` candidates by fused score; semantic-only ones below `min_score` are dropped."""
    kept: list[Candidate] = []
    for candidate in candidates:
        matched = []
        if candidate.cosine is not None and candidate.cosine >= min_score:
            matched.append("semantic")
        if candidate.bm25 is not None:
            matched.append("keyword")
        if not matched:
            continue
        candidate.matched = matched
        kept.append(candidate)
    kept.sort(key=lambda c: (-fused_score(c), -c.created_at, c.entry_id))
    return kept[:limit]
