"""The embedding tables of a journal database: model identities, chunk vectors, embedding state.

A mixin of `JournalStore` (which provides the connection, reads and write transactions), kept
apart so storage.py holds entries and search and this module holds vectors.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journal_mcp.core.models import Entry


@dataclass(frozen=True)
class VectorRow:
    id: int
    entry_id: str
    kind: str
    section: str
    created_at: str
    vector: bytes


class VectorTables:
    """Vectors are float32 blobs, one per chunk, each with its model's id: two models never mix."""

    if TYPE_CHECKING:  # provided by JournalStore

        def _read(self, sql: str, params: Sequence[object] = ()) -> list[Any]: ...

        def write_transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...

        def get_entries(self, ids: Sequence[str]) -> dict[str, Entry]: ...

    def model_id(self, name: str, dimension: int, fingerprint: str) -> int:
        """The id of a model identity, registered on first use."""
        found = self.find_model_id(name, dimension, fingerprint)
        if found is not None:
            return found
        with self.write_transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO embedding_models (name, dimension, fingerprint, created_at) "
                "VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                (name, dimension, fingerprint),
            )
            row = conn.execute(
                "SELECT id FROM embedding_models WHERE name = ? AND dimension = ? AND fingerprint = ?",
                (name, dimension, fingerprint),
            ).fetchone()
        return int(row[0])

    def entries_missing_embeddings(self, model_id: int, limit: int) -> list[Entry]:
        rows = self._read(
            """SELECT e.id FROM entries e
               WHERE NOT EXISTS (SELECT 1 FROM embedded_entries m WHERE m.entry_id = e.id AND m.model_id = ?)
               ORDER BY e.created_at DESC LIMIT ?""",
            (model_id, limit),
        )
        ids = [r[0] for r in rows]
        found = self.get_entries(ids)
        return [found[i] for i in ids if i in found]

    def count_missing_embeddings(self, model_id: int) -> int:
        rows = self._read(
            """SELECT count(*) FROM entries e WHERE NOT EXISTS
               (SELECT 1 FROM embedded_entries m WHERE m.entry_id = e.id AND m.model_id = ?)""",
            (model_id,),
        )
        return int(rows[0][0])

    def save_embeddings(self, model_id: int, vectors: dict[str, list[tuple[str, int, int, int, bytes]]]) -> int:
        """Store chunk vectors for entries and mark them embedded, in one transaction.

        `vectors` maps entry id -> [(section, chunk, start_char, end_char, float32 bytes)]. An entry
        already embedded by this model (another process got there first) is left as it is.
        Returns the number of entries written.
        """
        written = 0
        with self.write_transaction() as conn:
            for entry_id, chunks in vectors.items():
                done = conn.execute(
                    "SELECT 1 FROM embedded_entries WHERE entry_id = ? AND model_id = ?", (entry_id, model_id)
                ).fetchone()
                exists = conn.execute("SELECT 1 FROM entries WHERE id = ?", (entry_id,)).fetchone()
                if done or not exists:
                    continue
                conn.executemany(
                    "INSERT INTO chunk_vectors (entry_id, model_id, section, chunk, start_char, end_char, vector)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(entry_id, model_id, *chunk) for chunk in chunks],
                )
                conn.execute("INSERT INTO embedded_entries (entry_id, model_id) VALUES (?, ?)", (entry_id, model_id))
                written += 1
        return written

    def delete_embeddings(self, model_id: int | None = None) -> None:
        """Forget vectors (of one model, or all) so they are rebuilt."""
        with self.write_transaction() as conn:
            if model_id is None:
                conn.execute("DELETE FROM chunk_vectors")
                conn.execute("DELETE FROM embedded_entries")
            else:
                conn.execute("DELETE FROM chunk_vectors WHERE model_id = ?", (model_id,))
                conn.execute("DELETE FROM embedded_entries WHERE model_id = ?", (model_id,))

    def vector_rows(self, model_id: int, after_id: int = 0, limit: int = -1) -> list[VectorRow]:
        """A model's chunk vectors with id > `after_id`, in id order (`limit` rows at most; -1 = all)."""
        rows = self._read(
            """SELECT v.id, v.entry_id, e.kind, v.section, e.created_at, v.vector
               FROM chunk_vectors v JOIN entries e ON e.id = v.entry_id
               WHERE v.model_id = ? AND v.id > ? ORDER BY v.id LIMIT ?""",
            (model_id, after_id, limit),
        )
        return [VectorRow(*r) for r in rows]

    def vectors_by_id(self, ids: Sequence[int]) -> dict[int, bytes]:
        """Stored float32 blobs by vector id (ids that no longer exist are absent)."""
        found: dict[int, bytes] = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            for vector_id, blob in self._read(f"SELECT id, vector FROM chunk_vectors WHERE id IN ({marks})", batch):
                found[int(vector_id)] = blob
        return found

    def find_model_id(self, name: str, dimension: int, fingerprint: str) -> int | None:
        """The id of a registered model identity, without registering it (works on a read-only journal)."""
        rows = self._read(
            "SELECT id FROM embedding_models WHERE name = ? AND dimension = ? AND fingerprint = ?",
            (name, dimension, fingerprint),
        )
        return int(rows[0][0]) if rows else None

    def embedding_counts(self) -> list[tuple[int, str, int, str, int, int]]:
        """Per registered model: (id, name, dimension, fingerprint, entries embedded, vectors)."""
        rows = self._read(
            """SELECT m.id, m.name, m.dimension, m.fingerprint,
                      (SELECT count(*) FROM embedded_entries x WHERE x.model_id = m.id),
                      (SELECT count(*) FROM chunk_vectors v WHERE v.model_id = m.id)
               FROM embedding_models m ORDER BY m.id"""
        )
        return [(int(r[0]), str(r[1]), int(r[2]), str(r[3]), int(r[4]), int(r[5])) for r in rows]

    def vector_stats(self, model_id: int) -> tuple[int, int]:
        """(number of vectors, largest vector id) for a model: cheap change detection."""
        row = self._read("SELECT count(*), coalesce(max(id), 0) FROM chunk_vectors WHERE model_id = ?", (model_id,))
        return int(row[0][0]), int(row[0][1])

    def chunk_span(self, vector_id: int) -> tuple[str, int, int] | None:
        rows = self._read("SELECT section, start_char, end_char FROM chunk_vectors WHERE id = ?", (vector_id,))
        return (rows[0][0], int(rows[0][1]), int(rows[0][2])) if rows else None
