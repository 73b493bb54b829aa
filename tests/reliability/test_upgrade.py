"""An old database (an earlier schema version, built here as a fixture) upgrades in place without loss."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from journal_mcp.store.migrations import MIGRATIONS, SCHEMA_VERSION, migrate
from journal_mcp.store.storage import Filters, JournalStore


def build_v1_database(path: Path, entries: int) -> None:
    """A journal as the first schema wrote it: entries, sections and FTS, no embedding tables."""
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    assert migrate(db, upto=1) == [MIGRATIONS[0][0]]
    conn.execute("BEGIN")
    for i in range(entries):
        entry_id = f"user/20250101-000000-{i:06d}-abcdef"
        conn.execute(
            "INSERT INTO entries (id, kind, created_at, content_hash, source) VALUES (?, 'user', ?, ?, 'mcp')",
            (entry_id, f"2025-01-01T00:00:00.{i:06d}Z", f"h{i}"),
        )
        conn.execute(
            "INSERT INTO sections (entry_id, name, position, body) VALUES (?, 'observations', 0, ?)",
            (entry_id, f"legacy note number {i} about tensor parallelism"),
        )
    conn.execute("COMMIT")
    conn.close()


def test_old_schema_upgrades_in_place_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    build_v1_database(path, 50)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'chunk_vectors'").fetchone()[0] == 0
    store = JournalStore(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.count_entries() == 50
    assert len(store.keyword_search('"tensor"', Filters(), 100)) == 50
    entry = store.get_entry("user/20250101-000000-000007-abcdef")
    assert entry is not None and entry.sections == {"observations": "legacy note number 7 about tensor parallelism"}
    assert store.integrity_check() == "ok"
    applied = [r[0] for r in store.conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert applied == [name for name, _ in MIGRATIONS]
    store.close()
    # Opening again applies nothing more.
    again = JournalStore(path)
    assert again.conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
    again.close()
