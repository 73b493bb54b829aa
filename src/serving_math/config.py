"""Where user catalogue additions live: flag, then environment variable, then the platform default."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DIR = "SERVING_MATH_CONFIG_DIR"


def user_catalog_dir(flag: str | Path | None = None, env: dict[str, str] | None = None) -> Path:
    """The directory whose *.toml / *.json files add to (or override) the shipped catalogue.

    `--catalog-dir`, else $SERVING_MATH_CONFIG_DIR, else
    $XDG_CONFIG_HOME/journal-agent-pack/serving-math (XDG_CONFIG_HOME defaults to ~/.config).
    Nothing is created: a missing directory just means no additions.
    """
    environ = os.environ if env is None else env
    if flag:
        return Path(flag).expanduser()
    if environ.get(ENV_DIR):
        return Path(environ[ENV_DIR]).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".config")
    return Path(base).expanduser() / "journal-agent-pack" / "serving-math"
