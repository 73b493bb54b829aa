"""The one search path: keyword-only, or hybrid (vectors + keywords fused) when a query vector is given.

`search()` takes everything it needs (the stores to query, the query's embedding, a way to get the
model's vector index of a store, the term counts) and returns the ranked hits. It knows nothing of
the journal facade or the model's life cycle: the service layer above hands it those inputs.

    result = search(query, targets, filters, limit, semantic=SemanticInputs(vector, index_for, counts))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from journal_mcp.core.models import Entry, Hit, SearchResult
from journal_mcp.search.hits import Target, make_hit, scoped
from journal_mcp.search.keyword import TermCounts, keyword_search
from journal_mcp.search.ranking import DEFAULT_MIN_SCORE, Candidate, keyword_query, rank
from journal_mcp.search.vector_index import VectorIndex
from journal_mcp.store.fts import query_terms
from journal_mcp.store.storage import Filters, JournalStore

# How many candidates each signal contributes, per requested hit.
CANDIDATES_PER_HIT = 3
KEYWORD_POSTINGS_BUDGET = 2000  # most sections the keyword signal ranks per search (see keyword_match)


@dataclass(frozen=True)
class SemanticInputs:
    """What the vector side of a hybrid search needs, from whoever owns the model."""

    vector: npt.NDArray[np.float32]  # the query's embedding
    index_for: Callable[[JournalStore], VectorIndex | None]  # the model's current index over a store
    term_counts: TermCounts
    min_score: float = DEFAULT_MIN_SCORE
    notice: str | None = None  # e.g. that older entries are still being embedded


def search(
    query: str,
    targets: Sequence[Target],
    filters: Filters,
    limit: int,
    *,
    semantic: SemanticInputs | None = None,
    notice: str | None = None,
) -> SearchResult:
    """The `limit` best hits for `query` in `targets`: hybrid with `semantic`, else keyword-only with `notice`."""
    if semantic is None:
        return keyword_search(targets, query, filters, limit, notice=notice)
    terms = query_terms(keyword_query(query))
    wanted = limit * CANDIDATES_PER_HIT
    candidates: dict[str, Candidate] = {}
    owners: dict[str, JournalStore] = {}
    for store, kinds in targets:
        within = scoped(filters, kinds)
        index = semantic.index_for(store)
        if index is not None:
            for m in index.search(semantic.vector, within, wanted):
                candidates[m.entry_id] = Candidate(
                    m.entry_id, cosine=m.cosine, section=m.section, vector_id=m.vector_id
                )
                owners[m.entry_id] = store
        match = keyword_match(store, terms, semantic.term_counts)
        if match is None:
            continue
        keyword = store.keyword_search(match, within, wanted)
        unseen = [k.entry_id for k in keyword if k.entry_id not in candidates]
        extra = index.best_for_entries(semantic.vector, within, unseen) if index is not None and unseen else {}
        for k in keyword:
            candidate = candidates.get(k.entry_id)
            if candidate is None:
                best = extra.get(k.entry_id)
                candidate = candidates[k.entry_id] = Candidate(
                    k.entry_id,
                    cosine=best.cosine if best else None,
                    vector_id=best.vector_id if best else None,
                    section=best.section if best else k.section,
                )
                owners[k.entry_id] = store
            candidate.bm25 = k.rank
            candidate.section = k.section
    ranked = rank(list(candidates.values()), limit, semantic.min_score)
    return SearchResult(query=query, mode="hybrid", notice=semantic.notice, hits=_hits(query, ranked, owners))


def keyword_match(store: JournalStore, terms: list[str], counts: TermCounts) -> str | None:
    """An FTS5 expression of the query's rarer terms, within a budget of matching sections.

    Ranking every section that contains a common word costs ~3 ms per thousand (100 ms for
    "model" in a 100k-entry journal) and says little: the vectors already rank by meaning.
    The keyword signal is for what identifies an entry (names, codes, rare words), so terms
    are taken rarest first while their matches fit KEYWORD_POSTINGS_BUDGET.
    """
    counted = sorted((counts.count(store, term), term) for term in terms)
    kept: list[str] = []
    budget = KEYWORD_POSTINGS_BUDGET
    for count, term in counted:
        if count == 0:
            continue
        if count > budget:
            break
        kept.append(term)
        budget -= count
    return " OR ".join(f'"{term}"' for term in kept) if kept else None


def _hits(query: str, ranked: list[Candidate], owners: dict[str, JournalStore]) -> list[Hit]:
    by_store: dict[int, list[str]] = {}
    for c in ranked:
        by_store.setdefault(id(owners[c.entry_id]), []).append(c.entry_id)
    entries: dict[str, Entry] = {}
    for c in ranked:
        store = owners[c.entry_id]
        if id(store) in by_store:
            entries.update(store.get_entries(by_store.pop(id(store))))
    hits = []
    for c in ranked:
        entry = entries.get(c.entry_id)
        if entry is None:
            continue
        start = None
        if c.vector_id is not None and "keyword" not in c.matched:
            span = owners[c.entry_id].chunk_span(c.vector_id)
            if span is not None and span[0] == c.section:
                start = span[1]
        hits.append(
            make_hit(
                entry,
                query=query if "keyword" in c.matched else None,
                section=c.section,
                score=c.cosine,
                keyword_rank=c.bm25,
                matched=c.matched,
                start=start,
            )
        )
    return hits
