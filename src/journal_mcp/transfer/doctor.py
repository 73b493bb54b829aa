"""`journal-mcp doctor`: check each journal, and recover a damaged one into a new file.

The original is never opened by SQLite (even a read-only open may create a `-shm` beside it): the
database and its `-wal` are copied byte for byte into a temporary directory and the copy is
examined. Recovery uses SQLite's own `.recover` (the `sqlite3` command-line shell), which reads
every page it can and writes what it finds into a new database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from pydantic import BaseModel

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import InvalidInputError, JournalError, StorageError
from journal_mcp.store.dbfile import identify
from journal_mcp.store.migrations import APPLICATION_ID

RECOVER_TIMEOUT_SECONDS = 600


class JournalCheck(BaseModel):
    journal: str
    path: str
    exists: bool
    problem: str | None = None
    integrity: str | None = None
    entries: int | None = None
    recovered_to: str | None = None
    recovered_entries: int | None = None


def _copy(path: Path, into: Path) -> Path:
    copy = into / path.name
    for suffix in ("", "-wal"):
        source = Path(f"{path}{suffix}")
        if suffix and not source.is_file():
            continue
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as src, open(f"{copy}{suffix}", "wb") as dst:
            shutil.copyfileobj(src, dst)
    return copy


def check(kind: str, path: Path, recover_dir: Path | None = None) -> JournalCheck:
    report = JournalCheck(journal=kind, path=str(path), exists=os.path.lexists(path))
    if not report.exists:
        return report
    if os.path.islink(path):
        report.problem = "it is a symbolic link; the server refuses it"
        return report
    with tempfile.TemporaryDirectory(prefix="journal-doctor-") as temp:
        copy = _copy(path, Path(temp))
        conn = sqlite3.connect(copy, isolation_level=None)
        try:
            try:
                identify(conn, path)
            except JournalError as exc:
                report.problem = str(exc)
            try:
                rows = conn.execute("PRAGMA integrity_check(20)").fetchall()
                report.integrity = "; ".join(str(r[0]) for r in rows)
            except sqlite3.DatabaseError as exc:
                report.integrity = str(exc)
            try:
                report.entries = int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
            except sqlite3.DatabaseError:
                report.entries = None
        finally:
            conn.close()
        if recover_dir is not None and report.integrity != "ok":
            target = recover_dir / f"{kind}-recovered.db"
            report.recovered_entries = recover(copy, target)
            report.recovered_to = str(target)
    return report


def recover(source: Path, target: Path) -> int:
    """Recover what can be read of `source` into the new journal `target`; return the entries saved.

    SQLite's `.recover` when the shell has it working; else a row-by-row salvage of the entries and
    sections tables (each row read on its own, so a damaged page loses only its rows).
    """
    if os.path.lexists(target):
        raise InvalidInputError(f"{target} already exists; recovery writes a new file. Choose another directory.")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shell = shutil.which("sqlite3")
    if shell is not None:
        try:
            found = _shell_recover(shell, source, target)
        except (StorageError, subprocess.SubprocessError, OSError):
            found = 0
        if found:
            return found
        for leftover in (target, Path(f"{target}-journal")):
            leftover.unlink(missing_ok=True)
    return salvage(source, target)


def salvage(source: Path, target: Path) -> int:
    """Copy every entry whose row and sections can still be read into a new journal at `target`."""
    from datetime import datetime

    from journal_mcp.core.models import NewEntry, parse_iso_utc
    from journal_mcp.store.storage import JournalStore

    conn = sqlite3.connect(source, isolation_level=None)
    entries: dict[str, tuple[str, datetime, str, str]] = {}
    sections: dict[str, list[tuple[int, str, str]]] = {}
    try:
        for row in _rows(conn, "entries", "id, kind, created_at, content_hash, source", source):
            try:
                entries[row[0]] = (row[1], parse_iso_utc(row[2]), row[3], row[4])
            except (TypeError, ValueError):
                continue
        for row in _rows(conn, "sections", "entry_id, position, name, body", source):
            sections.setdefault(row[0], []).append((row[1], row[2], row[3]))
    finally:
        conn.close()
    new = [
        NewEntry(
            id=entry_id,
            journal=kind,  # type: ignore[arg-type]
            created_at=created,
            sections={name: body for _, name, body in sorted(sections[entry_id])},
            content_hash=digest,
            source=origin,
        )
        for entry_id, (kind, created, digest, origin) in entries.items()
        if entry_id in sections and kind in ("project", "user")
    ]
    store = JournalStore(target)
    try:
        return store.add_entries(new)
    finally:
        store.close()


def _rows(conn: sqlite3.Connection, table: str, columns: str, source: Path) -> list[tuple]:
    try:
        highest = int(conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0)
    except sqlite3.DatabaseError:
        highest = max(1000, source.stat().st_size // 32)
    rows = []
    for rowid in range(1, highest + 1):
        try:
            row = conn.execute(f"SELECT {columns} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            rows.append(row)
    return rows


def _shell_recover(shell: str, source: Path, target: Path) -> int:
    dump = subprocess.run(
        [shell, "-readonly", str(source), ".recover"], capture_output=True, timeout=RECOVER_TIMEOUT_SECONDS
    )
    if dump.returncode != 0 and not dump.stdout:
        raise StorageError(f"sqlite3 .recover failed: {dump.stderr.decode('utf-8', 'replace').strip()}")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    load = subprocess.run([shell, str(target)], input=dump.stdout, capture_output=True, timeout=RECOVER_TIMEOUT_SECONDS)
    if load.returncode != 0:
        raise StorageError(f"Loading the recovered rows failed: {load.stderr.decode('utf-8', 'replace').strip()}")
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
    finally:
        conn.close()


def doctor(settings: Settings, recover_dir: Path | None = None) -> list[JournalCheck]:
    """Check the project and the user journal (once when they are one file)."""
    seen: set[str] = set()
    reports = []
    for kind, path in (("project", settings.project_db_path), ("user", settings.user_db_path)):
        key = os.path.abspath(path)
        if key in seen:
            continue
        seen.add(key)
        reports.append(check(kind, path, recover_dir))
    return reports
