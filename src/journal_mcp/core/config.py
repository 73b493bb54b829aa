"""Settings, resolved once at start-up: explicit argument, then environment variable, then default.

Environment variables (all optional):

- ``JOURNAL_MCP_PROJECT_JOURNAL``: directory of the project journal
  (default ``<project>/.private-journal``; the project is ``CLAUDE_PROJECT_DIR`` or the working directory).
- ``JOURNAL_MCP_USER_JOURNAL``: directory of the user journal (default ``~/.private-journal``).
  ``PRIVATE_JOURNAL_PATH``, the TypeScript server's variable, is honoured when this is unset.
- ``JOURNAL_MCP_MODEL``: embedding model, a local directory or a sentence-transformers model name.
- ``JOURNAL_MCP_SEMANTIC``: ``0`` turns semantic search off (keyword search only).
- ``JOURNAL_MCP_MAX_SECTION_CHARS``: longest accepted section (default 100000).
- ``JOURNAL_MCP_REDACT_SECRETS``: ``0`` stores secrets as written (default: redact them).
- ``JOURNAL_MCP_LOG_LEVEL``: DEBUG, INFO (default), WARNING or ERROR.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from journal_mcp.core.errors import InvalidInputError

JOURNAL_DIR_NAME = ".private-journal"
DB_FILE_NAME = "journal.db"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseModel):
    """Everything the journal needs to know about its environment."""

    model_config = ConfigDict(frozen=True)

    project_dir: Path
    project_journal_dir: Path
    user_journal_dir: Path
    model: str | None = None
    semantic: bool = True
    max_section_chars: int = Field(default=100_000, ge=1)
    redact_secrets: bool = True
    log_level: LogLevel = "INFO"

    @property
    def project_db_path(self) -> Path:
        return self.project_journal_dir / DB_FILE_NAME

    @property
    def user_db_path(self) -> Path:
        return self.user_journal_dir / DB_FILE_NAME

    @property
    def shared_journal(self) -> bool:
        """True when the project and user journals are one directory (one database)."""
        return _same_place(self.project_journal_dir, self.user_journal_dir)

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        cwd: Path | None = None,
        **overrides: object,
    ) -> Settings:
        """Resolve settings from `overrides` (flags), then `env`, then platform defaults."""
        env = os.environ if env is None else env
        home = Path(env.get("HOME") or Path.home())
        project_dir = Path(env.get("CLAUDE_PROJECT_DIR") or cwd or Path.cwd())
        user_dir = Path(
            env.get("JOURNAL_MCP_USER_JOURNAL") or env.get("PRIVATE_JOURNAL_PATH") or home / JOURNAL_DIR_NAME
        ).expanduser()
        explicit_project = env.get("JOURNAL_MCP_PROJECT_JOURNAL")
        if explicit_project:
            project_journal = Path(explicit_project).expanduser()
        elif is_not_a_project(project_dir, home):
            # Desktop clients start servers in `/` or $HOME: there is no project, so project notes
            # share the user journal instead of landing in /.private-journal or being listed twice.
            project_journal = user_dir
        else:
            project_journal = project_dir / JOURNAL_DIR_NAME
        values: dict[str, object] = {
            "project_dir": project_dir,
            "project_journal_dir": project_journal,
            "user_journal_dir": user_dir,
            "model": env.get("JOURNAL_MCP_MODEL") or None,
            "semantic": _flag(env, "JOURNAL_MCP_SEMANTIC", True),
            "max_section_chars": _int(env, "JOURNAL_MCP_MAX_SECTION_CHARS", 100_000),
            "redact_secrets": _flag(env, "JOURNAL_MCP_REDACT_SECRETS", True),
            "log_level": (env.get("JOURNAL_MCP_LOG_LEVEL") or "INFO").upper(),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)


def _same_place(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def is_not_a_project(project_dir: Path, home: Path) -> bool:
    real = os.path.realpath(project_dir)
    return real == os.path.realpath("/") or real == os.path.realpath(home)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise InvalidInputError(f"{name}={value!r} is not a yes/no value; use 1 or 0.")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidInputError(f"{name}={value!r} is not a whole number.") from None
