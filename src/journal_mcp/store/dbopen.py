"""Open a journal database file: checked by `pathsafe`, identified by `dbfile`, then handed to SQLite."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from journal_mcp.core.errors import JournalError, StorageError
from journal_mcp.store import pathsafe
from journal_mcp.store.dbfile import identify

GITIGNORE = "# A private journal: never commit it.\n*\n"


def prepare_journal_dir(directory: Path, *, create: bool = True) -> None:
    """Make (or check) a journal directory: the user's own, 0700, never a link, with a `.gitignore` of `*`.

    An existing `.gitignore` that does not ignore everything (a repository may commit one) is replaced.
    """
    try:
        with pathsafe.private_dir(directory, create=create) as fd:
            _ensure_gitignore(fd)
    except JournalError:
        raise
    except OSError as exc:
        raise StorageError(f"Cannot create the journal directory {directory}: {exc.strerror or exc}.") from exc


def _ensure_gitignore(dir_fd: int) -> None:
    current = pathsafe.read_file_at(dir_fd, ".gitignore")
    if current is not None and "*" in (line.strip() for line in current.splitlines()):
        return
    try:
        if current is None:
            pathsafe.write_new_file_at(dir_fd, ".gitignore", GITIGNORE)
        else:
            pathsafe.replace_file_at(dir_fd, ".gitignore", GITIGNORE)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise


def is_corruption(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text


def open_checked(path: Path, create: bool, timeout: float) -> sqlite3.Connection:
    """Check the directory and the files as `pathsafe` says, then let SQLite open the checked file."""
    phase = f"create the journal directory {path.parent}" if create else f"open the journal directory {path.parent}"
    try:
        with pathsafe.private_dir(path.parent, create=create) as dir_fd:
            phase = f"open the journal database {path}"
            if create:
                _ensure_gitignore(dir_fd)
            # Created here, so it is 0600 from the first byte.
            identity = pathsafe.check_file_at(dir_fd, path.name, path, create=create)
            for suffix in ("-wal", "-shm", "-journal"):
                pathsafe.check_file_at(dir_fd, path.name + suffix, Path(f"{path}{suffix}"), create=False)
    except FileNotFoundError:
        identity = None
    except JournalError:
        raise
    except OSError as exc:
        raise StorageError(f"Cannot {phase}: {exc.strerror or exc}.") from exc
    if identity is None:
        raise StorageError(f"No journal database at {path}.")
    try:
        conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot open the journal database {path}: {exc}.") from exc
    if not pathsafe.same_file(path, identity):
        conn.close()
        raise StorageError(f"The journal database {path} was replaced while it was being opened; try again.")
    return conn


def open_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """Open a journal on a file system that refuses writes, so its entries stay readable."""
    last: Exception | None = None
    # mode=ro works while -shm can be created; immutable=1 when the directory itself is read-only.
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{Path(path).absolute().as_uri()}?{query}", uri=True, check_same_thread=False, isolation_level=None
            )
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            identify(conn, path)
        except sqlite3.Error as exc:
            conn.close()
            last = exc
            continue
        except JournalError:
            conn.close()
            raise
        return conn
    raise StorageError(f"Cannot open the journal database {path}: {last}.") from last


def quick_check(conn: sqlite3.Connection) -> str | None:
    """None when SQLite's quick_check passes, else what it found."""
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = "; ".join(str(r[0]) for r in rows)
    return None if found == "ok" else found
