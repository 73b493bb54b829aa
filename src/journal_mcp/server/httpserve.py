"""One shared journal server over streamable HTTP, guarded by a bearer token.

Several Claude Code sessions can use one process (and one loaded embedding model) instead of
each starting its own stdio server. Every request must carry ``Authorization: Bearer <token>``;
anything else gets 401 before it reaches MCP. The token comes from ``JOURNAL_MCP_TOKEN`` or from
the 0600 file ``http-token`` in the user journal directory, created on first run.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import secrets
import shlex
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import InvalidInputError, StorageError
from journal_mcp.store.dbopen import prepare_journal_dir
from journal_mcp.store.storage import FILE_MODE

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MCP_PATH = "/mcp"
TOKEN_ENV = "JOURNAL_MCP_TOKEN"
TOKEN_FILE_NAME = "http-token"
MIN_TOKEN_CHARS = 24


class Token(BaseModel):
    value: str
    origin: str  # the file it is stored in, or the environment variable
    created: bool = False


def is_loopback(host: str) -> bool:
    """True when `host` names only this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> None:
    if not is_loopback(host) and not allow_remote:
        raise InvalidInputError(
            f"Refusing to listen on {host}: other machines could reach your journal. Use the default "
            f"{DEFAULT_HOST}, or pass --allow-remote if you really mean it (the bearer token still applies; "
            "put TLS in front of it)."
        )


def token_path(settings: Settings) -> Path:
    return settings.user_journal_dir / TOKEN_FILE_NAME


def load_or_create_token(settings: Settings, env: Mapping[str, str] | None = None) -> Token:
    """The bearer token: `JOURNAL_MCP_TOKEN`, else the token file, else a new one written 0600."""
    env = os.environ if env is None else env
    from_env = env.get(TOKEN_ENV, "").strip()
    if from_env:
        if len(from_env) < MIN_TOKEN_CHARS:
            raise InvalidInputError(
                f"{TOKEN_ENV} is {len(from_env)} characters; use at least {MIN_TOKEN_CHARS} random characters "
                '(e.g. python -c "import secrets; print(secrets.token_urlsafe(32))").'
            )
        return Token(value=from_env, origin=TOKEN_ENV)
    path = token_path(settings)
    try:
        if path.exists():
            if (path.stat().st_mode & 0o777) != FILE_MODE:
                os.chmod(path, FILE_MODE)
                log.warning("Tightened %s to mode 0600.", path)
            value = path.read_text(encoding="utf-8").strip()
            if len(value) >= MIN_TOKEN_CHARS:
                return Token(value=value, origin=str(path))
            log.warning("%s held no usable token; writing a new one.", path)
            path.unlink()
        prepare_journal_dir(path.parent)
        value = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
    except OSError as exc:
        raise StorageError(f"Cannot read or create the token file {path}: {exc.strerror or exc}.") from exc
    return Token(value=value, origin=str(path), created=True)


class BearerTokenMiddleware:
    """ASGI middleware: an HTTP request without ``Authorization: Bearer <token>`` gets 401 and goes no further."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self._expected = token.encode("utf-8")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and not self._authorized(scope):
            body = json.dumps(
                {"error": "invalid_token", "error_description": "Missing or wrong bearer token."}
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b'Bearer realm="private-journal"'),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope: dict[str, Any]) -> bool:
        values = [v for k, v in scope.get("headers", []) if k.lower() == b"authorization"]
        if len(values) != 1:
            return False
        scheme, _, credential = values[0].partition(b" ")
        if scheme.lower() != b"bearer":
            return False
        return hmac.compare_digest(credential.strip(), self._expected)


def server_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}{MCP_PATH}"


def registration_text(url: str, token: Token, *, reveal: bool) -> str:
    """How to register the server with Claude Code (and any .mcp.json client)."""
    secret = token.value if reveal else f"$(cat {shlex.quote(token.origin)})"
    if not reveal and token.origin == TOKEN_ENV:
        secret = f"${TOKEN_ENV}"
    header = f"Authorization: Bearer {secret}"
    # Run in a project, $PWD names it: that client's project notes go to that project's journal.
    command = (
        f'claude mcp add --transport http private-journal {url} --header "{header}" '
        '--header "X-Private-Journal-Project: $PWD"'
    )
    snippet = json.dumps(
        {
            "mcpServers": {
                "private-journal": {
                    "type": "http",
                    "url": url,
                    "headers": {
                        "Authorization": f"Bearer {token.value if reveal else '${JOURNAL_MCP_TOKEN}'}",
                        "X-Private-Journal-Project": "/absolute/path/of/the/project",
                    },
                }
            }
        },
        indent=2,
    )
    lines = [
        f"journal-mcp: serving MCP over streamable HTTP at {url}",
        f"bearer token: {'new, ' if token.created else ''}stored in {token.origin}",
        "",
        "Register it in each project (in the project's directory):",
        "  agent-pack install --http " + url,
        "",
        "or with Claude Code's own command:",
        f"  {command}",
        "",
        "or put this in a project's .mcp.json:",
        *(f"  {line}" for line in snippet.splitlines()),
    ]
    if not reveal:
        lines += ["", f"(.mcp.json expands ${{{TOKEN_ENV}}} from the environment; the token is in {token.origin}.)"]
    return "\n".join(lines)


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError:
            return False
    return True


def serve_http(settings: Settings, *, host: str, port: int, allow_remote: bool, reveal_token: bool) -> None:
    """Serve the journal tools over streamable HTTP until interrupted."""
    import uvicorn

    from journal_mcp.server.app import build_server

    check_host(host, allow_remote)
    if not 1 <= port <= 65535:
        raise InvalidInputError(f"--port must be from 1 to 65535; got {port}.")
    if not port_is_free(host, port):
        raise InvalidInputError(f"{host}:{port} is already in use; pick another --port.")
    token = load_or_create_token(settings)
    server = build_server(settings, route_projects=True)
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, host=host)
    url = server_url(host, port)
    print(registration_text(url, token, reveal=reveal_token or token.created), flush=True)
    config = uvicorn.Config(
        BearerTokenMiddleware(app, token.value),
        host=host.strip("[]"),
        port=port,
        log_level=settings.log_level.lower(),
        access_log=False,
        log_config=None,  # keep our stderr logging (logs.configure)
    )
    uvicorn.Server(config).run()
