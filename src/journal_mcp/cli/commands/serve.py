"""`journal-mcp serve` (stdio or shared HTTP), `journal-mcp http-headers` and `journal-mcp self-check`."""

from __future__ import annotations

import argparse
from pathlib import Path

from journal_mcp.cli.command import EXIT_FAILED, EXIT_OK, Command, load_settings
from journal_mcp.cli.console import Output
from journal_mcp.core import logs


def _serve_args(p: argparse.ArgumentParser) -> None:
    from journal_mcp.server.httpguard import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_READ_TIMEOUT
    from journal_mcp.server.httpserve import DEFAULT_HOST, DEFAULT_PORT

    p.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on with --http (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port with --http (default {DEFAULT_PORT})")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach (off by default; needs --tls-cert/--tls-key or --insecure)",
    )
    p.add_argument("--tls-cert", type=Path, metavar="PEM", help="serve HTTPS with this certificate (chain)")
    p.add_argument("--tls-key", type=Path, metavar="PEM", help="the private key of --tls-cert")
    p.add_argument(
        "--insecure",
        action="store_true",
        help="with --allow-remote, serve plain HTTP anyway (the token crosses the network in clear)",
    )
    p.add_argument("--show-token", action="store_true", help="print the token itself on start-up")
    p.add_argument(
        "--read-timeout",
        type=float,
        default=DEFAULT_READ_TIMEOUT,
        metavar="SECONDS",
        help=f"close a connection whose request has not fully arrived after this long (default {DEFAULT_READ_TIMEOUT:g})",
    )
    p.add_argument(
        "--idle-timeout",
        type=int,
        default=DEFAULT_IDLE_TIMEOUT,
        metavar="SECONDS",
        help=f"close a keep-alive connection idle this long (default {DEFAULT_IDLE_TIMEOUT})",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        help=f"refuse connections past this many open ones (default {DEFAULT_MAX_CONNECTIONS})",
    )


def run_serve(args: argparse.Namespace, output: Output) -> int:
    settings = load_settings()
    if getattr(args, "http", False):
        logs.configure(settings.log_level)
        from journal_mcp.server.httpguard import Limits
        from journal_mcp.server.httpserve import serve_http

        serve_http(
            settings,
            host=args.host,
            port=args.port,
            allow_remote=args.allow_remote,
            reveal_token=args.show_token,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            insecure=args.insecure,
            limits=Limits(args.read_timeout, args.idle_timeout, args.max_connections),
        )
        return EXIT_OK
    from journal_mcp.server.stdio import serve_settings

    serve_settings(settings)  # exits the process when the client closes stdin or a signal arrives


def _headers_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--project", type=Path, metavar="DIR", help="the project whose journal gets project notes (default: none)"
    )
    p.add_argument("--token", action="store_true", help="print only the bearer token (to paste where a client asks)")


def _run_headers(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.core.httpheaders import headers, read_token, render

    settings = load_settings()
    print(read_token(settings) if args.token else render(headers(settings, args.project)))
    return EXIT_OK


def _run_self_check(args: argparse.Namespace, output: Output) -> int:
    import anyio

    from journal_mcp.cli.selfcheck import run_self_check

    return EXIT_OK if anyio.run(run_self_check) else EXIT_FAILED


COMMANDS: list[Command] = [
    Command(
        "serve",
        "serve MCP over stdio (the default) or, with --http, to many clients at once",
        "Serve the journal tools over MCP. Over stdio by default (one client, started by it). With --http, "
        "one long-running server that several Claude Code sessions share (one process, one loaded model); "
        "every request needs the bearer token it prints on start-up.",
        "  journal-mcp serve\n  journal-mcp serve --http --port 8765\n"
        "  journal-mcp serve --http --host 0.0.0.0 --allow-remote --tls-cert cert.pem --tls-key key.pem",
        _serve_args,
        run_serve,
        json_option=False,
    ),
    Command(
        "http-headers",
        "print the headers a client sends to the shared HTTP server (JSON; the bearer token inside)",
        "Print the HTTP headers for `journal-mcp serve --http` as a JSON object: the bearer token and the project "
        "whose journal gets project notes. Claude Code (headersHelper) and Codex (http_headers_helper) run it "
        "when they connect, so no config file holds the token.",
        "  journal-mcp http-headers --project ~/src/app\n  journal-mcp http-headers --token",
        _headers_args,
        _run_headers,
        json_option=False,
    ),
    Command(
        "self-check",
        "start a server on a temporary journal and exercise every tool",
        "Start the real server as a subprocess on a throw-away journal, then write, list, search and read a "
        "probe entry. Your journals are not touched.",
        "  journal-mcp self-check",
        lambda p: None,
        _run_self_check,
        json_option=False,
    ),
]
