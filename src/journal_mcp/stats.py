"""Journal statistics for `journal-mcp stats`: entries per journal and section, time span, size on disk."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from journal_mcp.journal import Journal
from journal_mcp.models import JournalType, parse_iso_utc
from journal_mcp.sections import SECTION_TITLES, section_title


class JournalStats(BaseModel):
    type: JournalType
    database: str
    exists: bool
    entries: int = 0
    first: str | None = Field(default=None, description="Oldest entry, local time ISO 8601.")
    last: str | None = Field(default=None, description="Newest entry, local time ISO 8601.")
    sections: dict[str, int] = Field(default_factory=dict, description="Display name -> entries with that section.")
    db_bytes: int = Field(default=0, description="Database plus its write-ahead log, in bytes.")
    read_only: str | None = None


class StatsReport(BaseModel):
    shared: bool = Field(description="True when the project and user journals are one database.")
    journals: list[JournalStats]


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def journal_stats(journal: Journal) -> StatsReport:
    report = StatsReport(shared=journal.settings.shared_journal, journals=[])
    kinds: tuple[JournalType, ...] = ("project", "user")
    for kind in kinds:
        path = journal.db_path(kind)
        store = journal.store(kind)
        item = JournalStats(type=kind, database=str(path), exists=store is not None)
        if store is not None:
            count, first, last, per_section = store.kind_stats(kind)
            item.entries = count
            item.first = parse_iso_utc(first).astimezone().isoformat(timespec="seconds") if first else None
            item.last = parse_iso_utc(last).astimezone().isoformat(timespec="seconds") if last else None
            item.sections = {section_title(k): per_section[k] for k in SECTION_TITLES if k in per_section}
            item.db_bytes = db_bytes(path)
            item.read_only = store.read_only_reason
        report.journals.append(item)
    return report
