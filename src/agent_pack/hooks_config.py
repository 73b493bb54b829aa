"""The journal hooks in Claude Code's settings: the project's `.claude/settings.local.json` or `~/.claude/settings.json`.

Three hook groups, all running `journal-mcp hook ...`: at SessionStart a short briefing from the journal,
at Stop one reminder to record what was learned, and at SubagentStop (the pack's four agents only) the
same reminder to the agent before it hands back its answer. The pack recognises its groups by their command
(`<journal-mcp> hook session-start|stop|subagent-stop`) and owns them by hash, as it owns agent files: it merges them
into the settings, keeps every other key and hook, and removes only its own unedited groups.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shlex
from pathlib import Path
from typing import Any

from agent_pack.errors import McpConfigError
from agent_pack.fsio import load_json_object

Group = dict[str, Any]
Settings = dict[str, Any]

# The pack's agents as Claude Code names them: `<name>` installed per project or user, `<plugin>:<name>` from
# the plugin (tests check this against the bundled agents and the plugin's hooks.json).
PACK_AGENTS = (
    "^(journal-agent-pack:)?(ai-model-inference-serving-architect|ai-platform-architect"
    "|atlas-model-serving-engineer|ml-deployment-engineer)$"
)
# event -> (matcher, `journal-mcp hook` argument)
HOOKS: dict[str, tuple[str | None, str]] = {
    "SessionStart": ("startup|resume|clear|compact", "session-start"),
    "Stop": (None, "stop"),
    "SubagentStop": (PACK_AGENTS, "subagent-stop"),
}
TIMEOUT_SECONDS = 10
OURS = re.compile(r"journal-mcp['\"]? hook (session-start|stop|subagent-stop)\s*$")


def group(journal_mcp: Path, event: str) -> Group:
    matcher, argument = HOOKS[event]
    entry: Group = {"type": "command", "command": f"{shlex.quote(str(journal_mcp))} hook {argument}"}
    entry["timeout"] = TIMEOUT_SECONDS
    result: Group = {"hooks": [entry]}
    if matcher is not None:
        result = {"matcher": matcher, **result}
    return result


def groups(journal_mcp: Path) -> dict[str, Group]:
    return {event: group(journal_mcp, event) for event in HOOKS}


def group_hash(value: Group) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def our_argument(value: object) -> str | None:
    """`session-start`, `stop` or `subagent-stop` for a hook group whose only hook runs `journal-mcp hook ...`, else None."""
    if not isinstance(value, dict):
        return None
    hooks = value.get("hooks")
    if not (isinstance(hooks, list) and len(hooks) == 1 and isinstance(hooks[0], dict)):
        return None
    found = OURS.search(str(hooks[0].get("command", "")))
    return found.group(1) if found else None


def settings_path(root: Path, kind: str) -> Path:
    """Where the hooks go: machine-specific paths belong in a project's local (uncommitted) settings."""
    return root / ".claude" / ("settings.json" if kind == "user" else "settings.local.json")


def load(path: Path) -> Settings | None:
    """A settings file as a dict; None when it does not exist. Malformed files raise McpConfigError."""
    hint = f"fix {path} by hand (nothing was changed), or rerun with --no-hooks"
    data = load_json_object(path, hint=hint)
    if data is None:
        return None
    hooks = data.get("hooks", {})
    if not isinstance(hooks, dict) or not all(isinstance(v, list) for v in hooks.values()):
        raise McpConfigError(f'{path}: "hooks" must map event names to lists of hook groups', hint=hint)
    return data


def current(config: Settings | None, event: str) -> Group | None:
    """The pack's group for `event` in `config`, if there is one."""
    for value in (config or {}).get("hooks", {}).get(event, []):
        if our_argument(value) == HOOKS[event][1]:
            return dict(value)
    return None


def with_group(config: Settings | None, event: str, value: Group) -> Settings:
    """A copy of `config` with the pack's group for `event` set (in place of the old one); the rest kept."""
    result = copy.deepcopy(config) if config is not None else {}
    listed = result.setdefault("hooks", {}).setdefault(event, [])
    old = current(result, event)
    if old is None:
        listed.append(value)
    else:
        listed[listed.index(old)] = value
    return result


def without_group(config: Settings, event: str) -> Settings:
    result = copy.deepcopy(config)
    old = current(result, event)
    if old is not None:
        listed = result["hooks"][event]
        listed.remove(old)
        if not listed:
            del result["hooks"][event]
        if not result["hooks"]:
            del result["hooks"]
    return result


def dump(config: Settings) -> bytes:
    return (json.dumps(config, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
