"""Open journal directories and files without following a symlink or trusting anyone else's file.

A journal path can come from a repository (a checkout may ship `.private-journal` as a symlink to
`~/.ssh`), from an environment variable, or sit in a directory other users can write (`/tmp`).
Everything here works on directory file descriptors with ``O_NOFOLLOW``, so what is checked is
what is used:

- the journal directory and every directory the server creates are opened without following a
  symlink, must belong to the current user, and are tightened to 0700;
- the existing directories above it must belong to the current user or root, and must not be
  writable by others unless sticky (like ``/tmp``), so nobody else can swap the journal away;
- a journal file must be a regular file of the current user with one link, and is tightened to
  0600 (a group- or world-writable file may already have been read or replaced).

SQLite opens the database by name, after these checks; `same_file` lets the caller confirm that
the name still points at the file that was checked.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from journal_mcp.core.errors import UnsafePathError

DIR_MODE = 0o700
FILE_MODE = 0o600
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _uid() -> int:
    return os.geteuid()


def _owner_name(uid: int) -> str:
    try:
        import pwd

        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (KeyError, ImportError):
        return f"uid {uid}"


@dataclass(frozen=True)
class FileIdentity:
    """Which file a check saw: device and inode."""

    device: int
    inode: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileIdentity:
        return cls(st.st_dev, st.st_ino)


def _check_ancestor(path: str) -> None:
    """An existing directory above a journal: ours or root's, and not writable by others unless sticky."""
    st = os.stat(path)
    if st.st_uid not in (0, _uid()):
        raise UnsafePathError(
            f"{path} belongs to {_owner_name(st.st_uid)}, so they could replace the journal inside it. "
            "Keep journals under a directory of your own (or set JOURNAL_MCP_PROJECT_JOURNAL / "
            "JOURNAL_MCP_USER_JOURNAL to one)."
        )
    if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
        raise UnsafePathError(
            f"{path} is writable by other users (mode {stat.S_IMODE(st.st_mode):04o}), so they could replace "
            f"the journal inside it. Run `chmod go-w {path}` or keep the journal elsewhere."
        )


def _check_own_dir(fd: int, path: Path) -> None:
    st = os.fstat(fd)
    if st.st_uid != _uid():
        raise UnsafePathError(
            f"The journal directory {path} belongs to {_owner_name(st.st_uid)}, not to you; refusing to use it. "
            "Remove it or point the journal elsewhere."
        )
    if stat.S_IMODE(st.st_mode) != DIR_MODE:
        with contextlib.suppress(OSError):  # a read-only mount: the reader still works, writes fail later
            os.fchmod(fd, DIR_MODE)


def _refuse_symlink(path: Path, exc: OSError) -> UnsafePathError:
    return UnsafePathError(
        f"{path} is a symbolic link (to {os.readlink(path) if os.path.islink(path) else '?'}); a journal is never "
        "opened through a link, since a repository or another user could aim it at your files. Remove the link, "
        "or point JOURNAL_MCP_PROJECT_JOURNAL / JOURNAL_MCP_USER_JOURNAL at a real directory."
    )


def _open_dir_at(parent_fd: int, name: str, full: Path, *, create: bool) -> int:
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, DIR_MODE, dir_fd=parent_fd)
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(full):
            raise _refuse_symlink(full, exc) from exc
        if exc.errno == errno.ENOTDIR:
            raise UnsafePathError(f"{full} is not a directory.") from exc
        raise


@contextlib.contextmanager
def private_dir(path: Path, *, create: bool) -> Iterator[int]:
    """Yield a descriptor of journal directory `path`, made and checked as the module says.

    Directories that already exist above the first one the server creates are checked, not changed;
    the journal directory and every directory created on the way to it are the user's own, 0700.
    Raises UnsafePathError when a check fails, FileNotFoundError when `path` is missing and not `create`.
    """
    path = Path(os.path.abspath(path))
    parts = path.parts
    # The longest existing prefix above the journal directory is taken as it is (resolved, checked);
    # from there down, each component is opened (or made) without following a link.
    existing = len(parts) - 1
    while existing > 1 and not os.path.lexists(os.path.join(*parts[:existing])):
        existing -= 1
    base = os.path.join(*parts[:existing])
    real_base = os.path.realpath(base)
    current = real_base
    while True:
        _check_ancestor(current)
        if current == os.path.dirname(current):
            break
        current = os.path.dirname(current)
    fd = os.open(real_base, _DIR_FLAGS)
    try:
        for index in range(existing, len(parts)):
            full = Path(*parts[: index + 1])
            child = _open_dir_at(fd, parts[index], full, create=create)
            os.close(fd)
            fd = child
            _check_own_dir(fd, full)
        yield fd
    finally:
        os.close(fd)


def check_file_at(dir_fd: int, name: str, full: Path, *, create: bool, writable: bool = True) -> FileIdentity | None:
    """Check (and with `create`, create 0600) file `name` in the directory `dir_fd`.

    Returns its identity, or None when it does not exist and `create` is False.
    """
    flags = (os.O_RDWR if writable else os.O_RDONLY) | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(name, flags | (os.O_CREAT if create else 0), FILE_MODE, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse_symlink(full, exc) from exc
        if writable and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return check_file_at(dir_fd, name, full, create=False, writable=False)
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePathError(f"{full} is not a regular file; refusing to open it as a journal.")
        if st.st_uid != _uid():
            raise UnsafePathError(
                f"{full} belongs to {_owner_name(st.st_uid)}, not to you: notes written to it could be read by "
                "them. Refusing to use it; remove it or point the journal elsewhere."
            )
        if st.st_nlink != 1:
            raise UnsafePathError(
                f"{full} has {st.st_nlink} hard links, so it is also some other file; refusing to use it as a journal."
            )
        if stat.S_IMODE(st.st_mode) != FILE_MODE:
            with contextlib.suppress(OSError):
                os.fchmod(fd, FILE_MODE)
        return FileIdentity.of(st)
    finally:
        os.close(fd)


def same_file(path: Path, identity: FileIdentity) -> bool:
    """True when `path` (not followed if a link) is still the file a check saw."""
    try:
        return FileIdentity.of(os.lstat(path)) == identity
    except OSError:
        return False


def write_new_file_at(dir_fd: int, name: str, text: str) -> None:
    """Create file `name` (0600, never through a link) holding `text`; leave an existing one alone."""
    try:
        fd = os.open(
            name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE, dir_fd=dir_fd
        )
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def replace_file_at(dir_fd: int, name: str, text: str) -> None:
    """Write `name` atomically (temp file + rename inside the directory), 0600, never through a link."""
    temp = f".{name}.{os.getpid()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
        raise


def read_file_at(dir_fd: int, name: str, limit: int = 1 << 20) -> str | None:
    """The text of `name` in `dir_fd` (never through a link), or None when it is missing."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None
        raise
    with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read(limit)
