"""Settings, resolved once at start-up: explicit argument, then environment variable, then default.

Environment variables (all optional):

- ``JOURNAL_MCP_PROJECT_JOURNAL``: directory of the project journal. Default: a directory of the
  user's own, ``$XDG_DATA_HOME/journal-mcp/projects/<name>-<hash of the project's path>`` (``XDG_DATA_HOME``
  defaults to ``~/.local/share``), so nothing inside a repository decides where notes go. The project
  is ``CLAUDE_PROJECT_DIR`` or the working directory. An old ``<project>/.private-journal`` is imported
  from once (see `legacy`).
- ``JOURNAL_MCP_USER_JOURNAL``: directory of the user journal (default ``~/.private-journal``).
  ``PRIVATE_JOURNAL_PATH``, the TypeScript server's variable, is honoured when this is unset.
- ``JOURNAL_MCP_MODEL``: embedding model, a local directory or a sentence-transformers model name.
- ``JOURNAL_MCP_RUNTIME``: ``auto`` (default: ONNX Runtime for BERT models, else sentence-transformers),
  ``onnx`` or ``sentence-transformers``.
- ``JOURNAL_MCP_QUERY_PREFIX`` / ``JOURNAL_MCP_PASSAGE_PREFIX``: text put before every search query /
  every embedded passage (default: the model's own, e.g. ``query: `` / ``passage: `` for e5 models).
  Changing the passage prefix re-embeds the journal.
- ``JOURNAL_MCP_CACHE_DIR``: where the model's ONNX graph is cached (default
  ``$XDG_CACHE_HOME/journal-mcp``, else ``~/.cache/journal-mcp``).
- ``JOURNAL_MCP_SEMANTIC``: ``0`` turns semantic search off (keyword search only).
- ``JOURNAL_MCP_MAX_SECTION_CHARS``: longest accepted section (default 100000).
- ``JOURNAL_MCP_REDACT_SECRETS``: ``0`` stores secrets as written (default: redact them).
- ``JOURNAL_MCP_LOG_LEVEL``: DEBUG, INFO (default), WARNING or ERROR.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from journal_mcp.core.errors import InvalidInputError

JOURNAL_DIR_NAME = ".private-journal"
DB_FILE_NAME = "journal.db"
# The header a client of the shared HTTP server names its project in (agent-pack writes it into .mcp.json).
PROJECT_HEADER = "x-private-journal-project"
APP_DIR_NAME = "journal-mcp"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
Runtime = Literal["auto", "onnx", "sentence-transformers"]
RUNTIMES: tuple[Runtime, ...] = ("auto", "onnx", "sentence-transformers")


class Settings(BaseModel):
    """Everything the journal needs to know about its environment."""

    model_config = ConfigDict(frozen=True)

    project_dir: Path
    project_journal_dir: Path
    user_journal_dir: Path
    # Where per-project journals live (one directory each), and the old in-repository journal to
    # import from once when the project's own journal does not exist yet (None: nothing to import).
    projects_root: Path | None = None
    legacy_project_journal_dir: Path | None = None
    model: str | None = None
    runtime: Runtime = "auto"
    query_prefix: str | None = None  # None: the model's own
    passage_prefix: str | None = None
    cache_dir: Path = Field(default_factory=lambda: default_cache_dir())
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
        root = projects_root(env, home)
        explicit_project = env.get("JOURNAL_MCP_PROJECT_JOURNAL")
        if explicit_project:
            project_journal, legacy = Path(explicit_project).expanduser(), None
        else:
            project_journal, legacy = default_project_journal(project_dir, home, root, user_dir)
        values: dict[str, object] = {
            "project_dir": project_dir,
            "project_journal_dir": project_journal,
            "user_journal_dir": user_dir,
            "projects_root": root,
            "legacy_project_journal_dir": legacy,
            "model": env.get("JOURNAL_MCP_MODEL") or None,
            "runtime": _choice(env, "JOURNAL_MCP_RUNTIME", RUNTIMES),
            "query_prefix": env.get("JOURNAL_MCP_QUERY_PREFIX"),
            "passage_prefix": env.get("JOURNAL_MCP_PASSAGE_PREFIX"),
            "cache_dir": default_cache_dir(env, home),
            "semantic": _flag(env, "JOURNAL_MCP_SEMANTIC", True),
            "max_section_chars": _int(env, "JOURNAL_MCP_MAX_SECTION_CHARS", 100_000),
            "redact_secrets": _flag(env, "JOURNAL_MCP_REDACT_SECRETS", True),
            "log_level": (env.get("JOURNAL_MCP_LOG_LEVEL") or "INFO").upper(),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)


def projects_root(env: Mapping[str, str], home: Path) -> Path:
    """``$XDG_DATA_HOME/journal-mcp/projects`` (a relative XDG_DATA_HOME is ignored, as the spec says)."""
    data = env.get("XDG_DATA_HOME") or ""
    base = Path(data) if data and Path(data).is_absolute() else home / ".local" / "share"
    return base / APP_DIR_NAME / "projects"


def project_key(project_dir: Path) -> str:
    """The name of a project's journal directory: readable name plus a hash of its real path."""
    real = os.path.realpath(project_dir)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", os.path.basename(real) or "root").strip("-.")[:40] or "project"
    return f"{name}-{hashlib.sha256(real.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}"


def default_project_journal(project_dir: Path, home: Path, root: Path, user_dir: Path) -> tuple[Path, Path | None]:
    """(the project journal's directory, the old in-repository journal to import from once or None)."""
    if is_not_a_project(project_dir, home):
        # Desktop clients start servers in `/` or $HOME: there is no project, so project notes
        # share the user journal instead of being listed twice.
        return user_dir, None
    return root / project_key(project_dir), Path(os.path.realpath(project_dir)) / JOURNAL_DIR_NAME


def default_cache_dir(env: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """JOURNAL_MCP_CACHE_DIR, else $XDG_CACHE_HOME/journal-mcp, else ~/.cache/journal-mcp."""
    env = os.environ if env is None else env
    explicit = env.get("JOURNAL_MCP_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path(env.get("HOME") or home or Path.home()) / ".cache"
    return base / "journal-mcp"


def _choice(env: Mapping[str, str], name: str, choices: tuple[Runtime, ...]) -> Runtime:
    value = (env.get(name) or choices[0]).strip().lower()
    for choice in choices:
        if value == choice:
            return choice
    raise InvalidInputError(f"{name}={env.get(name)!r} is not one of: {', '.join(choices)}.")


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
