"""`journal-mcp http-headers`: the HTTP headers a client sends to the shared server, printed as JSON.

Claude Code (`headersHelper`) and the Codex CLI (`http_headers_helper`) run this command each time
they connect, so their config files name a command instead of holding the bearer token, and
nobody has to export a variable. The token is the server's: ``JOURNAL_MCP_TOKEN``, else the 0600
``http-token`` file the server wrote in the user journal directory (this command never creates it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import InvalidInputError, StorageError

TOKEN_ENV = "JOURNAL_MCP_TOKEN"
TOKEN_FILE_NAME = "http-token"
MIN_TOKEN_CHARS = 24
PROJECT_HEADER = "X-Private-Journal-Project"


def read_token(settings: Settings, env: Mapping[str, str] | None = None) -> str:
    """The server's bearer token, without creating one."""
    env = os.environ if env is None else env
    from_env = env.get(TOKEN_ENV, "").strip()
    if from_env:
        return from_env
    path = settings.user_journal_dir / TOKEN_FILE_NAME
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise StorageError(
            f"No token yet: {path} does not exist. Start the shared server once with `journal-mcp serve --http` "
            f"(it creates the token), or set {TOKEN_ENV} to the token of the server you connect to."
        ) from None
    except OSError as exc:
        raise StorageError(f"Cannot read the token file {path}: {exc.strerror or exc}.") from exc
    if len(value) < MIN_TOKEN_CHARS:
        raise StorageError(f"{path} holds no usable token; restart `journal-mcp serve --http` to write a new one.")
    return value


def headers(settings: Settings, project: Path | None, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`Authorization`, and the project whose journal gets this client's project notes.

    Without a project the header names the home directory, which the server reads as "no project":
    project notes then go to the user journal, never to wherever the server happened to start.
    """
    env = os.environ if env is None else env
    if project is None and env.get("CLAUDE_PROJECT_DIR"):
        project = Path(env["CLAUDE_PROJECT_DIR"])
    if project is not None:
        project = project.expanduser()
        if not project.is_absolute() or not project.is_dir():
            raise InvalidInputError(f"--project must be an existing directory; got {str(project)!r}.")
    where = project.resolve() if project is not None else Path.home()
    return {"Authorization": f"Bearer {read_token(settings, env)}", PROJECT_HEADER: str(where)}


def render(found: dict[str, str]) -> str:
    return json.dumps(found)
