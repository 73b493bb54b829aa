"""The search queries of a journal database: keyword (FTS5 BM25) matches, term counts, neighbours in time.

A mixin of `JournalStore` (which provides the connection and reads), kept apart so storage.py
holds entries and this module holds what ranking asks of the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from journal_mcp.store.filters import Filters, where_sql

NEIGHBOUR_BATCH = 100  # entries per neighbours statement (two subqueries each; SQLite allows 500)


@dataclass(frozen=True)
class KeywordHit:
    entry_id: str
    rank: float  # bm25: lower is better
    section: str  # the best-matching section


@dataclass(frozen=True)
class Neighbour:
    """An entry written `distance` entries before (negative) or after (positive) another, at `created_at`."""

    entry_id: str
    distance: int
    created_at: float  # seconds since the epoch


class SearchTables:
    if TYPE_CHECKING:  # provided by JournalStore

        def _read(self, sql: str, params: Sequence[object] = ()) -> list[Any]: ...

    def keyword_search(self, match: str, filters: Filters, limit: int | None = None) -> list[KeywordHit]:
        """BM25-ranked entries whose sections match an FTS5 expression, filters applied in SQL
        (every matching entry when `limit` is None)."""
        where, params = where_sql(filters, section_alias="s")
        sql = (
            _matched_sections("s.entry_id, min(r.rank) AS best, s.name", where)
            + """
            GROUP BY s.entry_id
            ORDER BY best, e.created_at DESC
            LIMIT ?"""
        )
        rows = self._read(sql, [match, *params, -1 if limit is None else limit])
        return [KeywordHit(entry_id=r[0], rank=float(r[1]), section=r[2]) for r in rows]

    def section_matches(self, match: str, filters: Filters) -> list[KeywordHit]:
        """Every section matching an FTS5 expression within `filters`, with its BM25, unordered and
        not grouped by entry: the hybrid ranking combines them per entry itself, which costs half of
        what grouping on the entry id in SQL does."""
        where, params = where_sql(filters, section_alias="s")
        rows = self._read(_matched_sections("s.entry_id, r.rank, s.name", where), [match, *params])
        return [KeywordHit(entry_id=r[0], rank=float(r[1]), section=r[2]) for r in rows]

    def matching_sections(self, match: str) -> int:
        """How many sections an FTS5 expression matches (cheap: no ranking), to skip too-common terms."""
        return int(self._read("SELECT count(*) FROM sections_fts WHERE sections_fts MATCH ?", (match,))[0][0])

    def section_count(self) -> int:
        """Sections in the database (what a term's matching sections are a share of)."""
        return int(self._read("SELECT count(*) FROM sections")[0][0])

    def neighbours_of(
        self, entry_ids: Sequence[str], filters: Filters, steps: int
    ) -> dict[str, tuple[float, list[Neighbour]]]:
        """For each of `entry_ids`, when it was written and up to `steps` entries before and after it in
        time (of the same journal type, within `filters`), nearest first on each side; entries with no
        neighbour are absent. One statement per NEIGHBOUR_BATCH entries (a search asks for twenty:
        two statements each were most of its SQLite calls)."""
        where, params = where_sql(filters)
        sides: dict[tuple[str, int], list[tuple[str, str]]] = {}
        written: dict[str, str] = {}
        unique = list(dict.fromkeys(entry_ids))
        for start in range(0, len(unique), NEIGHBOUR_BATCH):
            parts: list[str] = []
            values: list[object] = []
            for source in unique[start : start + NEIGHBOUR_BATCH]:
                for sign, compare, order in ((-1, "<", "DESC"), (1, ">", "ASC")):
                    parts.append(
                        f"""SELECT * FROM (
                            SELECT src.id, {sign}, e.id, e.created_at, src.created_at
                            FROM entries e, entries src
                            WHERE src.id = ? AND e.kind = src.kind
                              AND (e.created_at, e.id) {compare} (src.created_at, src.id) AND {where}
                            ORDER BY e.created_at {order}, e.id {order} LIMIT ?)"""
                    )
                    values.extend([source, *params, steps])
            for source, sign, neighbour, created_at, source_written in self._read(" UNION ALL ".join(parts), values):
                written[source] = source_written
                sides.setdefault((source, int(sign)), []).append((created_at, neighbour))
        found: dict[str, tuple[float, list[Neighbour]]] = {}
        for (source, sign), rows in sides.items():
            # Nearest first: stored times are fixed-width ISO 8601, so they sort as text.
            rows.sort(reverse=sign < 0)
            _, listed = found.setdefault(source, (_seconds(written[source]), []))
            listed.extend(Neighbour(n, sign * (i + 1), _seconds(t)) for i, (t, n) in enumerate(rows))
        return found


def _matched_sections(columns: str, where: str) -> str:
    """SELECT `columns` from the sections matching the FTS5 expression (the first parameter), with their
    entry (`e`) and section (`s`) rows, under `where`; `r.rank` is the section's BM25."""
    return f"""
            WITH r AS MATERIALIZED (
                -- Materialized so the planner cannot flatten bm25() into a context it rejects.
                SELECT rowid, bm25(sections_fts) AS rank FROM sections_fts WHERE sections_fts MATCH ?
            )
            SELECT {columns} FROM r
            JOIN sections s ON s.id = r.rowid
            JOIN entries e ON e.id = s.entry_id
            WHERE {where}"""


def _seconds(stored: str) -> float:
    """A stored UTC time (fixed-width ISO 8601 with Z) as seconds since the epoch (fromisoformat is
    several times faster than strptime, which showed in search profiles)."""
    return datetime.fromisoformat(stored).timestamp()
