"""Moving entries in and out: `journal-mcp import`, `export` and `backup`."""

from __future__ import annotations

import argparse
from pathlib import Path

from journal_mcp.cli.command import EXIT_OK, EXIT_PARTIAL, Command, load_settings, open_journal, type_option
from journal_mcp.cli.console import Output
from journal_mcp.core.errors import InvalidInputError


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
    from journal_mcp.cli.reports import show_import
    from journal_mcp.transfer.importer import import_journals

    with open_journal() as journal, output.progress("importing") as bar:
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
    type_option(p)
    p.add_argument("--force", action="store_true", help="write into a non-empty directory / replace a file")


def _run_export(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.cli.reports import show_export
    from journal_mcp.service.journal import check_type
    from journal_mcp.transfer.exporter import export_jsonl, export_markdown

    kinds = check_type(args.type)
    to_stdout = args.format == "jsonl" and (args.dest is None or str(args.dest) == "-")
    if args.dest is None and not to_stdout:
        raise InvalidInputError("export --format markdown needs a destination directory, e.g. ~/journal-export.")
    with open_journal() as journal, output.progress("exporting") as bar:
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
    type_option(p)
    p.add_argument("--force", action="store_true", help="replace existing backup files")


def _run_backup(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.cli.reports import show_backup
    from journal_mcp.transfer.backup import backup_journals

    report = backup_journals(load_settings(), args.dest, kind=args.type, force=args.force)
    show_backup(output, report)
    return EXIT_OK


COMMANDS: list[Command] = [
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
