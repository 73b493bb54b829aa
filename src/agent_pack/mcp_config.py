"""The pack's MCP server entries (`private-journal`, `serving-math`): in a project's `.mcp.json`, or via
`claude mcp add --scope user`."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from agent_pack.errors import AgentPackError, McpConfigError
from agent_pack.fsio import load_json_object

SERVER_NAME = "private-journal"
# The stateless serving-arithmetic server registered beside the journal (always stdio).
MATH_SERVER_NAME = "serving-math"
MATH_COMMAND = "serving-math"
# Tells a shared journal server which project's journal a client's project notes belong to.
PROJECT_HEADER = "X-Private-Journal-Project"

Entry = dict[str, Any]


def stdio_entry(command: Path) -> Entry:
    return {"type": "stdio", "command": str(command), "args": []}


def http_entry(url: str, headers_helper: str) -> Entry:
    """A shared `journal-mcp serve --http` server. Claude Code runs `headers_helper` when it connects
    (it prints the bearer token and the project as JSON), so the file never holds the token."""
    check_url(url)
    return {"type": "http", "url": url, "headersHelper": headers_helper}


def check_url(url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise AgentPackError(f"--http {url!r} is not an http(s) URL", hint="e.g. --http http://127.0.0.1:8765/mcp")


def normalise(entry: Entry) -> Entry:
    """The parts of an entry that decide what runs, so an entry Claude Code re-saved compares equal."""
    kind = entry.get("type", "stdio")
    if kind == "stdio":
        return {"type": "stdio", "command": entry.get("command"), "args": list(entry.get("args") or [])}
    return {
        "type": kind,
        "url": entry.get("url"),
        "headers": dict(entry.get("headers") or {}),
        "headersHelper": entry.get("headersHelper"),
    }


def entry_hash(entry: Entry) -> str:
    data = json.dumps(normalise(entry), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def find_command(name: str) -> Path:
    """The absolute path of a console script installed beside this package, so it works from any directory."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return beside.absolute()
    found = shutil.which(name)
    if found:
        return Path(found).absolute()
    raise AgentPackError(
        f"cannot find the {name} command to register",
        hint="install journal-agent-pack in this environment, or pass --no-mcp to install only the agents",
    )


def find_journal_mcp() -> Path:
    return find_command("journal-mcp")


def load(path: Path) -> dict[str, Any] | None:
    """A `.mcp.json` as a dict; None when the file does not exist. Malformed files raise McpConfigError."""
    hint = f"fix {path} by hand (nothing was changed), or rerun with --no-mcp"
    data = load_json_object(path, hint=hint)
    if data is None:
        return None
    servers = data.get("mcpServers", {})
    if not isinstance(servers, dict):
        raise McpConfigError(f'{path}: "mcpServers" must be a JSON object', hint=hint)
    return data


def current_entry(config: dict[str, Any] | None, name: str = SERVER_NAME) -> Entry | None:
    if config is None:
        return None
    entry = config.get("mcpServers", {}).get(name)
    return entry if isinstance(entry, dict) else None


def with_entry(config: dict[str, Any] | None, entry: Entry, name: str = SERVER_NAME) -> dict[str, Any]:
    """A copy of `config` with our entry set; every other key and server is kept as it was."""
    result = copy.deepcopy(config) if config is not None else {}
    servers = result.setdefault("mcpServers", {})
    servers[name] = entry
    return result


def without_entry(config: dict[str, Any], name: str = SERVER_NAME) -> dict[str, Any]:
    result = copy.deepcopy(config)
    result.get("mcpServers", {}).pop(name, None)
    return result


def dump(config: dict[str, Any]) -> bytes:
    return (json.dumps(config, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def user_entry(home: Path, name: str = SERVER_NAME) -> Entry | None:
    """A user-scope server entry Claude Code keeps in ~/.claude.json, if any (read only)."""
    path = home / ".claude.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    entry = servers.get(name) if isinstance(servers, dict) else None
    return entry if isinstance(entry, dict) else None


def claude_add_argv(entry: Entry, name: str = SERVER_NAME) -> list[str]:
    """The `claude mcp add(-json) --scope user` command line that registers `entry`."""
    if entry["type"] == "stdio":
        return ["claude", "mcp", "add", "--scope", "user", name, "--", entry["command"], *entry["args"]]
    return ["claude", "mcp", "add-json", "--scope", "user", name, json.dumps(entry)]


def claude_remove_argv(name: str = SERVER_NAME) -> list[str]:
    return ["claude", "mcp", "remove", "--scope", "user", name]
