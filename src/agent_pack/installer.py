"""Carry out a plan: back up, write atomically, delete, run `claude mcp`, then save the manifest."""

from __future__ import annotations

import contextlib
import logging
import subprocess
from pathlib import Path

from agent_pack import manifest as manifest_io
from agent_pack.errors import AgentPackError
from agent_pack.fsio import atomic_write, backup
from agent_pack.plan import Plan
from agent_pack.scope import Scope

log = logging.getLogger(__name__)


def apply(plan: Plan, scope: Scope) -> None:
    """Make the planned changes. Refused steps change nothing."""
    for directory in plan.new_dirs:
        directory.mkdir(parents=True, exist_ok=True)
    for step in plan.steps:
        if step.refused:
            continue
        if step.backup and step.abs_path is not None and step.abs_path.exists():
            saved = backup(step.abs_path)
            step.message += f" [backup: {scope.display(saved)}]"
        if step.data is not None and step.abs_path is not None:
            atomic_write(step.abs_path, step.data, _mode(step.abs_path, step.mode))
        elif step.delete and step.abs_path is not None:
            step.abs_path.unlink(missing_ok=True)
        for argv in step.run:
            log.info("running %s", " ".join(argv))
            result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
            if result.returncode != 0:
                raise AgentPackError(
                    f"`{' '.join(argv)}` failed (exit {result.returncode}): {(result.stderr or result.stdout).strip()}",
                    hint="fix the problem it reports, or rerun with --no-mcp and register the server by hand",
                )
    if plan.command == "uninstall":
        _finish_uninstall(plan, scope)
    elif plan.manifest != plan.original and not plan.manifest.is_empty():
        manifest_io.save(scope, plan.manifest)


def _mode(path: Path, wanted: int | None) -> int:
    """The mode to write `path` with: the one asked for, else the file's own (never widened), else 0644."""
    if wanted is not None:
        return wanted
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o644


def _finish_uninstall(plan: Plan, scope: Scope) -> None:
    """Remove the empty directories the pack created (deepest first), then the manifest or its new version."""
    kept = plan.manifest
    if kept.is_empty():
        scope.manifest_path.unlink(missing_ok=True)
    for rel in sorted(kept.created_dirs, key=lambda r: r.count("/"), reverse=True):
        _remove_if_empty(scope.root / rel)
    if not kept.is_empty():
        kept.created_dirs = [rel for rel in kept.created_dirs if (scope.root / rel).is_dir()]
        manifest_io.save(scope, kept)


def _remove_if_empty(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not empty (it holds something not the pack's), or already gone
        directory.rmdir()
