"""Journal statistics for `journal-mcp stats`: entries per journal and section, time span, size on disk,
and embedding coverage per database and model (without loading the model: it is recognised by the
fingerprint of its weight files)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from journal_mcp.core.errors import ModelUnavailableError
from journal_mcp.core.models import JournalType, parse_iso_utc
from journal_mcp.core.sections import SECTION_TITLES, section_title
from journal_mcp.service.journal import Journal


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


class ModelStats(BaseModel):
    name: str
    dimension: int
    fingerprint: str
    configured: bool = Field(description="True for the model this installation is set to use.")
    entries_embedded: int
    vectors: int


class EmbeddingStats(BaseModel):
    database: str
    entries: int
    embedded: int | None = Field(description="Entries embedded by the configured model (None when it is unknown).")
    coverage: float | None = Field(description="embedded / entries, 0..1 (None when unknown or no entries).")
    models: list[ModelStats]


class StatsReport(BaseModel):
    shared: bool = Field(description="True when the project and user journals are one database.")
    journals: list[JournalStats]
    semantic: bool = Field(default=True, description="False when JOURNAL_MCP_SEMANTIC=0 (keyword search only).")
    model: str | None = Field(default=None, description="The configured embedding model (directory or name).")
    model_note: str | None = Field(default=None, description="Why the configured model could not be identified.")
    embeddings: list[EmbeddingStats] = Field(default_factory=list)


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
    report.semantic = journal.settings.semantic
    fingerprint = _configured_fingerprint(journal, report)
    report.embeddings = embedding_stats(journal, fingerprint)
    return report


def _configured_fingerprint(journal: Journal, report: StatsReport) -> str | None:
    """The fingerprint of the configured model's weights, read from disk (the model is not loaded)."""
    from journal_mcp.search.embeddings import fingerprint_weights, resolve_model

    try:
        source = resolve_model(journal.settings.model)
        report.model = source.location
        if not source.local:
            report.model_note = "a hub model: run `journal-mcp reindex` or a server to download and identify it"
            return None
        return fingerprint_weights(Path(source.location))
    except ModelUnavailableError as exc:
        report.model_note = str(exc)
        return None


def embedding_stats(journal: Journal, fingerprint: str | None) -> list[EmbeddingStats]:
    from journal_mcp.service.reindex import status

    found: list[EmbeddingStats] = []
    for store in status(journal).stores:
        models = [
            ModelStats(
                name=m.name,
                dimension=m.dimension,
                fingerprint=m.fingerprint,
                configured=fingerprint is not None and m.fingerprint == fingerprint,
                entries_embedded=m.entries_embedded,
                vectors=m.vectors,
            )
            for m in store.models
        ]
        embedded = None if fingerprint is None else sum(m.entries_embedded for m in models if m.configured)
        coverage = None if embedded is None or not store.entries else round(embedded / store.entries, 4)
        found.append(
            EmbeddingStats(
                database=store.path, entries=store.entries, embedded=embedded, coverage=coverage, models=models
            )
        )
    return found
