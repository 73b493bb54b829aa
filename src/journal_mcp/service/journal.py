"""The journal as its users see it: write thoughts, search, list and read entries.

This is the domain layer the MCP server, the CLI and the tests call. It knows about the two
journals (project and user), which may be one database, and about the model service when one is
attached; a search is one call to `journal_mcp.search.hybrid`. It knows nothing about MCP.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import EntryNotFoundError, InvalidInputError, JournalError, StorageError
from journal_mcp.core.models import (
    Entry,
    EntryListing,
    EntryView,
    EntryViews,
    JournalType,
    NewEntry,
    SearchResult,
    WriteResult,
    WrittenEntry,
    utc_now,
)
from journal_mcp.core.redaction import redact_secrets
from journal_mcp.core.sections import PROJECT_SECTIONS, SECTION_TITLES, section_keys, section_title
from journal_mcp.core.timeparse import parse_time_bound
from journal_mcp.search import hybrid
from journal_mcp.search.hits import Target, make_hit
from journal_mcp.search.ranking import MAX_SCORE
from journal_mcp.store.project_dirs import record_project
from journal_mcp.store.storage import Filters, JournalStore

if TYPE_CHECKING:
    from journal_mcp.service.semantic import SemanticSearch

log = logging.getLogger(__name__)

MAX_LIMIT = 100
MAX_QUERY_CHARS = 4_000
ENTRY_ID = re.compile(r"^(project|user)/\d{8}-\d{6}-\d{6}-[0-9a-f]{6}$")
SEARCH_TYPES = ("both", "project", "user")


def new_entry_id(kind: JournalType, created_at: datetime) -> str:
    return f"{kind}/{created_at:%Y%m%d-%H%M%S-%f}-{secrets.token_hex(3)}"


def content_hash(sections: Mapping[str, str]) -> str:
    canonical = json.dumps(list(sections.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def clean_text(text: str) -> str:
    """Make text safe to store: lone surrogates and control characters become U+FFFD."""
    # A UTF-16 round trip joins valid surrogate pairs and replaces lone halves.
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return "".join("\ufffd" if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" else ch for ch in text)


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(f"limit must be a whole number from 1 to {MAX_LIMIT}; got {limit!r}.")
    return limit


def check_type(kind: str) -> tuple[JournalType, ...]:
    if kind == "both":
        return ("project", "user")
    if kind in ("project", "user"):
        return (kind,)  # type: ignore[return-value]
    raise InvalidInputError(f"type must be one of both, project, user; got {kind!r}.")


class Journal:
    """Both journals behind one API. Safe to call from several threads."""

    def __init__(
        self, settings: Settings, *, semantic: SemanticSearch | None = None, share_stores_with: Journal | None = None
    ) -> None:
        self.settings = settings
        self.semantic = semantic
        # Journals of one process that share stores (a shared server's per-project views) open each
        # database once: one connection, one in-memory vector index per file.
        self._stores: dict[str, JournalStore] = share_stores_with._stores if share_stores_with else {}
        self._lock: threading.Lock = share_stores_with._lock if share_stores_with else threading.Lock()

    # -- stores -------------------------------------------------------------------------------

    def db_path(self, kind: JournalType) -> Path:
        return self.settings.project_db_path if kind == "project" else self.settings.user_db_path

    def store(self, kind: JournalType, *, create: bool = False) -> JournalStore | None:
        """The store holding `kind` entries; None when it does not exist yet and `create` is False."""
        # Not resolved: a symlink on the way is refused when the store opens, never followed.
        key = os.path.abspath(Path(self.db_path(kind)).expanduser())
        with self._lock:
            found = self._stores.get(key)
            if found is not None:
                return found
            path = Path(key)
            new = not os.path.lexists(path)
            if new and not create:
                return None
            found = self._stores[key] = JournalStore(path, create=True)
        if new and kind == "project":
            record_project(self.settings)
        return found

    def targets(self, kinds: Sequence[JournalType], problems: list[str] | None = None) -> list[Target]:
        """The existing stores to query for `kinds`, each once, with the kinds it holds.

        With `problems`, a journal that cannot be opened is left out and the reason appended there
        (degraded, not down), unless every journal asked for failed; without it, the error is raised.
        """
        grouped: dict[int, tuple[JournalStore, list[JournalType]]] = {}
        failures: list[JournalError] = []
        for kind in kinds:
            try:
                store = self.store(kind)
            except JournalError as exc:
                if problems is None:
                    raise
                failures.append(exc)
                problems.append(f"the {kind} journal is unavailable ({exc})")
                continue
            if store is not None:
                grouped.setdefault(id(store), (store, []))[1].append(kind)
        if failures and not grouped:
            raise failures[0]
        return [(store, tuple(ks)) for store, ks in grouped.values()]

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open_stores(self) -> list[JournalStore]:
        """Every store this journal (and any journal sharing its stores) has opened so far."""
        with self._lock:
            return list(self._stores.values())

    def close(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()

    # -- writing ------------------------------------------------------------------------------

    def write(self, thoughts: Mapping[str, str | None], *, created_at: datetime | None = None) -> WriteResult:
        """Store thoughts: project notes in the project journal, the rest in the user journal."""
        unknown = sorted(set(thoughts) - set(SECTION_TITLES))
        if unknown:
            raise InvalidInputError(
                f"Unknown section(s) {', '.join(unknown)}. Valid sections: {', '.join(SECTION_TITLES)}."
            )
        sections, redactions = self.prepare_sections(thoughts)
        if not sections:
            raise InvalidInputError(
                f"Nothing to write: give at least one non-empty section ({', '.join(SECTION_TITLES)})."
            )
        moment = created_at or utc_now()
        by_kind: dict[JournalType, dict[str, str]] = {}
        for key, text in sections.items():
            kind: JournalType = "project" if key in PROJECT_SECTIONS else "user"
            by_kind.setdefault(kind, {})[key] = text
        new = [_new_entry(kind, moment, secs) for kind, secs in by_kind.items()]
        self._store_all(new)
        return WriteResult(
            timestamp=moment.astimezone().isoformat(timespec="seconds"),
            entries=[
                WrittenEntry(path=e.id, type=e.journal, sections=[section_title(k) for k in e.sections]) for e in new
            ],
            redactions=redactions,
        )

    def prepare_sections(self, thoughts: Mapping[str, str | None]) -> tuple[dict[str, str], int]:
        """Validate, clean and redact section texts exactly as every write does; return them and the redaction count.

        Sections come back in display order; empty ones are dropped.
        """
        limit = self.settings.max_section_chars
        sections: dict[str, str] = {}
        redactions = 0
        for key in SECTION_TITLES:
            value = thoughts.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                raise InvalidInputError(f"{key} must be text; got {type(value).__name__}.")
            text = clean_text(value.strip())
            if not text:
                continue
            if len(text) > limit:  # counted after cleaning: what would be stored
                raise InvalidInputError(
                    f"{key} is {len(text):,} characters; the limit is {limit:,} "
                    "(JOURNAL_MCP_MAX_SECTION_CHARS). Split it into several entries. Nothing was written."
                )
            if self.settings.redact_secrets:
                text, found = redact_secrets(text)
                redactions += found
            sections[key] = text
        return sections, redactions

    def add_prepared(self, kind: JournalType, items: Sequence[tuple[datetime, dict[str, str]]], *, source: str) -> int:
        """Store entries whose sections went through `prepare_sections`, in one transaction.

        An entry whose journal already holds the same sections at the same instant is skipped, so
        running an import twice adds nothing. Returns how many entries were added.
        """
        new = [_new_entry(kind, moment, sections, source=source) for moment, sections in items]
        if not new:
            return 0
        store = self.store(kind, create=True)
        assert store is not None
        added = store.add_entries(new, skip_existing=True)
        if added and self.semantic is not None:
            self.semantic.entries_written(store, new)
        return added

    def _store_all(self, entries: Sequence[NewEntry]) -> None:
        """Store entries in their journals: all of them, or none (and an error saying so).

        Every journal is opened and checked writable first; if the second journal's write still
        fails, the first one's entry is removed again. Only if that removal fails too does the error
        say exactly which entry was kept.
        """
        grouped: dict[int, tuple[JournalStore, list[NewEntry]]] = {}
        for entry in entries:
            store = self.store(entry.journal, create=True)
            assert store is not None
            grouped.setdefault(id(store), (store, []))[1].append(entry)
        for store, _ in grouped.values():
            store.check_writable()
        done: list[tuple[JournalStore, list[NewEntry]]] = []
        for store, batch in grouped.values():
            try:
                store.add_entries(batch)
            except JournalError as exc:
                kept = [e.id for s, b in done if not _removed(s, b) for e in b]
                if kept:
                    raise StorageError(
                        f"{exc} The other part of this entry was stored and could not be taken back: "
                        f"{', '.join(kept)}. Do not write it again; write only the part that failed."
                    ) from exc
                raise StorageError(f"{str(exc).rstrip('.')}. Nothing was written.") from exc
            done.append((store, batch))
        if self.semantic is not None:
            for store, batch in done:
                self.semantic.entries_written(store, batch)

    # -- reading ------------------------------------------------------------------------------

    def filters(
        self,
        type: str = "both",
        sections: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Filters:
        kinds = check_type(type)
        since_at = parse_time_bound(since) if since else None
        until_at = parse_time_bound(until, end_of_day=True) if until else None
        if since_at and until_at and since_at > until_at:
            raise InvalidInputError(f"since ({since}) is after until ({until}); swap them.")
        return Filters(kinds=kinds, sections=section_keys(sections), since=since_at, until=until_at)

    def check_search(
        self,
        query: str,
        *,
        limit: int = 10,
        type: str = "both",
        sections: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Filters:
        """Validate a search's arguments (InvalidInputError naming the bad one) before any slow work; its filters."""
        if not isinstance(query, str) or not query.strip():
            raise InvalidInputError("query must be a non-empty search text, e.g. 'times I was stuck on GPU memory'.")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidInputError(
                f"query is {len(query):,} characters; the limit is {MAX_QUERY_CHARS:,}. "
                "Search for the few words or the sentence that matter."
            )
        check_limit(limit)
        return self.filters(type, sections, since, until)

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        type: str = "both",
        sections: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        min_score: float | None = None,
    ) -> SearchResult:
        """The best entries for `query`: hybrid (meaning + keywords) when the model is ready, else keyword-only with a notice."""
        filters = self.check_search(query, limit=limit, type=type, sections=sections, since=since, until=until)
        if min_score is not None and not 0.0 <= min_score <= MAX_SCORE:
            raise InvalidInputError(
                f"min_score must be between 0 and {MAX_SCORE} (the relevance score shown with each hit); "
                f"got {min_score}."
            )
        query = clean_text(query)
        semantic, notice = (None, None) if self.semantic is None else self.semantic.search_inputs(query, min_score)
        problems: list[str] = []
        targets = self.targets(filters.kinds, problems)
        if problems:
            notice = "; ".join([*problems, *([notice] if notice else [])]) + ". Results are from the other journal."
        return hybrid.search(query, targets, filters, limit, semantic=semantic, notice=notice)

    def recent(self, *, limit: int = 10, type: str = "both", days: float = 30) -> EntryListing:
        check_limit(limit)
        if isinstance(days, bool) or not isinstance(days, int | float) or not 0 < days <= 36500:
            raise InvalidInputError(f"days must be a number from 1 to 36500; got {days!r}.")
        filters = Filters(kinds=check_type(type), since=utc_now() - timedelta(days=days))
        entries, notice = self._newest(filters, limit)
        return EntryListing(hits=[make_hit(e) for e in entries], notice=notice)

    def _newest(self, filters: Filters, limit: int) -> tuple[list[Entry], str | None]:
        """The newest entries, and a notice naming any journal that could not be read."""
        entries: list[Entry] = []
        problems: list[str] = []
        targets = self.targets(filters.kinds, problems)
        for store, kinds in targets:
            try:
                entries.extend(store.recent(Filters(kinds, filters.sections, filters.since, filters.until), limit))
            except JournalError as exc:
                if len(targets) == 1:
                    raise
                problems.append(f"the {'/'.join(kinds)} journal could not be read ({exc})")
        entries.sort(key=lambda e: (e.created_at, e.id), reverse=True)
        notice = "; ".join(problems) + ". Showing the other journal only." if problems else None
        return entries[:limit], notice

    def read_recent(self, *, limit: int = 5, type: str = "both") -> EntryViews:
        check_limit(limit)
        entries, notice = self._newest(Filters(kinds=check_type(type)), limit)
        return EntryViews(entries=[entry_view(e) for e in entries], notice=notice)

    def read(self, path: str) -> EntryView:
        """The entry with id `path`. Never touches the file system by a client-given path."""
        if not isinstance(path, str) or not ENTRY_ID.match(path):
            raise EntryNotFoundError(
                f"No journal entry has the id {path!r}. Ids look like 'user/20261122-101503-123456-a1b2c3'; "
                "every search and listing result gives its entry's id."
            )
        kind: JournalType = "project" if path.startswith("project/") else "user"
        store = self.store(kind)
        entry = store.get_entry(path) if store is not None else None
        if entry is None or entry.journal != kind:
            raise EntryNotFoundError(f"No journal entry has the id {path!r} (it may belong to another project).")
        return entry_view(entry)


def _removed(store: JournalStore, batch: Sequence[NewEntry]) -> bool:
    try:
        store.delete_entries([e.id for e in batch])
    except JournalError:
        return False
    return True


def entry_markdown(entry: Entry) -> str:
    stamp = entry.local_time.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    parts = [f"# Journal entry {entry.id}", f"*{stamp} · {entry.journal} journal*", ""]
    for key, body in entry.sections.items():
        parts += [f"## {section_title(key)}", "", body, ""]
    return "\n".join(parts).rstrip() + "\n"


def entry_view(entry: Entry) -> EntryView:
    return EntryView(
        path=entry.id,
        type=entry.journal,
        timestamp=entry.local_time.isoformat(timespec="seconds"),
        sections={section_title(k): v for k, v in entry.sections.items()},
        text=entry_markdown(entry),
    )


def _new_entry(kind: JournalType, moment: datetime, sections: dict[str, str], *, source: str = "mcp") -> NewEntry:
    return NewEntry(
        id=new_entry_id(kind, moment),
        journal=kind,
        created_at=moment,
        sections=sections,
        content_hash=content_hash(sections),
        source=source,
    )
