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
from journal_mcp.search.candidates import gather, keyword_terms
from journal_mcp.search.hits import Target, make_hit, scoped
from journal_mcp.search.keyword import TermCounts, keyword_search
from journal_mcp.search.ranking import DEFAULT_MIN_SCORE, Candidate, Link, keyword_query, rank
from journal_mcp.search.vector_index import VectorIndex
from journal_mcp.store.fts import query_terms
from journal_mcp.store.storage import Filters, JournalStore


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
    candidates: dict[str, Candidate] = {}
    owners: dict[str, JournalStore] = {}
    links: list[Link] = []
    for store, kinds in targets:
        within = scoped(filters, kinds)
        weighted = keyword_terms(store, terms, semantic.term_counts.count)
        found = gather(store, within, semantic.vector, semantic.index_for(store), weighted)
        for entry_id in found.candidates:
            owners[entry_id] = store
        candidates.update(found.candidates)
        links.extend(found.links)
    ranked = rank(candidates.values(), limit, semantic.min_score, links)
    return SearchResult(query=query, mode="hybrid", notice=semantic.notice, hits=_hits(query, ranked, owners))


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
                score=c.score,
                similarity=c.cosine,
                keyword_rank=-c.keyword if c.keyword > 0 else None,
                matched=c.matched,
                start=start,
            )
        )
    return hits
