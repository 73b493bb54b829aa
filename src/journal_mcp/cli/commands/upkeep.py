"""Looking after the journals: `journal-mcp stats` and `reindex`."""

from __future__ import annotations

import argparse
import os

from journal_mcp.cli.command import EXIT_OK, Command, load_settings, open_journal
from journal_mcp.cli.console import Output
from journal_mcp.core import logs


def _run_stats(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.cli.reports import show_stats
    from journal_mcp.service.stats import journal_stats

    with open_journal() as journal:
        report = journal_stats(journal)
    show_stats(output, report)
    return EXIT_OK


def _run_reindex(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.search.embeddings import load_configured_embedder
    from journal_mcp.service.reindex import reindex

    settings = load_settings()
    logs.configure(settings.log_level if os.environ.get("JOURNAL_MCP_LOG_LEVEL") else "WARNING")
    with open_journal() as journal:
        output.note("loading the embedding model...")
        embedder = load_configured_embedder(settings)
        with output.progress("embedding") as bar:
            count = reindex(journal, embedder, bar.update)
    identity = embedder.identity
    if output.json:
        from journal_mcp.cli.console import dump_json

        dump_json(output, {"entries": count, "model": identity.name, "dimension": identity.dimension})
    else:
        output.text(f"re-embedded {count} entries with {identity.name} ({identity.dimension} dimensions)")
    return EXIT_OK


COMMANDS: list[Command] = [
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
]
