"""One shared journal server over streamable HTTP, guarded by a bearer token.

Several Claude Code sessions can use one process (and one loaded embedding model) instead of
each starting its own stdio server. Every request must carry ``Authorization: Bearer <token>``;
anything else gets 401 before it reaches MCP. The token comes from ``JOURNAL_MCP_TOKEN`` or from
the 0600 file ``http-token`` in the user journal directory, created on first run. Clients get it
from ``journal-mcp http-headers`` (core/httpheaders.py), so no client config file holds it.
Other machines may connect only over TLS (or with an explicit --insecure); connections have a
read timeout, an idle timeout and a cap (httpguard.py).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import secrets
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import InvalidInputError, JournalError, StorageError
from journal_mcp.core.httpheaders import MIN_TOKEN_CHARS, TOKEN_ENV, TOKEN_FILE_NAME
from journal_mcp.server.httpguard import Limits, guarded_protocol, tls_options
from journal_mcp.store import pathsafe
from journal_mcp.store.dbopen import prepare_journal_dir

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MCP_PATH = "/mcp"
__all__ = ["MIN_TOKEN_CHARS", "TOKEN_ENV", "TOKEN_FILE_NAME"]


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


def check_host(host: str, allow_remote: bool, *, tls: bool = False, insecure: bool = False) -> None:
    if is_loopback(host):
        return
    if not allow_remote:
        raise InvalidInputError(
            f"Refusing to listen on {host}: other machines could reach your journal. Use the default "
            f"{DEFAULT_HOST}, or pass --allow-remote with --tls-cert and --tls-key if you really mean it."
        )
    if not tls and not insecure:
        raise InvalidInputError(
            f"Refusing to serve {host} over plain HTTP: the bearer token would cross the network in clear. "
            "Pass --tls-cert CERT.pem --tls-key KEY.pem, or --insecure if a trusted network or a TLS proxy "
            "in front of this server protects it."
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
        prepare_journal_dir(path.parent)
        with pathsafe.private_dir(path.parent, create=False) as dir_fd:
            # Through the directory's descriptor and never through a link: the same checks as a journal
            # file (regular, the user's own, one link, tightened to 0600).
            if pathsafe.check_file_at(dir_fd, path.name, path, create=False, writable=False) is not None:
                value = (pathsafe.read_file_at(dir_fd, path.name) or "").strip()
                if len(value) >= MIN_TOKEN_CHARS:
                    return Token(value=value, origin=str(path))
                log.warning("%s held no usable token; writing a new one.", path)
                os.unlink(path.name, dir_fd=dir_fd)
            value = secrets.token_urlsafe(32)
            pathsafe.write_new_file_at(dir_fd, path.name, value + "\n")
            stored = (pathsafe.read_file_at(dir_fd, path.name) or "").strip()
    except JournalError:
        raise
    except OSError as exc:
        raise StorageError(f"Cannot read or create the token file {path}: {exc.strerror or exc}.") from exc
    if len(stored) < MIN_TOKEN_CHARS:
        raise StorageError(
            f"The token file {path} changed while this server created it (another server starting at the same "
            "moment?); start this one again."
        )
    # Another server starting at the same moment may have written its token first: both use that one.
    return Token(value=stored, origin=str(path), created=stored == value)


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


def server_url(host: str, port: int, tls: bool = False) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{'https' if tls else 'http'}://{shown}:{port}{MCP_PATH}"


def registration_text(url: str, token: Token, *, reveal: bool) -> str:
    """What to run to register the server, per client. No line here puts the token into a project file."""
    lines = [
        f"journal-mcp: serving MCP over streamable HTTP at {url}",
        f"bearer token: {'new, ' if token.created else ''}in {token.origin}"
        + ("" if token.origin == TOKEN_ENV else " (mode 0600)"),
    ]
    if reveal:
        lines.append(f"token: {token.value}")
    if token.origin == TOKEN_ENV:
        lines += [
            f"note: clients read the token from the file {TOKEN_FILE_NAME} in their user journal directory "
            f"(Claude Code hides {TOKEN_ENV} from the commands it runs): write the same token there on each "
            "client machine, mode 0600.",
        ]
    lines += [
        "",
        "Register it, in each project's directory (clients fetch the token with `journal-mcp http-headers`;",
        "no config file holds it):",
        f"  agent-pack install --http {url}  # Claude Code (.mcp.json)",
        f"  agent-pack install --http {url} --client codex  # Codex CLI (.codex/config.toml)",
        f"  agent-pack install --http {url} --client vscode  # VS Code: asks once for `journal-mcp http-headers --token`",
        "or once for all your projects (project notes still go to the project each client has open):",
        f"  agent-pack install --user --http {url} --client cursor  # also: --client vscode, --client gemini-cli",
        "",
        "Then, in the project, start `claude` once and approve the private-journal server it asks about;",
        f"`claude mcp list` then shows: private-journal: {url} (HTTP) - ✔ Connected",
    ]
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


def serve_http(
    settings: Settings,
    *,
    host: str,
    port: int,
    allow_remote: bool,
    reveal_token: bool,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    insecure: bool = False,
    limits: Limits | None = None,
) -> None:
    """Serve the journal tools over streamable HTTP until interrupted."""
    import uvicorn

    from journal_mcp.server.app import build_server

    limits = limits or Limits()
    limits.check()
    tls = tls_options(tls_cert, tls_key)
    check_host(host, allow_remote, tls=bool(tls), insecure=insecure)
    if not 1 <= port <= 65535:
        raise InvalidInputError(f"--port must be from 1 to 65535; got {port}.")
    if not port_is_free(host, port):
        raise InvalidInputError(f"{host}:{port} is already in use; pick another --port.")
    token = load_or_create_token(settings)
    server = build_server(settings, route_projects=True)
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, host=host)
    url = server_url(host, port, tls=bool(tls))
    print(registration_text(url, token, reveal=reveal_token), flush=True)
    config = uvicorn.Config(
        BearerTokenMiddleware(app, token.value),
        host=host.strip("[]"),
        port=port,
        http=guarded_protocol(limits),
        timeout_keep_alive=limits.idle_timeout,
        limit_concurrency=limits.max_connections,
        log_level=settings.log_level.lower(),
        access_log=False,
        log_config=None,  # keep our stderr logging (logs.configure)
        **tls,
    )
    uvicorn.Server(config).run()
