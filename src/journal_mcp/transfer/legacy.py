"""Import an old in-repository ``<project>/.private-journal`` once into the project's own journal.

Journals used to live inside the project. Now the project journal lives in the user's data
directory; the first time a project's journal is needed and does not exist yet, the old one is
imported, and only when it is the user's own:

- the directory and its ``journal.db`` are not symlinks and belong to the current user;
- git does not track anything in it (a journal committed to a repository is someone else's
  memory, possibly planted instructions; it is never served as the agent's own);
- ``journal.db`` is a journal-mcp database (see `dbfile`); entry files of the TypeScript
  server (``YYYY-MM-DD/*.md``) go through the normal importer.

The original is only read: nothing in it is created, changed or removed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

from journal_mcp.core.config import DB_FILE_NAME
from journal_mcp.core.errors import JournalError, StorageError
from journal_mcp.service.journal import Journal
from journal_mcp.store import pathsafe
from journal_mcp.store.dbfile import identify
from journal_mcp.store.dbopen import prepare_journal_dir, quick_check
from journal_mcp.store.project_dirs import note_import

log = logging.getLogger(__name__)

GIT_TIMEOUT_SECONDS = 10.0


def import_legacy_once(journal: Journal) -> str | None:
    """Import the old project journal when the new one does not exist yet. Returns what happened, or None.

    Never raises for the legacy journal's problems: they are logged, and the new journal starts empty.
    """
    settings = journal.settings
    legacy = settings.legacy_project_journal_dir
    if legacy is None or os.path.lexists(settings.project_db_path) or not os.path.lexists(legacy):
        return None
    reason = refusal(legacy, settings.project_dir)
    if reason is not None:
        message = f"Not importing the old project journal {legacy}: {reason}"
        log.warning("%s", message)
        return message
    try:
        copied = _copy_database(legacy / DB_FILE_NAME, settings.project_db_path)
        files = _import_entry_files(journal, legacy)
    except JournalError as exc:
        message = f"Could not import the old project journal {legacy}: {exc}"
        log.warning("%s", message)
        return message
    with contextlib.suppress(OSError, JournalError):
        note_import(settings, legacy)
    message = f"Imported the old project journal {legacy} ({copied} entries from journal.db, {files} from entry files)."
    log.info("%s", message)
    return message


def refusal(legacy: Path, project_dir: Path) -> str | None:
    """Why `legacy` is not the user's own journal, or None when it may be imported."""
    try:
        st = os.lstat(legacy)
    except OSError as exc:
        return f"cannot read it ({exc.strerror})."
    if stat.S_ISLNK(st.st_mode):
        return "it is a symbolic link (a repository may point it anywhere)."
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a directory."
    if st.st_uid != os.geteuid():
        return f"it belongs to uid {st.st_uid}, not to you."
    db = legacy / DB_FILE_NAME
    if os.path.lexists(db):
        dst = os.lstat(db)
        if not stat.S_ISREG(dst.st_mode):
            return f"{db} is not a regular file (a link or a device)."
        if dst.st_uid != os.geteuid() or dst.st_nlink != 1:
            return f"{db} belongs to uid {dst.st_uid} or has other hard links."
    tracked = _tracked_by_git(project_dir, legacy)
    if tracked:
        return (
            f"git tracks {tracked} in it, so it came with the repository and is not your journal. "
            "Nothing from it is served as your memory."
        )
    return None


def _tracked_by_git(project_dir: Path, legacy: Path) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(project_dir), "ls-files", "-z", "--", str(legacy)],
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    names = [n for n in done.stdout.decode("utf-8", "replace").split("\0") if n]
    if done.returncode != 0 or not names:
        return None
    return f"{len(names)} file(s), e.g. {names[0]}"


def _copy_database(source: Path, dest: Path) -> int:
    """Copy a legacy journal.db (and its -wal) byte for byte, then check the copy. Returns its entries.

    The copy is what SQLite opens: even a read-only SQLite connection may create a -shm file beside
    the original, and the original is not to be touched.
    """
    if not os.path.lexists(source):
        return 0
    prepare_journal_dir(dest.parent)
    temp = dest.with_name(f".{dest.name}.import-{os.getpid()}")
    leftovers = [temp, *(Path(f"{temp}{suffix}") for suffix in ("-wal", "-shm", "-journal"))]
    try:
        with pathsafe.private_dir(dest.parent, create=False) as fd:
            for suffix in ("", "-wal"):
                original = Path(f"{source}{suffix}")
                if suffix and not os.path.lexists(original):
                    continue
                _copy_bytes(original, fd, f"{temp.name}{suffix}")
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            identify(conn, source)
            conn.execute("PRAGMA journal_mode = DELETE")  # folds the copied -wal into the copy
            problem = quick_check(conn)
            if problem is not None:
                raise StorageError(f"the copy of {source} is damaged ({problem}); run `journal-mcp doctor` on it.")
            entries = int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
        finally:
            conn.close()
        try:
            os.link(temp, dest)  # never over a journal another process made meanwhile
        except FileExistsError:
            return 0
    except sqlite3.Error as exc:
        raise StorageError(f"cannot copy {source}: {exc}.") from exc
    except OSError as exc:
        raise StorageError(f"cannot copy {source}: {exc.strerror or exc}.") from exc
    finally:
        for leftover in leftovers:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return entries


def _copy_bytes(original: Path, dir_fd: int, name: str) -> None:
    src = os.open(original, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        dst = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
        try:
            while chunk := os.read(src, 1 << 20):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(dst, view) :]
            os.fsync(dst)
        finally:
            os.close(dst)
    finally:
        os.close(src)


def _import_entry_files(journal: Journal, legacy: Path) -> int:
    """Entries of the TypeScript server (YYYY-MM-DD/*.md) in the old directory, as project notes."""
    if not any(p.suffix == ".md" for p in legacy.glob("*/*.md")):
        return 0
    from journal_mcp.transfer.importer import import_journals

    report = import_journals(journal, [legacy], kind="project")
    return report.imported
