"""File helpers: content hashes, atomic writes (temp file + rename) and backups."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent_pack.errors import McpConfigError


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def backup_path(path: Path, now: datetime | None = None) -> Path:
    """A free name beside `path` for its backup; never ends in `.md`, so Claude Code does not load it as an agent."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.bak-{stamp}")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak-{stamp}-{counter}")
        counter += 1
    return candidate


def backup(path: Path) -> Path:
    """Copy `path` aside (keeping its bytes and mode) and return where it went."""
    target = backup_path(path)
    shutil.copy2(path, target)
    return target


def load_json_object(path: Path, *, hint: str) -> dict[str, Any] | None:
    """A JSON file holding an object, as a dict; None when it does not exist. Anything else raises
    McpConfigError naming the file (and, for bad JSON, the place), with `hint` saying what to do."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise McpConfigError(f"{path} is not UTF-8 text", hint=hint) from exc
    except json.JSONDecodeError as exc:
        raise McpConfigError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", hint=hint
        ) from exc
    if not isinstance(data, dict):
        raise McpConfigError(f"{path} must hold a JSON object, not {type(data).__name__}", hint=hint)
    return data
