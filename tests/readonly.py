"""Run a command with a directory mounted read-only (a private mount namespace: `unshare -rm`).

Tests run as root here, and root ignores file modes, so a read-only mount is the honest way to
make "the disk refuses writes" happen.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def can_mount_read_only() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount --bind / /mnt 2>/dev/null || mount --bind /tmp /tmp"], capture_output=True
    )
    return probe.returncode == 0


def with_read_only(directory: Path, *command: str) -> list[str]:
    """argv that runs `command` while `directory` is a read-only mount (only for that process tree)."""
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "-rm", "sh", "-c", script, str(directory), *command]
