"""The MCP servers the pack registers with each client: a list, so a second server is one more entry."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from agent_pack import mcp_config

# Tells a shared journal server which project's journal a client's project notes belong to.
PROJECT_HEADER = mcp_config.PROJECT_HEADER


@dataclass(frozen=True)
class Server:
    """One server to register: the local command (stdio), or a shared server's URL (HTTP)."""

    name: str
    command: Path
    args: tuple[str, ...] = ()
    url: str | None = None  # set by --http: register the shared server at this URL instead of the command
    env: dict[str, str] = field(default_factory=dict)

    @property
    def http(self) -> bool:
        return self.url is not None

    def headers_helper(self, project: Path | None) -> str:
        """The command line a client runs to get this server's HTTP headers (the token never sits in a file)."""
        argv = [str(self.command), "http-headers"]
        if project is not None:
            argv += ["--project", str(project)]
        return shlex.join(argv)


def journal_server(http_url: str | None = None) -> Server:
    """`private-journal`: the `journal-mcp` beside this package, or the shared server at `http_url`."""
    if http_url is not None:
        mcp_config.check_url(http_url)
    return Server(name=mcp_config.SERVER_NAME, command=mcp_config.find_journal_mcp(), url=http_url)


def math_server() -> Server:
    """`serving-math`: the stateless serving-arithmetic server, always local (stdio)."""
    return Server(name=mcp_config.MATH_SERVER_NAME, command=mcp_config.find_command(mcp_config.MATH_COMMAND))


def servers_to_register(http_url: str | None = None) -> list[Server]:
    """Every server `agent-pack install --client NAME` registers, in order."""
    return [journal_server(http_url), math_server()]
