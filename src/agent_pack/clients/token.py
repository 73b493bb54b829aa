"""The shared server's bearer token, for the clients whose entry has to hold it (they cannot run a helper)."""

from __future__ import annotations

import json
import os
import subprocess

from agent_pack.errors import ClientError
from agent_pack.servers import Server


def token_source(server: Server) -> TokenReader:
    return TokenReader(server)


class TokenReader:
    """Runs `journal-mcp http-headers` once (the same command Claude Code and Codex run) and keeps its answer."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def __call__(self) -> str:
        # Once per command run; keyed by what decides the answer, so a changed environment asks again.
        key = (str(self.server.command), *(os.environ.get(k, "") for k in _DECIDING))
        if key not in _answers:
            _answers[key] = _authorization(str(self.server.command))
        return _answers[key]


_DECIDING = ("HOME", "JOURNAL_MCP_TOKEN", "JOURNAL_MCP_USER_JOURNAL", "PRIVATE_JOURNAL_PATH")
_answers: dict[tuple[str, ...], str] = {}


def _authorization(command: str) -> str:
    argv = [command, "http-headers"]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        raise ClientError(f"cannot run {command}: {exc.strerror or exc}") from exc
    if result.returncode != 0:
        raise ClientError(
            f"cannot read the shared server's token: {(result.stderr or result.stdout).strip()}",
            hint="start `journal-mcp serve --http` once on this machine (it creates the token), "
            "or set JOURNAL_MCP_TOKEN to the server's token",
        )
    try:
        value = json.loads(result.stdout)["Authorization"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ClientError(f"`{' '.join(argv)}` printed no Authorization header") from exc
    return str(value)
