"""The candidates a hybrid search ranks, gathered from one store: by meaning, by specific words, and
the same-session neighbours of the best of them.

The pool does not depend on how many results were asked for (POOL entries from each signal, the
neighbours of the best CONTEXT_SOURCES), so a search for 5 results returns the first 5 of a search
for 10. See `ranking` for how the signals become one score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from journal_mcp.search.ranking import CONTEXT_GAP_SECONDS, CONTEXT_LIFT, Candidate, Link, base_score, term_weight
from journal_mcp.search.vector_index import Scored, VectorIndex
from journal_mcp.store.storage import Filters, JournalStore

POOL = 100  # candidates from each signal (the most results a search returns)
CONTEXT_SOURCES = 20  # the best candidates whose neighbours are considered
KEYWORD_POSTINGS_BUDGET = 2000  # most sections the keyword signal reads per search (see keyword_terms)

TermCount = Callable[[JournalStore, str], int]


@dataclass
class Gathered:
    candidates: dict[str, Candidate]
    links: list[Link]


def keyword_terms(store: JournalStore, terms: list[str], count: TermCount) -> list[tuple[str, float]]:
    """The query terms worth matching in `store`, each with its weight (see `ranking.term_weight`).

    Terms are taken rarest first while their matching sections fit KEYWORD_POSTINGS_BUDGET: reading
    every section that holds a common word costs ~3 ms per thousand and such a word carries no
    weight anyway.
    """
    counted = sorted((count(store, term), term) for term in terms)
    total = count(store, "")
    kept: list[tuple[str, float]] = []
    budget = KEYWORD_POSTINGS_BUDGET
    for matches, term in counted:
        if matches == 0:
            continue
        if matches > budget:
            break
        budget -= matches
        weight = term_weight(matches, total)
        if weight > 0:
            kept.append((term, weight))
    return kept


def keyword_strengths(
    store: JournalStore, weighted: list[tuple[str, float]], filters: Filters
) -> dict[str, tuple[float, str]]:
    """Every matching entry's keyword strength (the weighted sum over terms of its best section's BM25)
    and the section that contributed most."""
    strengths: dict[str, float] = {}
    best: dict[str, tuple[float, str]] = {}
    for term, weight in weighted:
        per_entry: dict[str, tuple[float, str]] = {}  # this term's best section in each entry
        for hit in store.section_matches(f'"{term}"', filters):
            part = weight * max(0.0, -hit.rank)
            if part > per_entry.get(hit.entry_id, (-1.0, ""))[0]:
                per_entry[hit.entry_id] = (part, hit.section)
        for entry_id, (part, section) in per_entry.items():
            strengths[entry_id] = strengths.get(entry_id, 0.0) + part
            if part > best.get(entry_id, (0.0, ""))[0]:
                best[entry_id] = (part, section)
    return {entry_id: (s, best[entry_id][1] if entry_id in best else "") for entry_id, s in strengths.items()}


def gather(
    store: JournalStore,
    filters: Filters,
    vector: npt.NDArray[np.float32],
    index: VectorIndex | None,
    weighted: list[tuple[str, float]],
) -> Gathered:
    """Candidates from `store`: the POOL nearest by meaning, the POOL strongest keyword matches, and
    the neighbours (same journal, same session) of the CONTEXT_SOURCES best."""
    candidates: dict[str, Candidate] = {}
    scored = index.score(vector, filters) if index is not None else None
    if scored is not None:
        for m in scored.top(POOL):
            candidates[m.entry_id] = Candidate(m.entry_id, cosine=m.cosine, section=m.section, vector_id=m.vector_id)
    strengths = keyword_strengths(store, weighted, filters) if weighted else {}
    strongest = sorted(strengths.items(), key=lambda item: (-item[1][0], item[0]))[:POOL]
    for entry_id, (strength, section) in strongest:
        candidate = candidates.get(entry_id)
        if candidate is None:
            candidate = candidates[entry_id] = Candidate(entry_id, section=section)
        candidate.keyword = strength
        if candidate.cosine is None:
            candidate.section = section
    # Context sources are chosen before keyword-only candidates get their cosine, so the vectors
    # are read once for them and the new neighbours together.
    links = _context(store, filters, candidates, strengths)
    _fill_cosines(candidates, scored)
    return Gathered(candidates, links)


def _fill_cosines(candidates: dict[str, Candidate], scored: Scored | None) -> None:
    """The best chunk of candidates that came without one (keyword matches, neighbours)."""
    missing = [c.entry_id for c in candidates.values() if c.cosine is None]
    if scored is None or not missing:
        return
    for entry_id, m in scored.best_for(missing).items():
        c = candidates[entry_id]
        c.cosine, c.vector_id = m.cosine, m.vector_id
        if c.keyword == 0:
            c.section = m.section


def _context(
    store: JournalStore,
    filters: Filters,
    candidates: dict[str, Candidate],
    strengths: dict[str, tuple[float, str]],
) -> list[Link]:
    """Links from the best candidates to their neighbours written in the same session; neighbours
    not yet candidates become candidates (their cosine is filled in by the caller)."""
    steps = max(CONTEXT_LIFT)
    sources = sorted(candidates.values(), key=lambda c: (-base_score(c), c.entry_id))[:CONTEXT_SOURCES]
    links: list[Link] = []
    nearby = store.neighbours_of([s.entry_id for s in sources], filters, steps)
    for source in sources:
        written, around = nearby.get(source.entry_id, (0.0, []))
        for side in (-1, 1):
            previous = written
            for n in sorted((n for n in around if n.distance * side > 0), key=lambda n: abs(n.distance)):
                if abs(n.created_at - previous) > CONTEXT_GAP_SECONDS:
                    break  # another session
                previous = n.created_at
                if n.entry_id not in candidates:
                    strength, section = strengths.get(n.entry_id, (0.0, None))
                    candidates[n.entry_id] = Candidate(n.entry_id, keyword=strength, section=section)
                links.append(Link(source.entry_id, n.entry_id, abs(n.distance)))
    return links
