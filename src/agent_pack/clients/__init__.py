"""Every MCP client the pack can register its servers with, by name (`agent-pack install --client NAME`).

Each client lives in its own module: where its config file is, in which format, under which key,
and what an entry looks like. `planning` turns them into install/uninstall steps.
"""

from __future__ import annotations

from agent_pack.clients.base import Client
from agent_pack.clients.claude_desktop import CLAUDE_DESKTOP
from agent_pack.clients.codex import CODEX
from agent_pack.clients.cursor import CURSOR
from agent_pack.clients.gemini import GEMINI
from agent_pack.clients.vscode import VSCODE
from agent_pack.clients.windsurf import WINDSURF
from agent_pack.errors import ClientError

# `claude-code` is the default target of `agent-pack install` (agents, hooks and .mcp.json), not a module here.
CLAUDE_CODE = "claude-code"
CLIENTS: dict[str, Client] = {c.name: c for c in (CLAUDE_DESKTOP, CURSOR, VSCODE, WINDSURF, CODEX, GEMINI)}
NAMES: tuple[str, ...] = (CLAUDE_CODE, *CLIENTS)


def get(name: str) -> Client:
    try:
        return CLIENTS[name]
    except KeyError:
        raise ClientError(
            f"--client {name!r} is not a client the pack knows", hint=f"one of: {', '.join(NAMES)}"
        ) from None


__all__ = ["CLAUDE_CODE", "CLIENTS", "NAMES", "Client", "get"]
