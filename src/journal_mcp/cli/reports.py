"""How the CLI prints the reports of stats, import, export and backup (table, plain text or JSON)."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from journal_mcp.cli.console import Output, human_bytes
from journal_mcp.core.sections import SECTION_TITLES
from journal_mcp.service.stats import StatsReport
from journal_mcp.transfer.backup import BackupReport
from journal_mcp.transfer.exporter import ExportReport
from journal_mcp.transfer.importer import ImportReport


def show_stats(output: Output, report: StatsReport) -> None:
    if output.json:
        output.data(report)
        return
    journals = report.journals
    if report.shared:
        output.note("The project and user journals are one database here (no project directory).")
    table = Table(title="Journals", show_lines=False)
    table.add_column("")
    for item in journals:
        table.add_column(item.type, justify="right")
    rows: list[tuple[str, list[str]]] = [
        ("entries", [str(j.entries) if j.exists else "(none yet)" for j in journals]),
        *(
            (f"  {title}", [str(j.sections.get(title, 0)) for j in journals])
            for title in SECTION_TITLES.values()
            if any(title in j.sections for j in journals)
        ),
        ("oldest", [j.first or "-" for j in journals]),
        ("newest", [j.last or "-" for j in journals]),
        ("size", [human_bytes(j.db_bytes) if j.exists else "-" for j in journals]),
        ("database", [j.database for j in journals]),
    ]
    if any(j.read_only for j in journals):
        rows.append(("read-only", [j.read_only or "no" for j in journals]))
    if output.rich:
        for label, values in rows:
            table.add_row(label, *(escape(v) for v in values))
        output.out.print(table)
    else:
        rows.insert(0, ("journal", [j.type for j in journals]))
        for label, values in rows:
            output.text(f"{label.strip()}: {' | '.join(values)}")
    for line in embedding_lines(report):
        output.text(line)


def embedding_lines(report: StatsReport) -> list[str]:
    if not report.semantic:
        return ["semantic search: off (JOURNAL_MCP_SEMANTIC=0); keyword search only"]
    lines = [f"embedding model: {report.model or 'unknown'}" + (f" ({report.model_note})" if report.model_note else "")]
    for item in report.embeddings:
        if item.embedded is not None:
            share = f" ({item.coverage:.0%})" if item.coverage is not None else ""
            lines.append(f"embedded: {item.embedded} of {item.entries} entries{share} in {item.database}")
        else:
            lines.append(f"entries: {item.entries} in {item.database}")
        for m in item.models:
            mark = " [configured]" if m.configured else ""
            lines.append(
                f"  {m.name} ({m.dimension} dims, {m.fingerprint[:12]}){mark}: "
                f"{m.entries_embedded} entries, {m.vectors} vectors"
            )
    return lines


def show_import(output: Output, report: ImportReport) -> None:
    if output.json:
        output.data(report)
        return
    verb = "would import" if report.dry_run else "imported"
    per_type = ", ".join(f"{n} {kind}" for kind, n in sorted(report.by_type.items()))
    lines = [
        f"{report.files} entry files read; {verb} {report.imported} entries" + (f" ({per_type})" if per_type else ""),
        f"{report.duplicates} already in the journal (skipped as duplicates)",
    ]
    if report.redactions:
        lines.append(f"{report.redactions} secret(s) replaced by [REDACTED:...]")
    if report.sidecars_ignored:
        lines.append(f"{report.sidecars_ignored} old .embedding files ignored (this server builds its own vectors)")
    if report.skipped:
        lines.append(f"{len(report.skipped)} file(s) skipped:")
        lines += [f"  {s.path}: {s.reason}" for s in report.skipped]
    if report.dry_run:
        lines.append("dry run: nothing was written")
    for line in lines:
        if output.rich and line.endswith("skipped:"):
            output.out.print(f"[yellow]{escape(line)}[/yellow]")
        else:
            output.text(line)


def show_export(output: Output, report: ExportReport) -> None:
    if output.json:
        output.data(report)
        return
    per_type = ", ".join(f"{n} {kind}" for kind, n in sorted(report.by_type.items()))
    output.text(
        f"exported {report.entries} entries" + (f" ({per_type})" if per_type else "") + f" to {report.destination}"
    )
    for path in report.renamed:
        output.text(f"  two entries shared an instant; the second is {path}")


def show_backup(output: Output, report: BackupReport) -> None:
    if output.json:
        output.data(report)
        return
    for copy in report.copies:
        output.text(
            f"{copy.journal} journal: {copy.entries} entries, {human_bytes(copy.bytes)} -> {copy.destination} "
            f"(integrity {copy.integrity})"
        )
    for missing in report.missing:
        output.text(f"not backed up (does not exist yet): {missing}")
