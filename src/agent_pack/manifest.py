"""The record of what the pack installed in a scope, with content hashes: how it knows which files it owns."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from agent_pack.errors import ManifestError
from agent_pack.fsio import atomic_write
from agent_pack.scope import Scope, ScopeKind

SCHEMA_VERSION = 1
SERVER_NAME = "private-journal"  # the registration kept in `mcp` (the manifest's first schema)


class FileRecord(BaseModel):
    """An agent file the pack wrote, and the hash of the bytes it wrote."""

    agent: str
    sha256: str


class McpRecord(BaseModel):
    """A server registration the pack made (`mcp`: private-journal; `mcp_servers`: the others)."""

    method: Literal["mcp-json", "claude-cli"]
    entry_sha256: str
    created_file: bool = False


class HooksRecord(BaseModel):
    """The journal hook groups the pack merged into a Claude Code settings file, by event, with their hashes."""

    path: str  # relative to the scope's root
    groups: dict[str, str] = Field(default_factory=dict)  # event -> sha256 of the group as written
    created_file: bool = False


class GitignoreRecord(BaseModel):
    """The lines `install --gitignore` added to the project's `.gitignore`."""

    lines: list[str] = Field(default_factory=list)
    created_file: bool = False


class ClientRecord(BaseModel):
    """A server the pack registered in another MCP client's config file (`install --client NAME`)."""

    client: str
    server: str
    path: str  # the client's config file, absolute
    entry_sha256: str
    created_file: bool = False


class Manifest(BaseModel):
    schema_version: int = SCHEMA_VERSION
    pack_version: str
    scope: ScopeKind
    files: dict[str, FileRecord] = Field(default_factory=dict)
    mcp: McpRecord | None = None
    mcp_servers: dict[str, McpRecord] = Field(default_factory=dict)  # by server name, beside private-journal
    hooks: HooksRecord | None = None
    gitignore: GitignoreRecord | None = None
    created_dirs: list[str] = Field(default_factory=list)
    clients: dict[str, ClientRecord] = Field(default_factory=dict)  # other clients' registrations: "CLIENT:SERVER"

    def is_empty(self) -> bool:
        return (
            not self.files
            and not self.registrations()
            and self.hooks is None
            and self.gitignore is None
            and not self.clients
        )

    def registrations(self) -> dict[str, McpRecord]:
        """Every server registration the pack made, by server name (private-journal first)."""
        found = {SERVER_NAME: self.mcp} if self.mcp is not None else {}
        return {**found, **self.mcp_servers}

    def record(self, name: str) -> McpRecord | None:
        return self.mcp if name == SERVER_NAME else self.mcp_servers.get(name)

    def set_record(self, name: str, record: McpRecord | None) -> None:
        if name == SERVER_NAME:
            self.mcp = record
        elif record is None:
            self.mcp_servers.pop(name, None)
        else:
            self.mcp_servers[name] = record


def load(scope: Scope, pack_version: str) -> Manifest:
    """The scope's manifest, or an empty one when the pack never installed there."""
    path = scope.manifest_path
    if not path.exists():
        return Manifest(pack_version=pack_version, scope=scope.kind)
    hint = f"move {path} aside to start over (the pack then treats its old files as not its own)"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path} cannot be read: {exc}", hint=hint) from exc
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(f"{path} is not an agent-pack manifest: {exc.errors()[0]['msg']}", hint=hint) from exc
    if manifest.schema_version > SCHEMA_VERSION:
        raise ManifestError(
            f"{path} was written by a newer agent-pack (schema {manifest.schema_version})",
            hint="upgrade journal-agent-pack",
        )
    return manifest


def save(scope: Scope, manifest: Manifest) -> None:
    text = json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    atomic_write(scope.manifest_path, text.encode("utf-8"))
