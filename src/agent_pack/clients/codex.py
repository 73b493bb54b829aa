"""OpenAI Codex CLI: `~/.codex/config.toml` (or `$CODEX_HOME`), or `.codex/config.toml` in a trusted project.

Documented at https://developers.openai.com/codex/mcp: one `[mcp_servers.NAME]` table per server;
stdio takes `command`, `args`, `env`; streamable HTTP takes `url`, literal `http_headers`,
`env_http_headers` (header -> variable name) and `http_headers_helper`, a command printing the
headers as JSON. A `headers` field is ignored. The helper means the token is never in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from agent_pack.clients.base import Client, Registration, TokenSource, stdio_command
from agent_pack.clients.formats import TomlServers
from agent_pack.scope import Scope
from agent_pack.servers import Server


class Codex(Client):
    name = "codex"
    label = "Codex CLI"
    docs = "https://developers.openai.com/codex/mcp"
    fmt = TomlServers("mcp_servers")
    project_file = ".codex/config.toml"

    def user_file(self, home: Path, env: Mapping[str, str]) -> Path:
        return Path(env.get("CODEX_HOME") or home / ".codex") / "config.toml"

    def stdio(self, server: Server, scope: Scope) -> Registration:
        command, args = stdio_command(server)
        entry: dict[str, object] = {"command": command, "args": args}
        if server.env:
            entry["env"] = dict(server.env)
        note = (
            "Codex reads a project's .codex/config.toml only once you trust the project"
            if scope.kind == "project"
            else ""
        )
        return Registration(entry, note=note)

    def http(self, server: Server, scope: Scope, token: TokenSource) -> Registration:
        # In a project the helper names it; for the user it names the directory Codex runs it in.
        project = scope.root if scope.kind == "project" else None
        return Registration({"url": server.url, "http_headers_helper": server.headers_helper(project)})


CODEX = Codex()
