"""Where the pack installs: a project (`DIR/.claude/agents`, `DIR/.mcp.json`) or the user (`~/.claude/agents`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agent_pack.errors import TargetError

ScopeKind = Literal["project", "user"]
MANIFEST_NAME = "agent-pack.json"


@dataclass(frozen=True)
class Scope:
    """An install target. Every path the pack records is relative to `root`."""

    kind: ScopeKind
    root: Path

    @property
    def claude_dir(self) -> Path:
        return self.root / ".claude"

    @property
    def agents_dir(self) -> Path:
        return self.claude_dir / "agents"

    @property
    def skills_dir(self) -> Path:
        return self.claude_dir / "skills"

    @property
    def manifest_path(self) -> Path:
        return self.claude_dir / MANIFEST_NAME

    @property
    def mcp_json(self) -> Path:
        """The project's shared MCP config (project scope only)."""
        return self.root / ".mcp.json"

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def display(self, path: Path) -> str:
        """A path as a user should see it: `~/...` for the user scope, relative to the project otherwise."""
        rel = self.rel(path)
        return f"~/{rel}" if self.kind == "user" else rel

    def check_writable(self) -> None:
        """Raise TargetError unless the pack could create its files here."""
        probe = self.root
        for candidate in (self.agents_dir, self.claude_dir, self.root):
            if candidate.exists():
                probe = candidate
                break
        if not probe.is_dir():
            raise TargetError(f"{probe} is not a directory")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise TargetError(
                f"cannot write to {probe}",
                hint="choose a directory you own with --project DIR, or fix its permissions",
            )


def project_scope(directory: Path) -> Scope:
    directory = directory.expanduser()
    if not directory.exists():
        raise TargetError(
            f"project directory {directory} does not exist", hint="create it first, or pass --project DIR"
        )
    if not directory.is_dir():
        raise TargetError(f"{directory} is not a directory", hint="pass the project's directory with --project DIR")
    return Scope("project", directory.resolve())


def user_scope(home: Path | None = None) -> Scope:
    home = home if home is not None else Path.home()
    if not home.is_dir():
        raise TargetError(
            f"home directory {home} does not exist", hint="set HOME, or install into a project with --project"
        )
    return Scope("user", home.resolve())


def other_scope(scope: Scope, cwd: Path | None = None) -> Scope | None:
    """The scope whose agents can share names with `scope`'s: the user's for a project, the cwd's project for the user."""
    if scope.kind == "project":
        home = Path.home()
        return Scope("user", home.resolve()) if home.is_dir() else None
    cwd = (cwd or Path.cwd()).resolve()
    return None if cwd == scope.root else Scope("project", cwd)


def is_pack_source(root: Path) -> bool:
    """True for a checkout of journal-agent-pack itself, whose `.claude/agents` is the pack's source."""
    manifest = root / ".claude-plugin" / "plugin.json"
    if not (root / "src" / "agent_pack").is_dir() or not manifest.is_file():
        return False
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("name") == "journal-agent-pack"
    except (OSError, ValueError, AttributeError):
        return False
