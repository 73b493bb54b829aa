"""Typed values that cross module boundaries: entries, hits and tool results."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

JournalType = Literal["project", "user"]
SearchType = Literal["both", "project", "user"]


class Entry(BaseModel):
    """One stored journal entry: its sections in display order."""

    id: str
    journal: JournalType
    created_at: datetime  # UTC
    sections: dict[str, str]  # section key -> text

    @property
    def local_time(self) -> datetime:
        return self.created_at.astimezone()


class NewEntry(BaseModel):
    """An entry about to be stored (already validated and redacted)."""

    id: str
    journal: JournalType
    created_at: datetime
    sections: dict[str, str]
    content_hash: str
    source: str = "mcp"


class Hit(BaseModel):
    """One entry in a search result or a listing."""

    path: str = Field(description="The entry's id; pass it to read_journal_entry.")
    score: float | None = Field(
        default=None,
        description="Relevance, what hits are ranked by (0..1.5): the best passage's cosine similarity, plus up "
        "to 0.5 for specific query words, lifted toward a better-matching entry of the same session. "
        "Null in keyword-only results.",
    )
    similarity: float | None = Field(
        default=None,
        description="Cosine similarity of the best-matching passage (0 when it is not similar at all), "
        "or null when the entry has no vector yet or in keyword-only results.",
    )
    keyword_rank: float | None = Field(
        default=None,
        description="Keyword strength as a BM25 rank (lower is better; weighted by how specific each word is), "
        "or null when no query word matched.",
    )
    matched: list[str] = Field(
        default_factory=list,
        description="Signals that found this entry: semantic, keyword, context (a neighbouring entry matched).",
    )
    timestamp: str = Field(description="When the entry was written, local time, ISO 8601.")
    type: JournalType
    sections: list[str] = Field(description="Display names of the entry's sections.")
    excerpt: str


class SearchResult(BaseModel):
    query: str
    mode: Literal["hybrid", "keyword", "semantic"]
    notice: str | None = Field(default=None, description="Why results are degraded, when they are.")
    hits: list[Hit]


class EntryListing(BaseModel):
    hits: list[Hit]
    notice: str | None = Field(default=None, description="Why the listing is incomplete, when it is.")


class WrittenEntry(BaseModel):
    path: str
    type: JournalType
    sections: list[str]


class WriteResult(BaseModel):
    timestamp: str
    entries: list[WrittenEntry]
    redactions: int = Field(default=0, description="How many secrets were replaced by a marker before storage.")


class EntryView(BaseModel):
    """A whole entry as read_journal_entry returns it."""

    path: str
    type: JournalType
    timestamp: str
    sections: dict[str, str] = Field(description="Display name -> text.")
    text: str = Field(description="The entry as markdown.")


class EntryViews(BaseModel):
    entries: list[EntryView]
    notice: str | None = Field(default=None, description="Why entries may be missing, when they may.")


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """The storage form: fixed-width UTC with microseconds, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
