"""Search hits and the stores a search runs over.

A search is given its targets (each existing store once, with the journal kinds it holds) and
turns stored entries into `Hit`s: the entry's id, time, sections and an excerpt.
"""

from __future__ import annotations

from collections.abc import Sequence

from journal_mcp.core.models import Entry, Hit, JournalType
from journal_mcp.core.sections import section_title
from journal_mcp.search.excerpts import excerpt_around
from journal_mcp.store.storage import Filters, JournalStore

# One store to query and the journal kinds it holds (both, when the two journals are one database).
Target = tuple[JournalStore, tuple[JournalType, ...]]


def scoped(filters: Filters, kinds: Sequence[JournalType]) -> Filters:
    """`filters` narrowed to the kinds one store holds."""
    return Filters(kinds, filters.sections, filters.since, filters.until)


def make_hit(
    entry: Entry,
    *,
    query: str | None = None,
    section: str | None = None,
    score: float | None = None,
    similarity: float | None = None,
    keyword_rank: float | None = None,
    matched: list[str] | None = None,
    start: int | None = None,
) -> Hit:
    """`entry` as a hit: the excerpt comes from `section` (else the first one), around `query` or `start`."""
    section = section if section in entry.sections else next(iter(entry.sections))
    return Hit(
        path=entry.id,
        score=None if score is None else round(score, 4),
        similarity=None if similarity is None else round(max(0.0, similarity), 4),
        keyword_rank=None if keyword_rank is None else round(keyword_rank, 4),
        matched=matched or [],
        timestamp=entry.local_time.isoformat(timespec="seconds"),
        type=entry.journal,
        sections=[section_title(k) for k in entry.sections],
        excerpt=excerpt_around(entry.sections[section], query, start=start),
    )
