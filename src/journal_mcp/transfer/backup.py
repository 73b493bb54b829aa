"""Consistent copies of live journal databases with SQLite's online backup API.

The copy is taken in one backup step, which in WAL mode reads one snapshot while writers keep
writing (every write committed before the backup began is in it, none half-written). It is made
in a temporary file beside the destination, checked with ``PRAGMA integrity_check``, switched
out of WAL mode so it is one self-contained file, and only then renamed into place (0600).

``--type both`` (the default) writes into a directory: ``project.db`` and ``user.db``, or a single
``journal.db`` when the two journals are one database. ``--type project|user`` writes one file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from pydantic import BaseModel

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import InvalidInputError, StorageError
from journal_mcp.store.storage import BUSY_TIMEOUT_SECONDS, FILE_MODE
from journal_mcp.transfer.exporter import make_private_dir


class BackupCopy(BaseModel):
    journal: str  # project, user or both (one shared database)
    source: str
    destination: str
    entries: int
    bytes: int
    integrity: str


class BackupReport(BaseModel):
    copies: list[BackupCopy]
    missing: list[str] = []  # journals that do not exist yet, so were not copied


def plan(settings: Settings, kind: str, dest: Path) -> list[tuple[str, Path, Path]]:
    """(journal, source database, destination file) for each journal `kind` names."""
    if kind in ("project", "user"):
        source = settings.project_db_path if kind == "project" else settings.user_db_path
        return [(kind, source, dest)]
    if kind != "both":
        raise InvalidInputError(f"type must be one of both, project, user; got {kind!r}.")
    if settings.shared_journal:
        return [("both", settings.user_db_path, dest / "journal.db")]
    return [
        ("project", settings.project_db_path, dest / "project.db"),
        ("user", settings.user_db_path, dest / "user.db"),
    ]


def backup_journals(settings: Settings, dest: Path, *, kind: str = "both", force: bool = False) -> BackupReport:
    """Back up the journals `kind` names to `dest`; see the module docstring for the layout."""
    targets = plan(settings, kind, dest)
    if kind == "both" and dest.exists() and not dest.is_dir():
        raise InvalidInputError(f"{dest} is a file; with --type both the destination is a directory.")
    present = [(name, src, dst) for name, src, dst in targets if src.exists()]
    missing = [f"{name} ({src})" for name, src, _ in targets if not src.exists()]
    if not present:
        raise StorageError(f"There is no journal to back up yet: {', '.join(missing)} does not exist.")
    live = {os.path.realpath(p) for p in (settings.project_db_path, settings.user_db_path)}
    for _, _, dst in present:
        if os.path.realpath(dst) in live or os.path.realpath(dst.parent) in {os.path.dirname(p) for p in live}:
            raise InvalidInputError(f"{dst} is inside a live journal directory; back up to somewhere else.")
        if (dst.exists() or dst.is_symlink()) and not force:
            raise InvalidInputError(f"{dst} already exists; nothing was written. Pass --force to replace it.")
        if dst.is_dir():
            raise InvalidInputError(f"{dst} is a directory; give a file name (or use --type both).")
    copies = [backup_database(src, dst, journal=name) for name, src, dst in present]
    return BackupReport(copies=copies, missing=missing)


def backup_database(source: Path, dest: Path, *, journal: str = "both") -> BackupCopy:
    """Copy one live database to `dest` (replacing it), verified; raises StorageError on any failure."""
    if not dest.parent.exists():
        make_private_dir(dest.parent)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")  # 0600
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = _open_source(source)
        try:
            dst = sqlite3.connect(tmp, isolation_level=None)
            try:
                src.backup(dst)  # one step: a single consistent snapshot, writers are not blocked (WAL)
                dst.execute("PRAGMA journal_mode = DELETE")
                integrity = str(dst.execute("PRAGMA integrity_check").fetchone()[0])
                entries = int(dst.execute("SELECT count(*) FROM entries").fetchone()[0])
            finally:
                dst.close()
        finally:
            src.close()
        if integrity != "ok":
            raise StorageError(f"The copy of {source} failed its integrity check ({integrity}); nothing was kept.")
        os.chmod(tmp, FILE_MODE)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    except sqlite3.Error as exc:
        raise StorageError(f"Could not back up {source}: {exc}.") from exc
    except OSError as exc:
        raise StorageError(f"Could not write the backup {dest}: {exc.strerror or exc}.") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    return BackupCopy(
        journal=journal,
        source=str(source),
        destination=str(dest),
        entries=entries,
        bytes=dest.stat().st_size,
        integrity=integrity,
    )


def _open_source(source: Path) -> sqlite3.Connection:
    """Open the live database read-only (the backup never writes to it)."""
    try:
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot open the journal database {source}: {exc}.") from exc
    return conn


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
