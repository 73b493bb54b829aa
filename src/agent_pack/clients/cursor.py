"""Cursor: `.cursor/mcp.json` (project) or `~/.cursor/mcp.json` (user), key `mcpServers`.

Documented at https://cursor.com/docs/context/mcp: stdio entries take `command`, `args`, `env`;
remote ones `url` and `headers`; values may use `${workspaceFolder}`, which names the open
project, so both scopes route project notes to it. Cursor cannot run a command for its headers,
so an HTTP entry carries the token itself: only in the user file (written 0600), never a project's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from agent_pack.clients.base import Client, Registration, TokenSource, stdio_command
from agent_pack.clients.formats import JsonServers
from agent_pack.scope import Scope
from agent_pack.servers import PROJECT_HEADER, Server

WORKSPACE = "${workspaceFolder}"
# journal-mcp takes the project from CLAUDE_PROJECT_DIR (or its working directory).
PROJECT_ENV = "CLAUDE_PROJECT_DIR"


class Cursor(Client):
    name = "cursor"
    label = "Cursor"
    docs = "https://cursor.com/docs/context/mcp"
    fmt = JsonServers("mcpServers")
    project_file = ".cursor/mcp.json"

    def user_file(self, home: Path, env: Mapping[str, str]) -> Path:
        return home / ".cursor" / "mcp.json"

    def stdio(self, server: Server, scope: Scope) -> Registration:
        command, args = stdio_command(server)
        return Registration({"command": command, "args": args, "env": {**server.env, PROJECT_ENV: WORKSPACE}})

    def http(self, server: Server, scope: Scope, token: TokenSource) -> Registration:
        if scope.kind == "project":
            raise self.no_http(
                "Cursor cannot fetch the token when it connects, so the entry would have to hold it, and a "
                "project's .cursor/mcp.json gets committed",
                hint=f"agent-pack install --client {self.name} --user --http {server.url} "
                "(~/.cursor/mcp.json, private to you; project notes still go to each open project)",
            )
        headers = {"Authorization": token(), PROJECT_HEADER: WORKSPACE}
        return Registration({"url": server.url, "headers": headers}, secret=True)


CURSOR = Cursor()
