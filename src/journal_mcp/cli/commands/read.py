"""Reading the journals: `journal-mcp search`, `recent` and `show`."""

from __future__ import annotations

import argparse

from journal_mcp.cli.command import EXIT_FAILED, EXIT_OK, Command, load_settings, open_journal, type_option
from journal_mcp.cli.console import Output

SEARCH_BACKFILL_SECONDS = 20.0  # how long `search` lets the model embed not-yet-embedded entries


def _search_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", help="what to look for, in natural language or exact words")
    type_option(p)
    p.add_argument("--sections", nargs="+", metavar="SECTION", help="only these sections (key or display name)")
    p.add_argument("--since", help="ISO date/time or a span back from now: 7d, 12h, 2w")
    p.add_argument("--until", help="same forms as --since; a date includes that whole day")
    p.add_argument("--limit", type=int, default=10, help="at most this many results, 1-100 (default 10)")
    p.add_argument("--keyword", action="store_true", help="keyword search only: instant, no embedding model is loaded")


def _run_search(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.cli.console import show_search
    from journal_mcp.service.journal import Journal
    from journal_mcp.service.semantic import create_semantic
    from journal_mcp.transfer.legacy import import_legacy_once

    settings = load_settings()
    semantic = None if args.keyword else create_semantic(settings)
    journal = Journal(settings, semantic=semantic)
    import_legacy_once(journal)
    try:
        # Bad arguments fail now, not after the model has loaded.
        journal.check_search(
            args.query, limit=args.limit, type=args.type, sections=args.sections, since=args.since, until=args.until
        )
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
    type_option(p)
    p.add_argument("--days", type=float, default=30, help="how many days back (default 30)")
    p.add_argument("--limit", type=int, default=10, help="at most this many entries, 1-100 (default 10)")


def _run_recent(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.cli.console import show_listing

    with open_journal() as journal:
        result = journal.recent(limit=args.limit, type=args.type, days=args.days)
    show_listing(output, result, args.days)
    return EXIT_OK


def _show_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", help="an entry id from search or recent, e.g. user/20261122-101503-123456-a1b2c3")


def _run_show(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.cli.console import show_entry
    from journal_mcp.core.errors import EntryNotFoundError

    try:
        with open_journal() as journal:
            view = journal.read(args.id)
    except EntryNotFoundError as exc:
        output.note(f"error: {exc}", style="bold red")
        output.note("hint: `journal-mcp search QUERY` and `journal-mcp recent` print entry ids")
        return EXIT_FAILED
    show_entry(output, view)
    return EXIT_OK


COMMANDS: list[Command] = [
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
]
