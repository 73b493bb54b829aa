"""Import journals written by the TypeScript `private-journal-mcp` (``YYYY-MM-DD/HH-MM-SS-micros.md`` files).

Source files are only read, never changed. Every entry goes through the same cleaning and secret
redaction as an entry an agent writes, and is stored with its original time. Importing the same
files again adds nothing: an entry of the same journal type, time and (redacted) text is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path, PurePath

from pydantic import BaseModel, Field

from journal_mcp.core.config import JOURNAL_DIR_NAME
from journal_mcp.core.errors import InvalidInputError, JournalError
from journal_mcp.core.models import JournalType, iso_utc
from journal_mcp.service.journal import Journal, content_hash
from journal_mcp.transfer.oldformat import FormatError, parse_entry

BATCH_SIZE = 500
SIDECAR_SUFFIX = ".embedding"
SOURCE = "import:private-journal-mcp"


class SkippedFile(BaseModel):
    path: str
    reason: str


class ImportReport(BaseModel):
    """What an import did (or, with dry_run, would do)."""

    dry_run: bool
    files: int = Field(default=0, description="Entry files (*.md) examined.")
    imported: int = Field(default=0, description="Entries added (dry run: that would be added).")
    duplicates: int = Field(default=0, description="Entries already in the journal, or repeated among the sources.")
    skipped: list[SkippedFile] = Field(default_factory=list, description="Files not imported, with the reason.")
    sidecars_ignored: int = Field(default=0, description="Old .embedding files (vectors are rebuilt by this server).")
    redactions: int = Field(default=0, description="Secrets replaced by [REDACTED:...] in imported text.")
    by_type: dict[str, int] = Field(default_factory=dict, description="Entries added per journal type.")


class Source(BaseModel):
    path: Path
    kind: JournalType


def journal_type_of(path: Path, home: Path, user_dirs: Sequence[Path] = ()) -> JournalType | None:
    """The journal type a path belongs to, when its location says so.

    Inside ``~/.private-journal`` (or a configured user journal directory) it is the user journal;
    inside any other ``.private-journal`` directory, a project journal; an export's ``user/`` or
    ``project/`` directory says its type.
    """
    resolved = path.resolve()
    user_roots = {(home / JOURNAL_DIR_NAME).resolve(), *(d.resolve() for d in user_dirs)}
    for candidate in (resolved, *resolved.parents):
        if candidate in user_roots:
            return "user"
        if candidate.name == JOURNAL_DIR_NAME:
            return "project"
    if resolved.name in ("user", "project"):
        return resolved.name  # type: ignore[return-value]
    return None


def find_sources(
    paths: Sequence[Path], kind: JournalType | None, home: Path, user_dirs: Sequence[Path] = ()
) -> tuple[list[Source], int, list[SkippedFile]]:
    """The entry files under `paths` (sorted), how many .embedding sidecars were passed over, and missing paths.

    Raises InvalidInputError when a path's journal type cannot be told and `kind` is not given.
    """
    sources: list[Source] = []
    sidecars = 0
    missing: list[SkippedFile] = []
    for root in paths:
        if not root.exists() and not root.is_symlink():
            missing.append(SkippedFile(path=str(root), reason="no such file or directory"))
            continue
        root_kind = kind or journal_type_of(root, home, user_dirs)
        for file in _walk(root):
            if file.name.endswith(SIDECAR_SUFFIX):
                sidecars += 1
            elif file.suffix == ".md":
                # Below an unknown root, an export's DIR/project/... and DIR/user/... name their journal.
                file_kind = root_kind or _export_kind(file)
                if file_kind is None:
                    raise InvalidInputError(
                        f"Cannot tell whether {root} is a project or a user journal (it is not inside a "
                        f"{JOURNAL_DIR_NAME} directory). Pass --type project or --type user."
                    )
                sources.append(Source(path=file, kind=file_kind))
    return sources, sidecars, missing


def _export_kind(file: Path) -> JournalType | None:
    """`project` or `user` when the file sits in ``<that name>/YYYY-MM-DD/`` (an export of both journals)."""
    name = file.parent.parent.name
    return name if name in ("project", "user") else None  # type: ignore[return-value]


def _walk(root: Path) -> Iterable[Path]:
    if not root.is_dir():
        yield root
        return
    for directory, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            yield Path(directory, name)


def import_journals(
    journal: Journal,
    paths: Sequence[Path],
    *,
    kind: JournalType | None = None,
    dry_run: bool = False,
    home: Path | None = None,
    on_start: Callable[[int], None] | None = None,
    on_file: Callable[[], None] | None = None,
) -> ImportReport:
    """Import every entry file under `paths` into `journal`; see the module docstring.

    `kind` forces the journal type (else it is inferred from each path). `on_start(total)` and
    `on_file()` report progress.
    """
    home = home or Path(os.environ.get("HOME") or Path.home())
    sources, sidecars, missing = find_sources(paths, kind, home, [journal.settings.user_journal_dir])
    report = ImportReport(dry_run=dry_run, files=len(sources), sidecars_ignored=sidecars, skipped=missing)
    if on_start is not None:
        on_start(len(sources))
    pending: dict[JournalType, list[tuple[datetime, dict[str, str]]]] = {}
    seen: set[tuple[str, str, str]] = set()
    for source in sources:
        prepared = _read_one(journal, source, report)
        if on_file is not None:
            on_file()
        if prepared is None:
            continue
        if dry_run:
            key = (source.kind, iso_utc(prepared[0]), content_hash(prepared[1]))
            store = journal.store(source.kind)
            exists = store is not None and store.has_entry_with_hash(key[2], prepared[0], kind=source.kind)
            if exists or key in seen:
                report.duplicates += 1
            else:
                seen.add(key)
                report.imported += 1
                report.by_type[source.kind] = report.by_type.get(source.kind, 0) + 1
            continue
        batch = pending.setdefault(source.kind, [])
        batch.append(prepared)
        if len(batch) >= BATCH_SIZE:
            _flush(journal, source.kind, batch, report)
    for batch_kind, batch in pending.items():
        _flush(journal, batch_kind, batch, report)
    return report


def _read_one(journal: Journal, source: Source, report: ImportReport) -> tuple[datetime, dict[str, str]] | None:
    def skip(reason: str) -> None:
        report.skipped.append(SkippedFile(path=str(source.path), reason=reason))

    try:
        raw = source.path.read_bytes()
    except OSError as exc:
        skip(f"unreadable: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        skip(f"not UTF-8 text (byte {exc.start})")
        return None
    try:
        parsed = parse_entry(text, PurePath(source.path.parent.name, source.path.name))
        sections, redactions = journal.prepare_sections(parsed.sections)
    except (FormatError, JournalError) as exc:
        skip(str(exc))
        return None
    if not sections:
        skip("empty entry (only whitespace)")
        return None
    report.redactions += redactions
    return parsed.created_at, sections


def _flush(
    journal: Journal, kind: JournalType, batch: list[tuple[datetime, dict[str, str]]], report: ImportReport
) -> None:
    if not batch:
        return
    added = journal.add_prepared(kind, batch, source=SOURCE)
    report.imported += added
    report.duplicates += len(batch) - added
    if added:
        report.by_type[kind] = report.by_type.get(kind, 0) + added
    batch.clear()
