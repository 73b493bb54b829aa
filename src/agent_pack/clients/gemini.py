"""Gemini CLI: `~/.gemini/settings.json` (user) or `.gemini/settings.json` (project), key `mcpServers`.

Documented at https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md:
stdio entries take `command`, `args`, `env`, `cwd`; streamable HTTP ones `httpUrl` and `headers`.
Gemini CLI cannot run a command for its headers, so an HTTP entry holds the token itself: only in
the user file (written 0600). It starts servers only in folders you trust.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from agent_pack.clients.base import Client, Registration, TokenSource, stdio_command
from agent_pack.clients.formats import JsonServers
from agent_pack.scope import Scope
from agent_pack.servers import PROJECT_HEADER, Server


class Gemini(Client):
    name = "gemini-cli"
    label = "Gemini CLI"
    docs = "https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md"
    fmt = JsonServers("mcpServers", comments=True)
    project_file = ".gemini/settings.json"

    def user_file(self, home: Path, env: Mapping[str, str]) -> Path:
        return home / ".gemini" / "settings.json"

    def stdio(self, server: Server, scope: Scope) -> Registration:
        command, args = stdio_command(server)
        return Registration({"command": command, "args": args, **({"env": server.env} if server.env else {})})

    def http(self, server: Server, scope: Scope, token: TokenSource) -> Registration:
        if scope.kind == "project":
            raise self.no_http(
                "Gemini CLI cannot fetch the token when it connects, so the entry would have to hold it, and a "
                "project's .gemini/settings.json gets committed",
                hint=f"agent-pack install --client {self.name} --user --http {server.url}",
            )
        # Gemini CLI expands $VARIABLES in settings; PWD is the directory it runs in, i.e. the project.
        headers = {"Authorization": token(), PROJECT_HEADER: "$PWD"}
        return Registration({"httpUrl": server.url, "headers": headers}, secret=True)


GEMINI = Gemini()
