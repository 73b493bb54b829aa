"""Search filters, and the SQL that applies them inside every query (before any limit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from journal_mcp.core.models import JournalType, iso_utc


@dataclass(frozen=True)
class Filters:
    """Conditions every query applies inside SQL, before any limit."""

    kinds: Sequence[JournalType] = ("project", "user")
    sections: Sequence[str] | None = None  # section keys; None = all
    since: datetime | None = None
    until: datetime | None = None


def where_sql(filters: Filters, *, section_alias: str | None = None) -> tuple[str, list[object]]:
    """A WHERE clause over `entries e` (and `<section_alias>` when the query joins one section row)."""
    clauses: list[str] = []
    params: list[object] = []
    kinds = list(filters.kinds)
    clauses.append(f"e.kind IN ({','.join('?' * len(kinds))})")
    params.extend(kinds)
    if filters.since is not None:
        clauses.append("e.created_at >= ?")
        params.append(iso_utc(filters.since))
    if filters.until is not None:
        clauses.append("e.created_at <= ?")
        params.append(iso_utc(filters.until))
    if filters.sections:
        marks = ",".join("?" * len(filters.sections))
        if section_alias:
            clauses.append(f"{section_alias}.name IN ({marks})")
        else:
            clauses.append(f"EXISTS (SELECT 1 FROM sections fs WHERE fs.entry_id = e.id AND fs.name IN ({marks}))")
        params.extend(filters.sections)
    return " AND ".join(clauses), params
