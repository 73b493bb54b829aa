"""Named, ordered schema migrations. `PRAGMA user_version` is the number applied; a table records names.

Never edit a released migration: add a new one at the end.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from journal_mcp.core.errors import StorageError


def _001_entries(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE entries (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('project', 'user')),
            created_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'mcp'
        )"""
    )
    db.execute("CREATE INDEX entries_kind_created ON entries (kind, created_at)")
    db.execute("CREATE INDEX entries_created ON entries (created_at)")
    db.execute("CREATE INDEX entries_hash ON entries (content_hash)")
    db.execute(
        """CREATE TABLE sections (
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            position INTEGER NOT NULL,
            body TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX sections_entry ON sections (entry_id)")
    # External-content FTS5 over section text, kept in step by triggers (sqlite-utils writes them).
    db.table("sections").enable_fts(
        ["body"], fts_version="FTS5", create_triggers=True, tokenize="porter unicode61 remove_diacritics 2"
    )


def _002_embeddings(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE embedding_models (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            dimension INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (name, dimension, fingerprint)
        )"""
    )
    # One row per chunk of a section; float32 little-endian blobs. The model id is stored with
    # every vector so vectors of two models are never mixed.
    db.execute(
        """CREATE TABLE chunk_vectors (
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            model_id INTEGER NOT NULL REFERENCES embedding_models (id),
            section TEXT NOT NULL,
            chunk INTEGER NOT NULL,
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL,
            vector BLOB NOT NULL
        )"""
    )
    db.execute("CREATE INDEX chunk_vectors_model ON chunk_vectors (model_id, id)")
    db.execute("CREATE INDEX chunk_vectors_entry ON chunk_vectors (entry_id)")
    # Which entries are fully embedded by which model: the backfill's to-do list is the complement.
    db.execute(
        """CREATE TABLE embedded_entries (
            entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            model_id INTEGER NOT NULL REFERENCES embedding_models (id),
            PRIMARY KEY (entry_id, model_id)
        ) WITHOUT ROWID"""
    )


def _003_vector_ids_never_reused(db: sqlite_utils.Database) -> None:
    # AUTOINCREMENT: a deleted vector's id is never handed out again, so (count, max id) per model
    # changes whenever the vectors change, which is how every process notices others' writes cheaply.
    db.execute(
        """CREATE TABLE chunk_vectors_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            model_id INTEGER NOT NULL REFERENCES embedding_models (id),
            section TEXT NOT NULL,
            chunk INTEGER NOT NULL,
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL,
            vector BLOB NOT NULL
        )"""
    )
    db.execute(
        "INSERT INTO chunk_vectors_new (id, entry_id, model_id, section, chunk, start_char, end_char, vector) "
        "SELECT id, entry_id, model_id, section, chunk, start_char, end_char, vector FROM chunk_vectors"
    )
    db.execute("DROP TABLE chunk_vectors")
    db.execute("ALTER TABLE chunk_vectors_new RENAME TO chunk_vectors")
    db.execute("CREATE INDEX chunk_vectors_model ON chunk_vectors (model_id, id)")
    db.execute("CREATE INDEX chunk_vectors_entry ON chunk_vectors (entry_id)")


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("001_entries", _001_entries),
    ("002_embeddings", _002_embeddings),
    ("003_vector_ids_never_reused", _003_vector_ids_never_reused),
]

SCHEMA_VERSION = len(MIGRATIONS)

# Stamped on every journal database, so another application's SQLite file is never mistaken for one.
APPLICATION_ID = 0x4A524E4C  # "JRNL"


def migrate(db: sqlite_utils.Database, *, upto: int | None = None) -> list[str]:
    """Apply pending migrations, each in its own transaction; return the names applied.

    `upto` stops early (tests build old-schema fixtures with it).
    """
    target = SCHEMA_VERSION if upto is None else upto
    conn = db.conn
    applied: list[str] = []
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise StorageError(
            f"This journal was written by a newer journal-mcp (schema {current}, this one knows "
            f"{SCHEMA_VERSION}). Upgrade journal-agent-pack to use it."
        )
    while current < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current >= target:
                conn.execute("COMMIT")
                break
            name, step = MIGRATIONS[current]
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            step(db)
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat()),
            )
            conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(name)
        current += 1
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        # A journal made before application_id existed (identified by its migration names).
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    return applied


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
