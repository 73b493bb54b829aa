"""`journal-mcp`: with no arguments, serve MCP over stdio; subcommands for people."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from journal_mcp import logs
from journal_mcp.config import Settings
from journal_mcp.errors import JournalError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DESCRIPTION = """\
A private journal for AI agents, served over MCP (registered as `private-journal`).

Run with no arguments to serve MCP over stdio (what Claude Code and other clients start)."""

EPILOG = """\
examples:
  journal-mcp                      serve MCP over stdio
  journal-mcp self-check           start a server on a temporary journal and use every tool
  journal-mcp reindex              re-embed every entry with the current model (progress bar)

exit codes: 0 success, 1 failure, 2 bad usage."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journal-mcp",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "serve",
        help="serve MCP over stdio (the default)",
        description="Serve MCP over stdio.",
        epilog="example:\n  journal-mcp serve",
        formatter_class=argparse.RawTextHelpFormatter,
    )
    sub.add_parser(
        "self-check",
        help="start a server on a temporary journal and exercise every tool",
        description="Start the real server as a subprocess on a throw-away journal, then write, list, "
        "search and read a probe entry. Your journals are not touched.",
        epilog="example:\n  journal-mcp self-check",
        formatter_class=argparse.RawTextHelpFormatter,
    )
    sub.add_parser(
        "reindex",
        help="re-embed every journal entry with the current embedding model",
        description="Forget all stored vectors of the project and user journals and embed every entry again "
        "with the current model (JOURNAL_MCP_MODEL, else the packaged all-MiniLM-L6-v2). Servers pick "
        "the new vectors up by themselves.",
        epilog="example:\n  journal-mcp reindex",
        formatter_class=argparse.RawTextHelpFormatter,
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = run(args)
    except JournalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = EXIT_FAILED
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def run(args: argparse.Namespace) -> int:
    if args.command in (None, "serve"):
        return serve_stdio()
    if args.command == "self-check":
        import anyio

        from journal_mcp.selfcheck import run_self_check

        return EXIT_OK if anyio.run(run_self_check) else EXIT_FAILED
    if args.command == "reindex":
        return reindex_command()
    raise AssertionError(args.command)


def reindex_command() -> int:
    settings = Settings.from_env()
    logs.configure(settings.log_level)
    from journal_mcp.embeddings import load_embedder
    from journal_mcp.journal import Journal
    from journal_mcp.reindex import progress_bar, reindex

    journal = Journal(settings)
    try:
        embedder = load_embedder(settings.model)
        with progress_bar() as bar:
            count = reindex(journal, embedder, bar)
    finally:
        journal.close()
    print(f"Re-embedded {count} entries with {embedder.identity.name}.", file=sys.stderr)
    return EXIT_OK


def serve_stdio() -> int:
    settings = Settings.from_env()
    logs.configure(settings.log_level)
    from journal_mcp.server import build_server

    build_server(settings).run("stdio")
    return EXIT_OK
