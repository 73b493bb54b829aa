"""The per-project journals under the user's data directory: their records, listing and re-linking.

Each project journal is a directory ``<projects_root>/<name>-<hash of the project's real path>``
holding ``journal.db`` and a ``project.json`` that says which project it belongs to. When a
project moves, its hash changes; `relink` moves the journal to the new path's directory.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from journal_mcp.core.config import DB_FILE_NAME, Settings, project_key
from journal_mcp.core.errors import InvalidInputError, JournalError, StorageError
from journal_mcp.store import pathsafe

RECORD_FILE = "project.json"


class ProjectRecord(BaseModel):
    """One project journal, as `journal-mcp projects` lists it."""

    key: str = Field(description="The journal's directory name under the projects root.")
    root: str | None = Field(description="The project directory it belongs to (from project.json).")
    root_exists: bool = Field(description="Whether that project directory still exists (False: moved or deleted).")
    journal_dir: str
    entries: int | None = Field(default=None, description="Entries stored (None when unreadable).")
    bytes: int = 0
    imported_from: str | None = None


def record_project(settings: Settings) -> None:
    """Write project.json into the project journal's directory when it is one of ours and has none."""
    directory = settings.project_journal_dir
    if settings.projects_root is None or directory.parent != settings.projects_root:
        return
    try:
        with pathsafe.private_dir(directory, create=True) as fd:
            if pathsafe.read_file_at(fd, RECORD_FILE) is None:
                pathsafe.write_new_file_at(fd, RECORD_FILE, _record_text(settings.project_dir, None))
    except (OSError, JournalError):
        return  # the record is a convenience for `projects`; the journal itself reports real problems


def note_import(settings: Settings, source: Path) -> None:
    """Record in project.json that the journal was imported from `source`."""
    directory = settings.project_journal_dir
    if settings.projects_root is None or directory.parent != settings.projects_root:
        return
    with pathsafe.private_dir(directory, create=True) as fd:
        pathsafe.replace_file_at(fd, RECORD_FILE, _record_text(settings.project_dir, source))


def _record_text(project_dir: Path, imported_from: Path | None) -> str:
    data: dict[str, object] = {
        "root": os.path.realpath(project_dir),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if imported_from is not None:
        data["imported_from"] = str(imported_from)
    return json.dumps(data, indent=2) + "\n"


def _read_record(directory: Path) -> dict[str, object]:
    try:
        with pathsafe.private_dir(directory, create=False) as fd:
            text = pathsafe.read_file_at(fd, RECORD_FILE)
    except (OSError, JournalError):
        return {}
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def list_projects(settings: Settings) -> list[ProjectRecord]:
    """Every project journal under the projects root, sorted by project path."""
    root = settings.projects_root
    if root is None or not root.is_dir():
        return []
    found: list[ProjectRecord] = []
    for child in sorted(root.iterdir()):
        if child.is_symlink() or not child.is_dir():
            continue
        record = _read_record(child)
        project = record.get("root")
        db = child / DB_FILE_NAME
        found.append(
            ProjectRecord(
                key=child.name,
                root=project if isinstance(project, str) else None,
                root_exists=isinstance(project, str) and os.path.isdir(project),
                journal_dir=str(child),
                entries=_count_entries(db),
                bytes=sum(p.stat().st_size for p in child.glob(f"{DB_FILE_NAME}*") if p.is_file()),
                imported_from=str(record["imported_from"]) if record.get("imported_from") else None,
            )
        )
    return sorted(found, key=lambda r: (r.root or "", r.key))


def _count_entries(db: Path) -> int | None:
    if not db.is_file() or db.is_symlink():
        return None
    try:
        conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def relink(settings: Settings, old: str, new: Path) -> ProjectRecord:
    """Move the journal of project `old` (its old path, or its key as listed) to project directory `new`."""
    root = settings.projects_root
    if root is None:
        raise InvalidInputError("Project journals are not kept under a projects directory here; nothing to relink.")
    if not new.is_dir():
        raise InvalidInputError(f"The new project directory {new} does not exist; give the path the project moved to.")
    by_key = root / old
    source = by_key if "/" not in old and by_key.is_dir() else root / project_key(Path(old))
    if source.is_symlink() or not source.is_dir():
        raise InvalidInputError(
            f"No project journal for {old!r} under {root}; `journal-mcp projects` lists them (give a path or a key)."
        )
    target = root / project_key(new)
    if target == source:
        raise InvalidInputError(f"{new} already uses the journal {source}.")
    if os.path.lexists(target):
        raise InvalidInputError(
            f"{new} already has a project journal ({target}); move or remove it first. Nothing was changed."
        )
    try:
        os.rename(source, target)
        record = _read_record(target)
        imported = record.get("imported_from")
        with pathsafe.private_dir(target, create=False) as fd:
            pathsafe.replace_file_at(
                fd, RECORD_FILE, _record_text(new, Path(imported) if isinstance(imported, str) else None)
            )
    except OSError as exc:
        raise StorageError(f"Could not move {source} to {target}: {exc.strerror or exc}.") from exc
    return next(r for r in list_projects(settings) if r.key == target.name)
