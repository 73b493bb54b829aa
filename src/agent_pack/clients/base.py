"""What every client module describes: its config files, their format, and the entry for one server."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_pack.clients.formats import Entry, Format
from agent_pack.errors import ClientError
from agent_pack.scope import Scope
from agent_pack.servers import Server

# Gives a client's HTTP `Authorization` header value ("Bearer ..."), read from the journal server's token.
TokenSource = Callable[[], str]


@dataclass(frozen=True)
class Registration:
    """The entry to write for one server, and what the user should know about it."""

    entry: Entry
    note: str = ""
    secret: bool = False  # the entry holds the bearer token itself: the file is written 0600


def config_home(env: Mapping[str, str], home: Path) -> Path:
    """Where desktop apps keep their settings on this platform (Application Support, %APPDATA%, XDG)."""
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    if sys.platform == "win32":
        return Path(env.get("APPDATA") or home / "AppData" / "Roaming")
    return Path(env.get("XDG_CONFIG_HOME") or home / ".config")


class Client:
    """One MCP client. Subclasses set the class attributes and say how an entry looks."""

    name: str = ""
    label: str = ""
    docs: str = ""  # where the client documents the file and format
    fmt: Format
    project_file: str | None = None  # relative to the project; None: the client has only a user config

    def user_file(self, home: Path, env: Mapping[str, str]) -> Path | None:
        return None

    def config_path(self, scope: Scope, env: Mapping[str, str] | None = None) -> Path:
        if scope.kind == "project":
            if self.project_file is None:
                raise ClientError(
                    f"{self.label} has no per-project config; its servers are set for the user",
                    hint=f"agent-pack install --client {self.name} --user",
                )
            return scope.root / self.project_file
        found = self.user_file(scope.root, os.environ if env is None else env)
        if found is None:
            raise ClientError(
                f"{self.label} has no user config; its servers are set per project",
                hint=f"agent-pack install --client {self.name} --project DIR",
            )
        return found

    def stdio(self, server: Server, scope: Scope) -> Registration:
        raise NotImplementedError

    def http(self, server: Server, scope: Scope, token: TokenSource) -> Registration:
        raise NotImplementedError

    def registration(self, server: Server, scope: Scope, token: TokenSource) -> Registration:
        return self.http(server, scope, token) if server.http else self.stdio(server, scope)

    def add(self, doc: Any, name: str, registration: Registration) -> Any:
        """`doc` with the server's entry set; every other key and server kept."""
        return self.fmt.put(doc, name, registration.entry)

    def remove(self, doc: Any, name: str) -> Any:
        return self.fmt.drop(doc, name)

    def no_http(self, why: str, hint: str) -> ClientError:
        return ClientError(f"{self.label} cannot use the shared HTTP server here: {why}", hint=hint)


def stdio_command(server: Server) -> tuple[str, list[str]]:
    return str(server.command), list(server.args)
