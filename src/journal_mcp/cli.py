"""`journal-mcp`: with no arguments, serve MCP over stdio; subcommands for people and scripts.

Each command is a `Command`: its parser set-up and a `run(args, output) -> exit code`. The domain
work lives in other modules (journal, importer, exporter, backup, httpserve, stats); this module
only parses, calls and prints.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from journal_mcp import logs
from journal_mcp.config import Settings
from journal_mcp.console import Output
from journal_mcp.errors import InvalidInputError, JournalError

if TYPE_CHECKING:
    from journal_mcp.journal import Journal

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130

SEARCH_BACKFILL_SECONDS = 20.0  # how long `search` lets the model embed not-yet-embedded entries

DESCRIPTION = """\
A private journal for AI agents, served over MCP (registered as `private-journal`),
with commands to search, read, import, export and back it up.

Run with no arguments to serve MCP over stdio (what Claude Code and other clients start)."""

EXIT_CODES = """\
exit codes:
  0  success
  1  failed (the message on stderr says why; nothing half-done is left behind)
  2  bad usage or input you can fix (unknown option, bad date, existing destination...)
  3  partly done: import finished but skipped some files (listed in the report)
  130 interrupted (Ctrl-C)"""

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


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    description: str
    examples: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Output], int]
    json_option: bool = True


def _type_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type", choices=["both", "project", "user"], default="both", help="which journal (default: both)"
    )


def _settings() -> Settings:
    return Settings.from_env()


def _journal() -> Journal:
    from journal_mcp.journal import Journal

    return Journal(_settings())


# -- serve / self-check --------------------------------------------------------------------------


def _serve_args(p: argparse.ArgumentParser) -> None:
    from journal_mcp.httpserve import DEFAULT_HOST, DEFAULT_PORT

    p.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on with --http (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port with --http (default {DEFAULT_PORT})")
    p.add_argument(
        "--allow-remote", action="store_true", help="allow a --host other machines can reach (off by default)"
    )
    p.add_argument("--show-token", action="store_true", help="print the token itself in the registration snippet")


def _run_serve(args: argparse.Namespace, output: Output) -> int:
    settings = _settings()
    logs.configure(settings.log_level)
    if getattr(args, "http", False):
        from journal_mcp.httpserve import serve_http

        serve_http(
            settings, host=args.host, port=args.port, allow_remote=args.allow_remote, reveal_token=args.show_token
        )
        return EXIT_OK
    from journal_mcp.server import build_server

    build_server(settings).run("stdio")
    return EXIT_OK


def _run_self_check(args: argparse.Namespace, output: Output) -> int:
    import anyio

    from journal_mcp.selfcheck import run_self_check

    return EXIT_OK if anyio.run(run_self_check) else EXIT_FAILED


# -- Claude Code hooks ---------------------------------------------------------------------------


def _hook_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("event", choices=["session-start", "stop"], help="which hook: session-start or stop")


def _run_hook(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.hooks.run import run_hook

    return run_hook(args.event, sys.stdin, sys.stdout)


# -- reading -------------------------------------------------------------------------------------


def _search_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", help="what to look for, in natural language or exact words")
    _type_option(p)
    p.add_argument("--sections", nargs="+", metavar="SECTION", help="only these sections (key or display name)")
    p.add_argument("--since", help="ISO date/time or a span back from now: 7d, 12h, 2w")
    p.add_argument("--until", help="same forms as --since; a date includes that whole day")
    p.add_argument("--limit", type=int, default=10, help="at most this many results, 1-100 (default 10)")
    p.add_argument("--keyword", action="store_true", help="keyword search only: instant, no embedding model is loaded")


def _run_search(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.console import show_search
    from journal_mcp.journal import Journal
    from journal_mcp.semantic import create_semantic

    settings = _settings()
    semantic = None if args.keyword else create_semantic(settings)
    journal = Journal(settings, semantic=semantic)
    try:
        if semantic is not None:
            # Loads the model (a few seconds) in the background service; entries nobody has embedded yet
            # are found by keywords (a server, or `journal-mcp reindex`, embeds them).
            output.note("loading the embedding model (use --keyword for instant keyword-only search)...")
            semantic.start(journal)
            # A small journal gets embedded completely first; a big one answers with what is embedded
            # so far (the result's notice says so) and keeps the progress for next time.
            semantic.wait_ready(timeout=300)
            semantic.wait_idle(timeout=SEARCH_BACKFILL_SECONDS)
        result = journal.search(
            args.query, limit=args.limit, type=args.type, sections=args.sections, since=args.since, until=args.until
        )
    finally:
        if semantic is not None:
            semantic.stop()
        journal.close()
    show_search(output, result)
    return EXIT_OK


def _recent_args(p: argparse.ArgumentParser) -> None:
    _type_option(p)
    p.add_argument("--days", type=float, default=30, help="how many days back (default 30)")
    p.add_argument("--limit", type=int, default=10, help="at most this many entries, 1-100 (default 10)")


def _run_recent(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.console import show_listing

    with _journal() as journal:
        result = journal.recent(limit=args.limit, type=args.type, days=args.days)
    show_listing(output, result, args.days)
    return EXIT_OK


def _show_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", help="an entry id from search or recent, e.g. user/20261122-101503-123456-a1b2c3")


def _run_show(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.console import show_entry

    with _journal() as journal:
        view = journal.read(args.id)
    show_entry(output, view)
    return EXIT_OK


def _run_stats(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.reports import show_stats
    from journal_mcp.stats import journal_stats

    with _journal() as journal:
        report = journal_stats(journal)
    show_stats(output, report)
    return EXIT_OK


def _run_reindex(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.embeddings import load_embedder
    from journal_mcp.reindex import reindex

    settings = _settings()
    logs.configure(settings.log_level if os.environ.get("JOURNAL_MCP_LOG_LEVEL") else "WARNING")
    with _journal() as journal:
        output.note("loading the embedding model...")
        embedder = load_embedder(settings.model)
        with output.progress("embedding") as bar:
            count = reindex(journal, embedder, bar.update)
    identity = embedder.identity
    if output.json:
        from journal_mcp.console import dump_json

        dump_json(output, {"entries": count, "model": identity.name, "dimension": identity.dimension})
    else:
        output.text(f"re-embedded {count} entries with {identity.name} ({identity.dimension} dimensions)")
    return EXIT_OK


# -- import / export / backup --------------------------------------------------------------------


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="journal directories or .md entry files")
    p.add_argument(
        "--type",
        choices=["project", "user"],
        help="journal to import into (default: inferred; ~/.private-journal is the user journal, any other "
        ".private-journal a project journal)",
    )
    p.add_argument("--dry-run", action="store_true", help="count what would be imported; write nothing")


def _run_import(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.importer import import_journals
    from journal_mcp.reports import show_import

    with _journal() as journal, output.progress("importing") as bar:
        report = import_journals(
            journal, args.paths, kind=args.type, dry_run=args.dry_run, on_start=bar.start, on_file=bar.advance
        )
    show_import(output, report)
    return EXIT_PARTIAL if report.skipped else EXIT_OK


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["markdown", "jsonl"], default="markdown", help="default: markdown")
    p.add_argument(
        "dest",
        nargs="?",
        type=Path,
        metavar="DEST",
        help="directory (markdown) or file (jsonl; omit or '-' for standard output)",
    )
    _type_option(p)
    p.add_argument("--force", action="store_true", help="write into a non-empty directory / replace a file")


def _run_export(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.exporter import export_jsonl, export_markdown
    from journal_mcp.journal import check_type
    from journal_mcp.reports import show_export

    kinds = check_type(args.type)
    to_stdout = args.format == "jsonl" and (args.dest is None or str(args.dest) == "-")
    if args.dest is None and not to_stdout:
        raise InvalidInputError("export --format markdown needs a destination directory, e.g. ~/journal-export.")
    with _journal() as journal, output.progress("exporting") as bar:
        if args.format == "markdown":
            report = export_markdown(
                journal, args.dest, kinds, force=args.force, on_start=bar.start, on_entry=bar.advance
            )
        else:
            report = export_jsonl(
                journal,
                None if to_stdout else args.dest,
                kinds,
                force=args.force,
                on_start=bar.start,
                on_entry=bar.advance,
            )
    if to_stdout:
        output.note(f"exported {report.entries} entries")
    else:
        show_export(output, report)
    return EXIT_OK


def _backup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "dest", type=Path, metavar="DEST", help="with --type both: a directory; with project/user: the backup file"
    )
    _type_option(p)
    p.add_argument("--force", action="store_true", help="replace existing backup files")


def _run_backup(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.backup import backup_journals
    from journal_mcp.reports import show_backup

    report = backup_journals(_settings(), args.dest, kind=args.type, force=args.force)
    show_backup(output, report)
    return EXIT_OK


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
        _run_serve,
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
    Command(
        "hook",
        "Claude Code hooks: the session-start briefing and the end-of-work reminder",
        "Run one Claude Code hook (agent-pack install and the plugin register them). Reads the hook's JSON on "
        "stdin. session-start prints a short briefing from the journal (this project's newest entries, with "
        "ids, at most 1,500 characters) for the model's context; stop asks once a session, when the session "
        "used tools and wrote nothing to the journal, to record what it learned. Never loads the embedding "
        "model, never changes the journal, never fails the session. JOURNAL_MCP_HOOKS=0 turns both off.",
        '  echo \'{"session_id": "s1"}\' | journal-mcp hook session-start',
        _hook_args,
        _run_hook,
        json_option=False,
    ),
    Command(
        "search",
        "search the journals (best matches first)",
        "Search the project and user journals by meaning and keywords, like the search_journal tool; ranked "
        "hits with an excerpt and the id to `show`. Loads the embedding model first (a few seconds); "
        "--keyword skips it.",
        '  journal-mcp search "why did the GPU run out of memory"\n'
        "  journal-mcp search vLLM --type user --sections technical_insights --since 2w\n"
        '  journal-mcp search "deploy" --until 2026-11-01 --json | jq ".hits[].path"',
        _search_args,
        _run_search,
    ),
    Command(
        "recent",
        "list the newest entries",
        "List entries of the last days, newest first, with an excerpt of each.",
        "  journal-mcp recent\n  journal-mcp recent --days 7 --type project --limit 20",
        _recent_args,
        _run_recent,
    ),
    Command(
        "show",
        "print one whole entry",
        "Print one entry (all its sections) by the id that search or recent showed.",
        "  journal-mcp show user/20261122-101503-123456-a1b2c3\n  journal-mcp show project/20261122-101503-123456-a1b2c3 --json",
        _show_args,
        _run_show,
    ),
    Command(
        "stats",
        "entries per journal and section, time span, size",
        "Show, for the project and the user journal: where the database is, how many entries it holds, per "
        "section, the oldest and newest entry and the size on disk.",
        "  journal-mcp stats\n  journal-mcp stats --json",
        lambda p: None,
        _run_stats,
    ),
    Command(
        "reindex",
        "re-embed every entry with the current embedding model",
        "Forget all stored vectors of the project and user journals and embed every entry again with the "
        "configured model (JOURNAL_MCP_MODEL, else the packaged all-MiniLM-L6-v2). Needed after changing the "
        "model; servers pick the new vectors up by themselves. Running servers keep answering meanwhile.",
        "  journal-mcp reindex\n  JOURNAL_MCP_MODEL=~/models/bge-small journal-mcp reindex",
        lambda p: None,
        _run_reindex,
    ),
    Command(
        "import",
        "import journals written by private-journal-mcp (the TypeScript server)",
        "Import the YYYY-MM-DD/HH-MM-SS-micros.md files of private-journal-mcp journals, keeping their times and "
        "sections. Source files are only read. Secrets are redacted as for new entries. Importing twice adds "
        "nothing. Old .embedding files are ignored (vectors are rebuilt). Files that cannot be imported are "
        "listed with the reason, and the exit code is then 3.",
        "  journal-mcp import ~/.private-journal                 # the old user journal\n"
        "  journal-mcp import ~/code/app/.private-journal        # a project journal, into this project's\n"
        "  journal-mcp import ./old-notes --type user --dry-run  # count first",
        _import_args,
        _run_import,
    ),
    Command(
        "export",
        "export as private-journal-mcp markdown files or JSON Lines",
        "Export entries. markdown: the private-journal-mcp layout (YYYY-MM-DD/HH-MM-SS-micros.md), readable as "
        "plain files and importable again; with --type both, into DEST/project and DEST/user. jsonl: one JSON "
        "object per entry (id, type, timestamp, sections). Directories are 0700, files 0600.",
        "  journal-mcp export --format markdown ~/journal-export\n"
        "  journal-mcp export --format markdown ~/user-journal --type user\n"
        "  journal-mcp export --format jsonl entries.jsonl\n"
        "  journal-mcp export --format jsonl | jq -r .timestamp",
        _export_args,
        _run_export,
    ),
    Command(
        "backup",
        "consistent copy of the live databases, verified",
        "Copy the journal databases with SQLite's online backup API (safe while servers write), check the copy "
        "with PRAGMA integrity_check and store it 0600. --type both (default): DEST is a directory receiving "
        "project.db and user.db (or journal.db when both journals are one database). --type project|user: "
        "DEST is the backup file. Existing files are replaced only with --force.",
        "  journal-mcp backup ~/journal-backups/$(date +%F)\n"
        "  journal-mcp backup ~/user-journal.db --type user\n"
        "  journal-mcp backup /mnt/usb/journal --force",
        _backup_args,
        _run_backup,
    ),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journal-mcp",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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


def main(argv: Sequence[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run the command and return its exit code (tests call this)."""
    args = build_parser().parse_args(argv)
    output = Output(json=getattr(args, "json", False))
    handler: Callable[[argparse.Namespace, Output], int] = getattr(args, "handler", _run_serve)
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
