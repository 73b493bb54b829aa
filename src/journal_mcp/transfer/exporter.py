"""Export a journal as private-journal-mcp markdown files or as JSON Lines.

Markdown: the layout the TypeScript server writes (``YYYY-MM-DD/HH-MM-SS-micros.md``, local time),
so the journal stays readable as plain files and imports back to the same entries. One journal
type goes straight into the directory; both go into ``project/`` and ``user/`` below it (the two
journals can hold entries of the same instant). Directories are 0700, files 0600.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal, TextIO

from pydantic import BaseModel

from journal_mcp.core.errors import InvalidInputError, StorageError
from journal_mcp.core.models import Entry, JournalType, iso_utc
from journal_mcp.service.journal import Journal
from journal_mcp.store.storage import DIR_MODE, FILE_MODE
from journal_mcp.transfer.oldformat import entry_path, render_entry

ExportFormat = Literal["markdown", "jsonl"]


class ExportReport(BaseModel):
    format: ExportFormat
    destination: str
    entries: int = 0
    by_type: dict[str, int] = {}
    renamed: list[str] = []  # files given a suffix because two entries shared an instant


def count_entries(journal: Journal, kinds: Sequence[JournalType]) -> int:
    return sum(store.count_entries(ks) for store, ks in journal.targets(kinds))


def _entries(journal: Journal, kinds: Sequence[JournalType]) -> Iterator[tuple[JournalType, Entry]]:
    for store, ks in journal.targets(kinds):
        for entry in store.iter_entries(ks):
            yield entry.journal, entry


def _check_destination(dest: Path, force: bool, *, directory: bool) -> None:
    if dest.is_symlink():
        raise InvalidInputError(f"{dest} is a symbolic link; give the real path.")
    if not dest.exists():
        return
    if directory and not dest.is_dir():
        raise InvalidInputError(f"{dest} exists and is not a directory.")
    if directory and not any(dest.iterdir()):
        return
    if not force:
        what = "is not empty" if directory else "already exists"
        raise InvalidInputError(f"{dest} {what}; nothing was written. Pass --force to overwrite, or pick a new path.")


def make_private_dir(path: Path) -> None:
    """Create `path` and each missing parent 0700 (whatever the umask); an existing `path` is tightened to 0700."""
    try:
        missing = [p for p in (path, *path.parents) if not p.exists()]
        for directory in reversed(missing):
            directory.mkdir(mode=DIR_MODE, exist_ok=True)
            os.chmod(directory, DIR_MODE)
        os.chmod(path, DIR_MODE)
    except OSError as exc:
        raise StorageError(f"Cannot create the directory {path}: {exc.strerror or exc}.") from exc


@contextlib.contextmanager
def private_file(path: Path) -> Iterator[TextIO]:
    """Write a text file atomically (temp file + rename on success), mode 0600 from the first byte."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_private_file(path: Path, text: str) -> None:
    """Write `text` to `path` 0600: created directly when new, replaced atomically when it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        with private_file(path) as handle:
            handle.write(text)
        return
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def export_markdown(
    journal: Journal,
    dest: Path,
    kinds: Sequence[JournalType],
    *,
    force: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_entry: Callable[[], None] | None = None,
) -> ExportReport:
    _check_destination(dest, force, directory=True)
    report = ExportReport(format="markdown", destination=str(dest))
    if on_start is not None:
        on_start(count_entries(journal, kinds))
    split = len(kinds) > 1
    made: set[Path] = set()
    written: set[Path] = set()
    try:
        make_private_dir(dest)
        for kind, entry in _entries(journal, kinds):
            root = dest / kind if split else dest
            relative = entry_path(entry.created_at)
            target = root / relative
            if target in written:  # two entries of one journal at the same microsecond
                n = 2
                while (alt := target.with_name(f"{target.stem}-{n}.md")) in written:
                    n += 1
                report.renamed.append(str(alt))
                target = alt
            if target.parent not in made:
                make_private_dir(target.parent)
                made.add(target.parent)
            write_private_file(target, render_entry(entry.created_at, entry.sections))
            written.add(target)
            report.entries += 1
            report.by_type[kind] = report.by_type.get(kind, 0) + 1
            if on_entry is not None:
                on_entry()
    except OSError as exc:
        raise StorageError(f"Export to {dest} failed: {exc.strerror or exc}.") from exc
    return report


def entry_json(entry: Entry) -> dict[str, object]:
    return {"id": entry.id, "type": entry.journal, "timestamp": iso_utc(entry.created_at), "sections": entry.sections}


def export_jsonl(
    journal: Journal,
    dest: Path | None,
    kinds: Sequence[JournalType],
    *,
    force: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_entry: Callable[[], None] | None = None,
) -> ExportReport:
    """One JSON object per line: id, type, timestamp (UTC ISO 8601, microseconds), sections (key -> text).

    `dest` None writes to standard output.
    """
    if dest is not None:
        _check_destination(dest, force, directory=False)
    report = ExportReport(format="jsonl", destination=str(dest) if dest else "-")
    if on_start is not None:
        on_start(count_entries(journal, kinds))

    def write_all(handle: TextIO) -> None:
        for kind, entry in _entries(journal, kinds):
            handle.write(json.dumps(entry_json(entry), ensure_ascii=False) + "\n")
            report.entries += 1
            report.by_type[kind] = report.by_type.get(kind, 0) + 1
            if on_entry is not None:
                on_entry()

    if dest is None:
        write_all(sys.stdout)
        sys.stdout.flush()
        return report
    try:
        if not dest.parent.exists():
            make_private_dir(dest.parent)
        with private_file(dest) as handle:
            write_all(handle)
    except OSError as exc:
        raise StorageError(f"Export to {dest} failed: {exc.strerror or exc}.") from exc
    return report
