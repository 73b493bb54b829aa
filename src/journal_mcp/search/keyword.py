"""Keyword search: FTS5 over the targets' sections, best BM25 rank first, and the per-store term
counts the hybrid search uses to keep only a query's identifying words."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from journal_mcp.core.models import Entry, SearchResult
from journal_mcp.search.hits import Target, make_hit, scoped
from journal_mcp.store.fts import match_expression
from journal_mcp.store.storage import Filters, JournalStore

TERM_COUNT_SECONDS = 60.0
TERM_CACHE_SIZE = 4096


def keyword_search(
    targets: Sequence[Target], query: str, filters: Filters, limit: int, *, notice: str | None = None
) -> SearchResult:
    """The `limit` best keyword matches of `query` in `targets` (newest first among equal ranks)."""
    match = match_expression(query)
    scored: list[tuple[float, Entry, str]] = []
    if match is not None:
        for store, kinds in targets:
            matches = store.keyword_search(match, scoped(filters, kinds), limit)
            found = store.get_entries([m.entry_id for m in matches])
            scored.extend((m.rank, found[m.entry_id], m.section) for m in matches if m.entry_id in found)
    scored.sort(key=lambda item: (item[0], -item[1].created_at.timestamp()))
    hits = [
        make_hit(entry, query=query, section=section, keyword_rank=rank, matched=["keyword"])
        for rank, entry, section in scored[:limit]
    ]
    return SearchResult(query=query, mode="keyword", notice=notice, hits=hits)


class TermCounts:
    """How many sections of a store match a term, cached for a while (an estimate is all a budget needs).

    Thread-safe; keyed by store, so one instance serves every store of a process.
    """

    def __init__(self, *, seconds: float = TERM_COUNT_SECONDS, size: int = TERM_CACHE_SIZE) -> None:
        self.seconds = seconds
        self.size = size
        self._counts: OrderedDict[tuple[int, str], tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def count(self, store: JournalStore, term: str) -> int:
        key = (id(store), term)
        now = time.monotonic()
        with self._lock:
            cached = self._counts.get(key)
            if cached is not None and now - cached[1] < self.seconds:
                return cached[0]
        count = store.matching_sections(f'"{term}"') if term else store.section_count()
        with self._lock:
            self._counts[key] = (count, now)
            while len(self._counts) > self.size:
                self._counts.popitem(last=False)
        return count
