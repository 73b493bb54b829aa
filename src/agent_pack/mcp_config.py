"""The `private-journal` server entry: in a project's `.mcp.json`, or via `claude mcp add(-json) --scope user`."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from agent_pack.errors import AgentPackError, McpConfigError

SERVER_NAME = "private-journal"
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


def find_journal_mcp() -> Path:
    """The absolute path of the `journal-mcp` installed beside this package, so it works from any directory."""
    beside = Path(sys.executable).parent / "journal-mcp"
    if beside.is_file():
        return beside.absolute()
    found = shutil.which("journal-mcp")
    if found:
        return Path(found).absolute()
    raise AgentPackError(
        "cannot find the journal-mcp command to register",
        hint="install journal-agent-pack in this environment, or pass --no-mcp to install only the agents",
    )


def load(path: Path) -> dict[str, Any] | None:
    """A `.mcp.json` as a dict; None when the file does not exist. Malformed files raise McpConfigError."""
    if not path.exists():
        return None
    hint = f"fix {path} by hand (nothing was changed), or rerun with --no-mcp"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise McpConfigError(f"{path} is not UTF-8 text", hint=hint) from exc
    except json.JSONDecodeError as exc:
        raise McpConfigError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", hint=hint
        ) from exc
    if not isinstance(data, dict):
        raise McpConfigError(f"{path} must hold a JSON object, not {type(data).__name__}", hint=hint)
    servers = data.get("mcpServers", {})
    if not isinstance(servers, dict):
        raise McpConfigError(f'{path}: "mcpServers" must be a JSON object', hint=hint)
    return data


def current_entry(config: dict[str, Any] | None) -> Entry | None:
    if config is None:
        return None
    entry = config.get("mcpServers", {}).get(SERVER_NAME)
    return entry if isinstance(entry, dict) else None


def with_entry(config: dict[str, Any] | None, entry: Entry) -> dict[str, Any]:
    """A copy of `config` with our entry set; every other key and server is kept as it was."""
    result = copy.deepcopy(config) if config is not None else {}
    servers = result.setdefault("mcpServers", {})
    servers[SERVER_NAME] = entry
    return result


def without_entry(config: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(config)
    result.get("mcpServers", {}).pop(SERVER_NAME, None)
    return result


def dump(config: dict[str, Any]) -> bytes:
    return (json.dumps(config, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def user_entry(home: Path) -> Entry | None:
    """The user-scope `private-journal` entry Claude Code keeps in ~/.claude.json, if any (read only)."""
    path = home / ".claude.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    entry = servers.get(SERVER_NAME) if isinstance(servers, dict) else None
    return entry if isinstance(entry, dict) else None


def claude_add_argv(entry: Entry) -> list[str]:
    """The `claude mcp add --scope user` command line that registers `entry`."""
    if entry["type"] == "stdio":
        return ["claude", "mcp", "add", "--scope", "user", SERVER_NAME, "--", entry["command"], *entry["args"]]
    return ["claude", "mcp", "add-json", "--scope", "user", SERVER_NAME, json.dumps(entry)]


def claude_remove_argv() -> list[str]:
    return ["claude", "mcp", "remove", "--scope", "user", SERVER_NAME]
