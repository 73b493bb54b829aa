"""Claude Desktop: `claude_desktop_config.json`, key `mcpServers`; it starts local (stdio) servers only.

Documented at https://modelcontextprotocol.io/docs/develop/connect-local-servers: the file is in
~/Library/Application Support/Claude (macOS) or %APPDATA%\\Claude (Windows). There is no Linux
release; the community Linux builds read ~/.config/Claude. Remote servers are added in the app as
custom connectors, which Anthropic's cloud reaches, not this machine's loopback.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from agent_pack.clients.base import Client, Registration, TokenSource, config_home, stdio_command
from agent_pack.clients.formats import JsonServers
from agent_pack.scope import Scope
from agent_pack.servers import Server


class ClaudeDesktop(Client):
    name = "claude-desktop"
    label = "Claude Desktop"
    docs = "https://modelcontextprotocol.io/docs/develop/connect-local-servers"
    fmt = JsonServers("mcpServers")

    def user_file(self, home: Path, env: Mapping[str, str]) -> Path:
        return config_home(env, home) / "Claude" / "claude_desktop_config.json"

    def stdio(self, server: Server, scope: Scope) -> Registration:
        command, args = stdio_command(server)
        # Claude Desktop starts servers in `/`: no project, so project notes go to the user journal.
        return Registration(
            {"command": command, "args": args, **({"env": server.env} if server.env else {})},
            note="Claude Desktop has no project: project notes go to your user journal",
        )

    def http(self, server: Server, scope: Scope, token: TokenSource) -> Registration:
        raise self.no_http(
            "its config file starts local (stdio) servers only, and its remote connectors are reached from "
            "Anthropic's cloud, not from this machine",
            hint=f"agent-pack install --client {self.name} --user (without --http: same journals, its own process)",
        )


CLAUDE_DESKTOP = ClaudeDesktop()
