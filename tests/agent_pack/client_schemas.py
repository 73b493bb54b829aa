"""The documented shape of each client's MCP config, as strict pydantic models (unknown fields are errors).

Written from each client's documentation (the URL in its agent_pack.clients module); used where
the client's own CLI cannot be had offline (Claude Desktop, Cursor, VS Code, Windsurf), and as a
second check for Codex and Gemini CLI.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DesktopServer(Strict):  # claude_desktop_config.json
    command: str
    args: list[str] = []
    env: dict[str, str] = {}


class Desktop(BaseModel):
    mcpServers: dict[str, DesktopServer]


class CursorServer(Strict):  # .cursor/mcp.json
    type: Literal["stdio", "http", "sse"] | None = None
    command: str | None = None
    args: list[str] = []
    env: dict[str, str] = {}
    envFile: str | None = None
    url: str | None = None
    headers: dict[str, str] = {}

    @model_validator(mode="after")
    def one_transport(self) -> CursorServer:
        assert (self.command is None) != (self.url is None), "either command or url"
        return self


class Cursor(BaseModel):
    mcpServers: dict[str, CursorServer]


class VSCodeServer(Strict):  # .vscode/mcp.json
    type: Literal["stdio", "http", "sse"]
    command: str | None = None
    args: list[str] = []
    env: dict[str, str] = {}
    envFile: str | None = None
    url: str | None = None
    headers: dict[str, str] = {}

    @model_validator(mode="after")
    def fields_match_type(self) -> VSCodeServer:
        assert (self.type == "stdio") == (self.command is not None) and (self.type != "stdio") == (self.url is not None)
        return self


class VSCodeInput(Strict):
    type: Literal["promptString", "pickString", "command"]
    id: str
    description: str
    password: bool = False


class VSCode(BaseModel):
    servers: dict[str, VSCodeServer]
    inputs: list[VSCodeInput] = []

    @model_validator(mode="after")
    def inputs_declared(self) -> VSCode:
        declared = {i.id for i in self.inputs}
        for server in self.servers.values():
            for value in server.headers.values():
                if "${input:" in value:
                    assert value.split("${input:")[1].split("}")[0] in declared, "undeclared ${input:...}"
        return self


class WindsurfServer(Strict):  # ~/.codeium/windsurf/mcp_config.json
    command: str | None = None
    args: list[str] = []
    env: dict[str, str] = {}
    serverUrl: str | None = None
    headers: dict[str, str] = {}


class Windsurf(BaseModel):
    mcpServers: dict[str, WindsurfServer]


class GeminiServer(Strict):  # .gemini/settings.json
    command: str | None = None
    args: list[str] = []
    env: dict[str, str] = {}
    cwd: str | None = None
    url: str | None = None
    httpUrl: str | None = None
    headers: dict[str, str] = {}
    timeout: int | None = None
    trust: bool | None = None


class Gemini(BaseModel):
    mcpServers: dict[str, GeminiServer]


class CodexServer(Strict):  # [mcp_servers.NAME] in config.toml
    command: str | None = None
    args: list[str] = []
    env: dict[str, str] = {}
    cwd: str | None = None
    url: str | None = None
    bearer_token_env_var: str | None = None
    http_headers: dict[str, str] = {}
    env_http_headers: dict[str, str] = {}
    http_headers_helper: str | None = None


class Codex(BaseModel):
    mcp_servers: dict[str, CodexServer]


SCHEMAS: dict[str, type[BaseModel]] = {
    "claude-desktop": Desktop,
    "cursor": Cursor,
    "vscode": VSCode,
    "windsurf": Windsurf,
    "gemini-cli": Gemini,
    "codex": Codex,
}


def check(client: str, path: Path) -> BaseModel:
    """Parse `path` as the client does and validate it against the documented shape."""
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text) if client == "codex" else json.loads(text)
    return SCHEMAS[client].model_validate(data)
