"""One change (or refusal) the pack plans on one file, registration or settings entry."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

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
    run: list[list[str]] = Field(default_factory=list, exclude=True)
