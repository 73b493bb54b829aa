"""The vocabulary of a plan: one `Step` per file or registration, the `Plan` they make up, and the options."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from agent_pack.manifest import Manifest

Mode = Literal["install", "update", "uninstall"]
Action = Literal[
    "create",  # write a file that was not there
    "update",  # replace a file the pack owns and nobody edited
    "replace",  # --force: back up a foreign or edited file, then write ours
    "adopt",  # a file identical to ours was already there: record it as the pack's
    "source",  # the pack's own checkout: its agent files are the source, never recorded or removed
    "unchanged",
    "skip",  # refuse to touch a file that is not the pack's or that was edited (exit 1)
    "not-restored",  # update leaves out what the user deleted
    "remove",  # delete a file the pack owns
    "forget",  # drop a record whose file is already gone
    "register",
    "unregister",
    "manual",  # the command to run by hand (no `claude` CLI on PATH)
    "plugin",  # the journal-agent-pack plugin is enabled and provides this: nothing installed here
]

# Steps that leave the target as it is.
NO_CHANGE: frozenset[str] = frozenset({"unchanged", "skip", "not-restored", "source", "plugin"})


class Step(BaseModel):
    """One change (or refusal) on one file or registration."""

    action: Action
    path: str
    agent: str | None = None
    message: str
    refused: bool = False
    backup: bool = False
    command: list[str] | None = None
    abs_path: Path | None = Field(default=None, exclude=True)
    data: bytes | None = Field(default=None, exclude=True)
    delete: bool = Field(default=False, exclude=True)
    mode: int | None = Field(default=None, exclude=True)  # file mode for `data`; None keeps the file's own
    run: list[list[str]] = Field(default_factory=list, exclude=True)


class Plan(BaseModel):
    command: Mode
    scope: str
    root: str
    steps: list[Step] = Field(default_factory=list)
    manifest: Manifest = Field(exclude=True)
    original: Manifest = Field(exclude=True)
    new_dirs: list[Path] = Field(default_factory=list, exclude=True)

    @property
    def refused(self) -> bool:
        return any(step.refused for step in self.steps)

    @property
    def changes(self) -> bool:
        return any(s.action not in NO_CHANGE for s in self.steps)


@dataclass(frozen=True)
class Options:
    force: bool = False
    mcp: bool = True
    hooks: bool = True
    http_url: str | None = None
    claude_cli: str | None = None  # absolute path of `claude`, when found
    gitignore: bool = False  # add the machine-specific files to the project's .gitignore
    plugin: str | None = None  # where the journal-agent-pack plugin is enabled, when it is


def detect_claude() -> str | None:
    return shutil.which("claude")
