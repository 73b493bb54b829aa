"""`journal-mcp`: with no arguments, serve MCP over stdio; subcommands for people and scripts.

Each command is a `Command` (cli/command.py): its parser set-up and a `run(args, output) -> exit
code`, grouped by job in cli/commands/. The domain work lives in the layers below (service,
transfer, server); the CLI only parses, calls and prints.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from journal_mcp.cli.command import (
    EXIT_BROKEN_PIPE,
    EXIT_CODES,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    Command,
)
from journal_mcp.cli.commands import hook, read, serve, transfer, upkeep
from journal_mcp.cli.commands.serve import run_serve
from journal_mcp.cli.console import Output
from journal_mcp.core.errors import InvalidInputError, JournalError

DESCRIPTION = """\
A private journal for AI agents, served over MCP (registered as `private-journal`),
with commands to search, read, import, export and back it up.

Run with no arguments to serve MCP over stdio (what Claude Code and other clients start)."""

EPILOG = f"""\
examples:
  journal-mcp                                  serve MCP over stdio
  journal-mcp serve --http                     one shared server for many clients (bearer token)
  journal-mcp search "flaky GPU tests" --since 30d
  journal-mcp recent --days 7
  journal-mcp show user/20261122-101503-123456-a1b2c3
  journal-mcp stats
  journal-mcp reindex                          re-embed every entry with the current model
  journal-mcp import ~/.private-journal ./.private-journal --dry-run
  journal-mcp export --format markdown ~/journal-export
  journal-mcp backup ~/journal-backups/2026-11-25

environment: JOURNAL_MCP_USER_JOURNAL, JOURNAL_MCP_PROJECT_JOURNAL, CLAUDE_PROJECT_DIR, ...
(see docs/cli.md).

{EXIT_CODES}"""


COMMANDS: list[Command] = [*serve.COMMANDS, *read.COMMANDS, *upkeep.COMMANDS, *transfer.COMMANDS, *hook.COMMANDS]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journal-mcp",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"journal-mcp {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog=f"examples:\n{command.examples}\n\n{EXIT_CODES}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(p)
        if command.json_option:
            p.add_argument("--json", action="store_true", help="print the result as JSON (for scripts)")
        p.set_defaults(handler=command.run)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("journal-agent-pack")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0"


def main(argv: Sequence[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run the command and return its exit code (tests call this)."""
    args = build_parser().parse_args(argv)
    output = Output(json=getattr(args, "json", False))
    handler: Callable[[argparse.Namespace, Output], int] = getattr(args, "handler", run_serve)
    try:
        return handler(args, output)
    except InvalidInputError as exc:
        output.note(f"error: {exc}", style="bold red")
        return EXIT_USAGE
    except JournalError as exc:
        output.note(f"error: {exc}", style="bold red")
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader stopped early (`journal-mcp export --format jsonl | head`): no traceback, and no
        # second failure when Python flushes stdout at exit. The exit code is a shell's for SIGPIPE.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
