"""VS Code: `.vscode/mcp.json` (workspace) or `mcp.json` in the user profile, key `servers`, JSON with comments.

Documented at https://code.visualstudio.com/docs/copilot/customization/mcp-servers: every entry
has a `type` (`stdio`: `command`, `args`, `env`; `http`: `url`, `headers`); `${workspaceFolder}`
names the open workspace; `${input:ID}` asks the user once for a value declared in `inputs` and
keeps it in VS Code's secret storage, so the bearer token is never written to the file.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agent_pack.clients.base import Client, Registration, TokenSource, config_home, stdio_command
from agent_pack.clients.formats import JsonServers
from agent_pack.scope import Scope
from agent_pack.servers import PROJECT_HEADER, Server

WORKSPACE = "${workspaceFolder}"
PROJECT_ENV = "CLAUDE_PROJECT_DIR"  # journal-mcp takes the project from it


def token_input(name: str) -> dict[str, Any]:
    """The `inputs` item VS Code prompts with (password: masked, kept in its secret storage)."""
    return {
        "type": "promptString",
        "id": f"{name}-token",
        "description": f"Bearer token of the {name} server (print it with: journal-mcp http-headers --token)",
        "password": True,
    }


class VSCode(Client):
    name = "vscode"
    label = "VS Code"
    docs = "https://code.visualstudio.com/docs/copilot/customization/mcp-servers"
    fmt = JsonServers("servers", comments=True)
    project_file = ".vscode/mcp.json"

    def user_file(self, home: Path, env: Mapping[str, str]) -> Path:
        return config_home(env, home) / "Code" / "User" / "mcp.json"

    def stdio(self, server: Server, scope: Scope) -> Registration:
        command, args = stdio_command(server)
        return Registration(
            {"type": "stdio", "command": command, "args": args, "env": {**server.env, PROJECT_ENV: WORKSPACE}}
        )

    def http(self, server: Server, scope: Scope, token: TokenSource) -> Registration:
        headers = {"Authorization": f"Bearer ${{input:{server.name}-token}}", PROJECT_HEADER: WORKSPACE}
        return Registration(
            {"type": "http", "url": server.url, "headers": headers},
            note="VS Code asks for the token when it first starts the server (journal-mcp http-headers --token prints it)",
        )

    def add(self, doc: Any, name: str, registration: Registration) -> Any:
        result = self.fmt.put(doc, name, registration.entry)
        wanted = f"{name}-token"
        inputs = [i for i in result.get("inputs", []) if not (isinstance(i, dict) and i.get("id") == wanted)]
        if f"${{input:{wanted}}}" in str(registration.entry):
            inputs.append(token_input(name))
        if inputs:
            result["inputs"] = inputs
        else:
            result.pop("inputs", None)
        return result

    def remove(self, doc: Any, name: str) -> Any:
        result = copy.deepcopy(self.fmt.drop(doc, name))
        if "inputs" in result:
            result["inputs"] = [
                i for i in result["inputs"] if not (isinstance(i, dict) and i.get("id") == f"{name}-token")
            ]
            if not result["inputs"]:
                del result["inputs"]
        return result


VSCODE = VSCode()
