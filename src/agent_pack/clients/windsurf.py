"""Windsurf: `~/.codeium/windsurf/mcp_config.json`, key `mcpServers` (one file for the user, no project file).

Documented at https://docs.windsurf.com/windsurf/cascade/mcp: stdio entries take `command`,
`args`, `env`; remote ones `serverUrl` and `headers`. Windsurf has no variable naming the open
project and cannot run a command for its headers, so an HTTP entry holds the token (the file is
written 0600) and its project notes go to the user journal (the step says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from agent_pack.clients.base import Client, Registration, TokenSource, stdio_command
from agent_pack.clients.formats import JsonServers
from agent_pack.scope import Scope
from agent_pack.servers import PROJECT_HEADER, Server


class Windsurf(Client):
    name = "windsurf"
    label = "Windsurf"
    docs = "https://docs.windsurf.com/windsurf/cascade/mcp"
    fmt = JsonServers("mcpServers")

    def user_file(self, home: Path, env: Mapping[str, str]) -> Path:
        return home / ".codeium" / "windsurf" / "mcp_config.json"

    def stdio(self, server: Server, scope: Scope) -> Registration:
        command, args = stdio_command(server)
        return Registration({"command": command, "args": args, **({"env": server.env} if server.env else {})})

    def http(self, server: Server, scope: Scope, token: TokenSource) -> Registration:
        # The header names the home directory, which the server reads as "no project": project notes go to the
        # user journal, never to wherever the server happened to start.
        headers = {"Authorization": token(), PROJECT_HEADER: str(scope.root)}
        return Registration(
            {"serverUrl": server.url, "headers": headers},
            note="Windsurf cannot say which project is open: its project notes go to your user journal "
            "(the stdio registration, without --http, keeps them per project)",
            secret=True,
        )


WINDSURF = Windsurf()
