"""The project files an install writes that only fit this machine, and the opt-in `.gitignore` entry for them.

`.mcp.json` starts the server by an absolute path (usually into `$HOME`) and `.claude/agent-pack.json`
records that entry's hash, so neither belongs in a shared repository. The agents themselves do.
`install --gitignore` appends the missing lines to the project's `.gitignore`; uninstall removes
exactly the lines the pack added (and the file, if the pack created it and nothing else is left).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from agent_pack.manifest import GitignoreRecord, Manifest
from agent_pack.scope import MANIFEST_NAME, Scope

MACHINE_FILES: tuple[str, ...] = (".mcp.json", f".claude/{MANIFEST_NAME}")
COMMENT = "# journal-agent-pack: machine-specific (absolute paths); see `agent-pack install --help`"


def _path(scope: Scope) -> Path:
    return scope.root / ".gitignore"


def _lines(path: Path) -> list[str] | None:
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else None


def with_entries(scope: Scope, manifest: Manifest) -> tuple[bytes | None, str]:
    """The new `.gitignore` bytes (None when nothing is missing) and a message; records what it adds."""
    path = _path(scope)
    lines = _lines(path)
    present = {line.strip() for line in lines or []}
    missing = [f"/{rel}" for rel in MACHINE_FILES if f"/{rel}" not in present and rel not in present]
    if not missing:
        return None, "already ignores " + ", ".join(MACHINE_FILES)
    added = ([COMMENT] if COMMENT not in present else []) + missing
    old = lines or []
    text = "\n".join([*old, *added]) + "\n"
    record = manifest.gitignore or GitignoreRecord(created_file=lines is None)
    record.lines = list(dict.fromkeys([*record.lines, *added]))
    manifest.gitignore = record
    return text.encode("utf-8"), "ignore " + ", ".join(m.lstrip("/") for m in missing) + " (machine-specific)"


def without_entries(scope: Scope, record: GitignoreRecord) -> tuple[bytes | None, bool, str]:
    """`.gitignore` without the pack's lines: (new bytes or None, delete the file?, message)."""
    lines = _lines(_path(scope))
    if lines is None:
        return None, False, "already gone"
    kept = [line for line in lines if line not in record.lines]
    if kept == lines:
        return None, False, "the pack's lines are already gone"
    if record.created_file and not any(line.strip() for line in kept):
        return None, True, "remove the pack's lines, and the file the pack created"
    return ("\n".join(kept) + "\n").encode("utf-8"), False, "remove the pack's lines, keeping the others"


def unignored_machine_files(scope: Scope) -> list[str] | None:
    """The machine-specific files present in the project that its git repository does not ignore.

    None when the project is not in a git work tree (or git is missing): then nothing can be committed.
    """
    git = shutil.which("git")
    if git is None:
        return None
    inside = subprocess.run(
        [git, "-C", str(scope.root), "rev-parse", "--is-inside-work-tree"], capture_output=True, text=True, check=False
    )
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return None
    present = [rel for rel in MACHINE_FILES if (scope.root / rel).exists()]
    if not present:
        return []
    checked = subprocess.run(
        [git, "-C", str(scope.root), "check-ignore", "--", *present], capture_output=True, text=True, check=False
    )
    ignored = {line.strip() for line in checked.stdout.splitlines()}
    return [rel for rel in present if rel not in ignored]
