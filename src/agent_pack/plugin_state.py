"""Whether the journal-agent-pack Claude Code plugin is enabled where the pack would install.

Claude Code records enabled plugins in `enabledPlugins` of its settings files (`"<plugin>@<marketplace>": true`):
the user's `~/.claude/settings.json`, and a project's `.claude/settings.json` and `.claude/settings.local.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

from agent_pack.scope import Scope

PLUGIN_NAME = "journal-agent-pack"


def _enabled_in(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    plugins = data.get("enabledPlugins") if isinstance(data, dict) else None
    if not isinstance(plugins, dict):
        return None
    return next((key for key, on in plugins.items() if key.startswith(f"{PLUGIN_NAME}@") and on is True), None)


def enabled_plugin(scope: Scope, home: Path | None = None) -> str | None:
    """`<plugin id> (enabled in <file>)` when the plugin is enabled for `scope`, else None.

    A user-scope plugin applies to every project; a project-scope one to its project only.
    """
    home = home if home is not None else Path.home()
    candidates = [home / ".claude" / "settings.json"]
    if scope.kind == "project":
        candidates += [scope.claude_dir / "settings.json", scope.claude_dir / "settings.local.json"]
    for path in candidates:
        plugin = _enabled_in(path)
        if plugin is not None:
            shown = f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)
            return f"{plugin}, enabled in {shown}"
    return None
