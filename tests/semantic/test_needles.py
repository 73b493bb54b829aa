"""Paraphrased needles in a realistic journal (bench/realistic.py, bench/needles.py) with the real model."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from bench.needles import NEEDLES
from bench.realistic_journal import build

from journal_mcp.core.config import Settings
from journal_mcp.search.ranking import CONTEXT_GAP_SECONDS, STOPWORDS
from journal_mcp.service.journal import Journal
from journal_mcp.service.semantic import SemanticSearch


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS and len(w) > 1}


def test_each_needle_query_is_a_paraphrase_sharing_at_most_one_word() -> None:
    assert len(NEEDLES) == 10
    for needle in NEEDLES:
        shared = content_words(needle.text) & content_words(needle.query)
        assert len(shared) <= 1, (needle.name, shared)


def test_needles_are_spread_through_a_realistic_journal_with_sessions() -> None:
    from bench.realistic_journal import journal_entries

    entries, needle_ids = journal_entries(300, seed=0)
    lengths = sorted(sum(len(t) for t in e.sections.values()) for e in entries)
    assert 700 < lengths[len(lengths) // 2] < 1500  # real lengths: about a thousand characters
    assert sum(len(e.sections) > 1 for e in entries) > len(entries) / 2  # mostly several sections
    assert len(set(needle_ids.values())) == 10
    gaps = [(b.created_at - a.created_at).total_seconds() for a, b in itertools.pairwise(entries)]
    assert any(g <= CONTEXT_GAP_SECONDS for g in gaps) and any(g > CONTEXT_GAP_SECONDS for g in gaps)


@pytest.mark.real_model
def test_paraphrased_needles_are_in_the_top_3_among_realistic_entries(settings: Settings, real_embedder: Any) -> None:
    db = settings.user_db_path
    db.parent.mkdir(parents=True, exist_ok=True)
    built = build(db, 200, real_embedder, real=200)
    service = SemanticSearch(lambda: real_embedder, recheck_seconds=0.5)
    with Journal(settings, semantic=service) as journal:
        service.start(journal)
        assert service.wait_idle(120)
        missed = {}
        for needle in NEEDLES:
            result = journal.search(needle.query, limit=3)
            assert result.mode == "hybrid" and result.notice is None
            paths = [h.path for h in result.hits]
            if built.needle_ids[needle.name] not in paths:
                missed[needle.name] = [h.excerpt[:80] for h in result.hits]
        service.stop()
    assert not missed, missed
