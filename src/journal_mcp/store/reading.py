"""Reading entries with the standard library's sqlite3 only: the queries JournalStore runs, usable without it.

JournalStore (storage.py) builds on sqlite_utils, which imports numpy, and opens a journal read-write,
migrating it and waiting up to 30 s for locks. A Claude Code hook has a second at most and must never
change or wait on the journal, so it opens the database with `open_read_only` and calls
`recent_entries` and `count_entries` here. JournalStore runs the same queries (filters from store.filters).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from journal_mcp.core.errors import StorageError
from journal_mcp.core.models import Entry, parse_iso_utc
from journal_mcp.store.filters import Filters, where_sql

Rows = Sequence[Sequence[object]]


def recent_ids_query(filters: Filters, limit: int) -> tuple[str, list[object]]:
    clause, params = where_sql(filters)
    sql = f"SELECT e.id FROM entries e WHERE {clause} ORDER BY e.created_at DESC, e.id DESC LIMIT ?"
    return sql, [*params, limit]


def entries_query(ids: Sequence[str]) -> tuple[str, list[object]]:
    marks = ",".join("?" * len(ids))
    sql = f"""SELECT e.id, e.kind, e.created_at, s.name, s.body FROM entries e
              JOIN sections s ON s.entry_id = e.id
              WHERE e.id IN ({marks}) ORDER BY e.id, s.position"""
    return sql, list(ids)


def entries_from_rows(rows: Rows, into: dict[str, Entry] | None = None) -> dict[str, Entry]:
    """Entries (id -> Entry) from the rows of `entries_query`."""
    found = into if into is not None else {}
    for entry_id, kind, created_at, name, body in rows:
        entry = found.get(str(entry_id))
        if entry is None:
            entry = found[str(entry_id)] = Entry.model_validate(
                {"id": entry_id, "journal": kind, "created_at": parse_iso_utc(str(created_at)), "sections": {}}
            )
        entry.sections[str(name)] = str(body)
    return found


def open_read_only(path: Path, wait_seconds: float) -> sqlite3.Connection:
    """Open a journal database for reading only, waiting at most `wait_seconds` for another process's lock.

    Raises StorageError when there is no database at `path` or it cannot be opened. Never creates,
    migrates or changes anything.
    """
    if not path.is_file():
        raise StorageError(f"No journal database at {path}.")
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=wait_seconds, isolation_level=None
        )
        conn.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot read the journal database {path}: {exc}.") from exc
    return conn


def _read(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> list[tuple[object, ...]]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.Error as exc:
        raise StorageError(f"Could not read the journal: {exc}.") from exc


def recent_entries(conn: sqlite3.Connection, filters: Filters, limit: int) -> list[Entry]:
    """The newest `limit` entries matching `filters`, newest first."""
    ids = [str(row[0]) for row in _read(conn, *recent_ids_query(filters, limit))]
    found = entries_from_rows(_read(conn, *entries_query(ids))) if ids else {}
    return [found[i] for i in ids if i in found]


def count_entries(conn: sqlite3.Connection, kinds: Sequence[str]) -> int:
    marks = ",".join("?" * len(kinds))
    return int(str(_read(conn, f"SELECT count(*) FROM entries WHERE kind IN ({marks})", list(kinds))[0][0]))
