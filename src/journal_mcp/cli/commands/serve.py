"""`journal-mcp serve` (stdio or shared HTTP) and `journal-mcp self-check`."""

from __future__ import annotations

import argparse

from journal_mcp.cli.command import EXIT_FAILED, EXIT_OK, Command, load_settings
from journal_mcp.cli.console import Output
from journal_mcp.core import logs


def _serve_args(p: argparse.ArgumentParser) -> None:
    from journal_mcp.server.httpserve import DEFAULT_HOST, DEFAULT_PORT

    p.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on with --http (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port with --http (default {DEFAULT_PORT})")
    p.add_argument(
        "--allow-remote", action="store_true", help="allow a --host other machines can reach (off by default)"
    )
    p.add_argument("--show-token", action="store_true", help="print the token itself in the registration snippet")


def run_serve(args: argparse.Namespace, output: Output) -> int:
    settings = load_settings()
    logs.configure(settings.log_level)
    if getattr(args, "http", False):
        from journal_mcp.server.httpserve import serve_http

        serve_http(
            settings, host=args.host, port=args.port, allow_remote=args.allow_remote, reveal_token=args.show_token
        )
        return EXIT_OK
    from journal_mcp.server.app import build_server

    build_server(settings).run("stdio")
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
        "  journal-mcp serve --http --host 0.0.0.0 --allow-remote   # other machines; put TLS in front",
        _serve_args,
        run_serve,
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
