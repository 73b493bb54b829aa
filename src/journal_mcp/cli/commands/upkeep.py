"""Looking after the journals: `journal-mcp stats` and `reindex`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from journal_mcp.cli.command import EXIT_FAILED, EXIT_OK, Command, load_settings, open_journal
from journal_mcp.cli.console import Output
from journal_mcp.core import logs
from journal_mcp.core.errors import InvalidInputError


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


def _run_doctor(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.cli.console import dump_json
    from journal_mcp.transfer.doctor import doctor

    reports = doctor(load_settings(), Path(args.recover).expanduser() if args.recover else None)
    if output.json:
        dump_json(output, [r.model_dump() for r in reports])
    for r in reports if not output.json else []:
        state = "missing" if not r.exists else ("ok" if r.integrity == "ok" and not r.problem else "DAMAGED")
        output.text(f"{r.journal} journal: {r.path}: {state}")
        if r.problem:
            output.text(f"  problem: {r.problem}")
        if r.exists and r.integrity != "ok":
            output.text(f"  integrity: {r.integrity}; entries readable: {r.entries}")
        if r.recovered_to:
            output.text(f"  recovered {r.recovered_entries} entries into {r.recovered_to} (the original is unchanged)")
        elif r.exists and r.integrity != "ok":
            output.text("  hint: journal-mcp doctor --recover DIR writes what can be saved into a new file")
    healthy = all(not r.exists or (r.integrity == "ok" and not r.problem) for r in reports)
    return EXIT_OK if healthy else EXIT_FAILED


def _doctor_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recover", metavar="DIR", help="recover a damaged journal into a new file in DIR")


def _run_projects(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.cli.console import dump_json
    from journal_mcp.store.project_dirs import list_projects, relink

    settings = load_settings()
    if args.action == "relink":
        if len(args.paths) != 2:
            raise InvalidInputError("usage: journal-mcp projects relink OLD_PATH_OR_KEY NEW_PATH")
        moved = relink(settings, args.paths[0], Path(args.paths[1]).expanduser().resolve())
        output.text(f"{moved.root}: journal {moved.journal_dir} ({moved.entries} entries)")
        return EXIT_OK
    records = list_projects(settings)
    if output.json:
        dump_json(output, [r.model_dump() for r in records])
        return EXIT_OK
    if not records:
        output.text(f"no project journals under {settings.projects_root}")
    for r in records:
        gone = "" if r.root_exists else "  (project directory missing: moved? see `projects relink`)"
        output.text(f"{r.root or '?'}  {r.entries if r.entries is not None else '?'} entries  {r.journal_dir}{gone}")
    return EXIT_OK


def _projects_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=["list", "relink"], default="list")
    p.add_argument("paths", nargs="*", help="for relink: the old project path (or its key) and the new path")


COMMANDS: list[Command] = [
    Command(
        "doctor",
        "check each journal; recover a damaged one into a new file",
        "Check the project and the user journal: that each is a journal-mcp database, SQLite's integrity check, "
        "how many entries can be read. Works on a copy; the journals themselves are never changed. With "
        "--recover DIR, a damaged journal is recovered with SQLite's .recover into DIR/<journal>-recovered.db.",
        "  journal-mcp doctor\n  journal-mcp doctor --recover ~/journal-rescue",
        _doctor_args,
        _run_doctor,
    ),
    Command(
        "projects",
        "list the project journals; relink one after moving its project",
        "List the project journals kept in the user's data directory (one per project, keyed by the project's "
        "path), with their project and entry count. `projects relink OLD NEW` moves a journal to the new path "
        "of a moved project.",
        "  journal-mcp projects\n  journal-mcp projects relink ~/code/old-name ~/code/new-name",
        _projects_args,
        _run_projects,
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
]
