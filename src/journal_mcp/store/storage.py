"""One journal database: entries, their sections, full-text index and (via VectorTables) embedding vectors.

`JournalStore` takes a path, ``":memory:"`` or an open connection. Every write is one
``BEGIN IMMEDIATE`` transaction, so several processes (several Claude Code sessions) can share a
journal: WAL lets readers run beside a writer, the busy timeout makes writers queue, and
``synchronous=FULL`` makes an acknowledged write survive a crash or power loss.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

import sqlite_utils

from journal_mcp.core.errors import CorruptJournalError, JournalError, StorageError
from journal_mcp.core.models import Entry, NewEntry, iso_utc
from journal_mcp.store import pathsafe
from journal_mcp.store.dbfile import identify
from journal_mcp.store.dbopen import is_corruption, open_checked, open_read_only, quick_check
from journal_mcp.store.filters import Filters
from journal_mcp.store.migrations import SCHEMA_VERSION, migrate
from journal_mcp.store.migrations import schema_version as _schema_version
from journal_mcp.store.reading import entries_from_rows, entries_query, recent_ids_query
from journal_mcp.store.search_tables import KeywordHit, SearchTables
from journal_mcp.store.vector_tables import VectorTables

__all__ = ["Filters", "JournalStore", "KeywordHit"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 30.0
DIR_MODE = pathsafe.DIR_MODE
FILE_MODE = pathsafe.FILE_MODE


def _is_busy(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(exc)


class JournalStore(VectorTables, SearchTables):
    """A journal database. Thread-safe: one connection, one lock."""

    def __init__(self, target: str | Path | sqlite3.Connection, *, create: bool = True) -> None:
        self._lock = threading.RLock()
        self.path: Path | None = None
        # Set when the file system refuses writes: reads are still served, writes get a clear error.
        self.read_only_reason: str | None = None
        if isinstance(target, sqlite3.Connection):
            conn = target
        elif str(target) == ":memory:":
            conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            self.path = Path(target)
            conn = open_checked(self.path, create, BUSY_TIMEOUT_SECONDS)
        # Set when the database is damaged: reads are still tried, writes are refused with what to do.
        self.corrupt_reason: str | None = None
        # Bumped by every write made through this object; other processes' writes show in data_version.
        self.local_generation = 0
        try:
            self._configure_waiting_for_locks(conn)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                conn.close()
                raise StorageError(
                    f"The journal {self.path or target} stayed locked by another process for "
                    f"{BUSY_TIMEOUT_SECONDS:.0f} s: {exc}. Try again; if it persists, look for a stuck process."
                ) from exc
            if self.path is None or not self.path.exists():
                raise StorageError(f"Cannot open the journal database {self.path or target}: {exc}.") from exc
            conn.close()
            conn = open_read_only(self.path, BUSY_TIMEOUT_SECONDS)
            self.read_only_reason = str(exc)
            log.warning("Journal %s is read-only (%s): serving reads only.", self.path, exc)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StorageError(f"Cannot open the journal database {self.path or target}: {exc}.") from exc
        except JournalError:
            conn.close()
            raise
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        if self.path is not None:
            self.corrupt_reason = self._quick_check()
        if self.corrupt_reason is not None:
            log.error(
                "Journal %s is damaged (%s): serving what can be read, refusing writes.", self.path, self.corrupt_reason
            )
        elif self.read_only_reason is None:
            try:
                migrate(self.db)
            except sqlite3.DatabaseError as exc:
                raise StorageError(f"Cannot open the journal database {self.path or target}: {exc}.") from exc
            if self.path is not None:
                self._fix_modes()
        elif _schema_version(conn) < SCHEMA_VERSION:
            raise StorageError(
                f"The journal {self.path} needs a schema upgrade but is read-only ({self.read_only_reason})."
            )

    def _configure_waiting_for_locks(self, conn: sqlite3.Connection) -> None:
        """Configure, retrying while another process holds a lock.

        Switching a new database to WAL can fail with SQLITE_BUSY at once, without the busy
        handler, when several processes open it together; that is contention, not a read-only disk.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        delay = 0.01
        while True:
            try:
                self._configure(conn)
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.isolation_level = None  # we issue BEGIN/COMMIT ourselves
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if self.path is not None:
            # Before the WAL switch or any write: another application's database, or a newer
            # journal's, is refused untouched.
            identify(conn, self.path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()

    def _quick_check(self) -> str | None:
        return quick_check(self.conn)

    def _fix_modes(self) -> None:
        assert self.path is not None
        for suffix in ("-wal", "-shm"):
            candidate = Path(f"{self.path}{suffix}")
            with contextlib.suppress(OSError):
                st = os.lstat(candidate)
                if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and (st.st_mode & 0o777) != FILE_MODE:
                    os.chmod(candidate, FILE_MODE, follow_symlinks=False)

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    # -- transactions -------------------------------------------------------------------------

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: takes the write lock up front so it cannot deadlock later."""
        if self.read_only_reason is not None:
            raise StorageError(
                f"The journal {self.path} is read-only ({self.read_only_reason}); nothing was written. "
                "Check the disk and the directory's permissions."
            )
        if self.corrupt_reason is not None:
            raise self._corrupt_error()
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                if is_corruption(exc):
                    self.corrupt_reason = self._quick_check() or str(exc)
                    raise self._corrupt_error() from exc
                raise StorageError(f"The journal is busy or read-only: {exc}.") from exc
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    if is_corruption(exc) or self._quick_check() is not None:
                        self.corrupt_reason = self._quick_check() or str(exc)
                        raise self._corrupt_error() from exc
                    raise StorageError(f"Could not write to the journal: {exc}.") from exc
                raise
            finally:
                self.local_generation += 1
        if self.path is not None:
            self._fix_modes()

    def check_writable(self) -> None:
        """Raise the error a write would meet (read-only disk, damaged journal) without writing."""
        if self.read_only_reason is not None:
            raise StorageError(
                f"The journal {self.path} is read-only ({self.read_only_reason}); nothing was written. "
                "Check the disk and the directory's permissions."
            )
        if self.corrupt_reason is not None:
            raise self._corrupt_error()

    def delete_entries(self, ids: Sequence[str]) -> None:
        """Remove entries (and, by cascade, their sections and vectors) in one transaction."""
        with self.write_transaction() as conn:
            conn.executemany("DELETE FROM entries WHERE id = ?", [(i,) for i in ids])

    def _corrupt_error(self) -> CorruptJournalError:
        return CorruptJournalError(
            f"The journal {self.path} is damaged ({self.corrupt_reason}); nothing was written. "
            "Run `journal-mcp doctor` to see what can be saved (it recovers into a new file and never "
            "changes this one), then move the damaged file aside."
        )

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row | tuple]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StorageError(f"Could not read the journal: {exc}.") from exc

    # -- entries ------------------------------------------------------------------------------

    def add_entries(self, entries: Sequence[NewEntry], *, skip_existing: bool = False) -> int:
        """Store entries in one transaction: all of them or none. Returns how many were stored.

        With `skip_existing`, an entry is left out when one of the same journal type, content hash
        and time is already stored (checked inside the transaction, so concurrent imports agree).
        """
        added = 0
        with self.write_transaction() as conn:
            for entry in entries:
                if (
                    skip_existing
                    and conn.execute(
                        "SELECT 1 FROM entries WHERE content_hash = ? AND created_at = ? AND kind = ? LIMIT 1",
                        (entry.content_hash, iso_utc(entry.created_at), entry.journal),
                    ).fetchone()
                ):
                    continue
                added += 1
                conn.execute(
                    "INSERT INTO entries (id, kind, created_at, content_hash, source) VALUES (?, ?, ?, ?, ?)",
                    (entry.id, entry.journal, iso_utc(entry.created_at), entry.content_hash, entry.source),
                )
                conn.executemany(
                    "INSERT INTO sections (entry_id, name, position, body) VALUES (?, ?, ?, ?)",
                    [(entry.id, name, pos, body) for pos, (name, body) in enumerate(entry.sections.items())],
                )
        return added

    def has_entry_with_hash(self, content_hash: str, created_at: datetime, *, kind: str | None = None) -> bool:
        sql = "SELECT 1 FROM entries WHERE content_hash = ? AND created_at = ?"
        params: list[object] = [content_hash, iso_utc(created_at)]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        return bool(self._read(sql + " LIMIT 1", params))

    def get_entries(self, ids: Sequence[str]) -> dict[str, Entry]:
        """Entries by id (missing ids are absent from the result)."""
        found: dict[str, Entry] = {}
        ids = list(dict.fromkeys(ids))
        for start in range(0, len(ids), 500):
            entries_from_rows(self._read(*entries_query(ids[start : start + 500])), into=found)
        return found

    def get_entry(self, entry_id: str) -> Entry | None:
        return self.get_entries([entry_id]).get(entry_id)

    def recent_ids(self, filters: Filters, limit: int) -> list[str]:
        return [r[0] for r in self._read(*recent_ids_query(filters, limit))]

    def recent(self, filters: Filters, limit: int) -> list[Entry]:
        ids = self.recent_ids(filters, limit)
        found = self.get_entries(ids)
        return [found[i] for i in ids if i in found]

    def count_entries(self, kinds: Sequence[str] = ("project", "user")) -> int:
        marks = ",".join("?" * len(kinds))
        return int(self._read(f"SELECT count(*) FROM entries WHERE kind IN ({marks})", list(kinds))[0][0])

    def all_entry_ids(self, kinds: Sequence[str] = ("project", "user")) -> list[str]:
        marks = ",".join("?" * len(kinds))
        rows = self._read(f"SELECT id FROM entries WHERE kind IN ({marks}) ORDER BY created_at", list(kinds))
        return [r[0] for r in rows]

    def iter_entries(self, kinds: Sequence[str] = ("project", "user"), *, batch: int = 500) -> Iterator[Entry]:
        """Every entry of `kinds`, oldest first, read `batch` at a time (no long-held read transaction)."""
        marks = ",".join("?" * len(kinds))
        after: tuple[str, str] = ("", "")
        while True:
            rows = self._read(
                f"""SELECT id, created_at FROM entries WHERE kind IN ({marks}) AND (created_at, id) > (?, ?)
                    ORDER BY created_at, id LIMIT ?""",
                [*kinds, *after, batch],
            )
            if not rows:
                return
            ids = [r[0] for r in rows]
            found = self.get_entries(ids)
            yield from (found[i] for i in ids if i in found)
            after = (rows[-1][1], rows[-1][0])

    def kind_stats(self, kind: str) -> tuple[int, str | None, str | None, dict[str, int]]:
        """(entries, first created_at, last created_at, entries per section key) of one journal type."""
        count, first, last = self._read(
            "SELECT count(*), min(created_at), max(created_at) FROM entries WHERE kind = ?", (kind,)
        )[0]
        rows = self._read(
            """SELECT s.name, count(DISTINCT s.entry_id) FROM sections s JOIN entries e ON e.id = s.entry_id
               WHERE e.kind = ? GROUP BY s.name""",
            (kind,),
        )
        return int(count), first, last, {name: int(n) for name, n in rows}

    def data_version(self) -> int:
        """Changes whenever another connection commits to this database."""
        return int(self._read("PRAGMA data_version")[0][0])

    def integrity_check(self) -> str:
        return str(self._read("PRAGMA integrity_check")[0][0])
