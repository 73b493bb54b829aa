"""Build journals in the exact on-disk format of the TypeScript private-journal-mcp, for import tests."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path


def old_entry_text(moment: datetime, sections: dict[str, str]) -> str:
    """A file as private-journal-mcp's formatThoughts writes it (title and file names in local time)."""
    local = moment.astimezone()
    hour = local.hour % 12 or 12
    title = f"{hour}:{local:%M:%S} {'AM' if local.hour < 12 else 'PM'} - {local:%B} {local.day}, {local.year}"
    millis = int(moment.timestamp() * 1000)
    iso = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"
    body = "\n\n".join(f"## {title_}\n\n{text}" for title_, text in sections.items())
    return f'---\ntitle: "{title}"\ndate: {iso}\ntimestamp: {millis}\n---\n\n{body}\n'


def old_entry_path(root: Path, moment: datetime, random_micros: int = 417) -> Path:
    local = moment.astimezone()
    micros = (local.microsecond // 1000) * 1000 + random_micros  # ms * 1000 + random 0-999, as the old server did
    return root / f"{local:%Y-%m-%d}" / f"{local:%H-%M-%S}-{micros:06d}.md"


def write_old_entry(root: Path, moment: datetime, sections: dict[str, str], *, random_micros: int = 417) -> Path:
    path = old_entry_path(root, moment, random_micros)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(old_entry_text(moment, sections), encoding="utf-8")
    return path


def tree_digest(root: Path) -> dict[str, str]:
    """Path -> sha256 of every file (and symlink target) under root, to prove sources are untouched."""
    digest: dict[str, str] = {}
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = Path(directory, name)
            rel = str(path.relative_to(root))
            if path.is_symlink():
                digest[rel] = "link:" + os.readlink(path)
            else:
                stat = path.stat()
                digest[rel] = hashlib.sha256(path.read_bytes()).hexdigest() + f":{stat.st_mtime_ns}:{stat.st_mode:o}"
    return digest
