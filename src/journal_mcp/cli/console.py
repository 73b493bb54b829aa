"""Human output for the CLI: rich tables and colour on a terminal, plain text when piped, JSON on request.

Results go to standard output, progress bars and notes to standard error, so
``journal-mcp search x --json | jq`` and ``journal-mcp export --format jsonl | ...`` stay clean.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from journal_mcp.core.models import EntryListing, EntryView, SearchResult
from journal_mcp.server import formatting


@dataclass
class Output:
    """Where and how a command prints."""

    json: bool = False
    out: Console = field(default_factory=lambda: Console(file=sys.stdout, soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(file=sys.stderr, soft_wrap=True))

    @property
    def rich(self) -> bool:
        """Tables and colour only on a terminal and when JSON was not asked for."""
        return not self.json and self.out.is_terminal

    def data(self, model: BaseModel) -> None:
        print(model.model_dump_json(indent=2), file=self.out.file, flush=True)

    def text(self, text: str) -> None:
        print(text, file=self.out.file, flush=True)

    def note(self, text: str, style: str = "dim") -> None:
        """A remark on stderr (never mixed into results)."""
        if self.err.is_terminal:
            self.err.print(escape(text), style=style, highlight=False)
        else:
            print(text, file=self.err.file, flush=True)

    @contextlib.contextmanager
    def progress(self, description: str) -> Iterator[Bar]:
        """A progress bar on stderr when it is a terminal (and JSON output was not asked for)."""
        enabled = self.err.is_terminal and not self.json
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.err,
            transient=True,
            disable=not enabled,
            redirect_stdout=False,
            redirect_stderr=False,
        ) as progress:
            yield Bar(progress, progress.add_task(description, total=None))


@dataclass
class Bar:
    progress: Progress
    task: object

    def start(self, total: int) -> None:
        self.progress.update(self.task, total=total)  # type: ignore[arg-type]

    def advance(self) -> None:
        self.progress.advance(self.task)  # type: ignore[arg-type]

    def update(self, done: int, total: int) -> None:
        """A `(done, total)` progress callback (reindex uses this form)."""
        self.progress.update(self.task, completed=done, total=total)  # type: ignore[arg-type]


def hits_table(title: str, result: SearchResult | EntryListing, *, scores: bool) -> Table:
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    if scores:
        table.add_column("match", no_wrap=True)
    table.add_column("when / journal", no_wrap=True)
    table.add_column("entry", ratio=1)
    for i, hit in enumerate(result.hits, 1):
        when = f"{hit.timestamp.replace('T', ' ')[:16]}\n[cyan]{hit.type}[/cyan]"
        body = f"[bold]{escape(', '.join(hit.sections))}[/bold]\n{escape(hit.excerpt)}\n[dim]{escape(hit.path)}[/dim]"
        row = [str(i)]
        if scores:
            parts = [f"{hit.score:.3f}" if hit.score is not None else "", "+".join(hit.matched)]
            row.append("\n".join(p for p in parts if p))
        table.add_row(*row, when, body)
    return table


def show_search(output: Output, result: SearchResult) -> None:
    if output.json:
        output.data(result)
    elif not output.rich:
        output.text(formatting.search_text(result))
    else:
        if result.notice:
            output.out.print(f"[yellow]Note:[/yellow] {escape(result.notice)}")
        if not result.hits:
            output.out.print("No relevant entries found.")
            return
        output.out.print(
            hits_table(
                f"{len(result.hits)} {'entry' if len(result.hits) == 1 else 'entries'} for “{escape(result.query)}” "
                f"({result.mode})",
                result,
                scores=True,
            )
        )


def show_listing(output: Output, result: EntryListing, days: float) -> None:
    if output.json:
        output.data(result)
    elif not output.rich:
        output.text(formatting.listing_text(result, days))
    elif not result.hits:
        output.out.print(f"No entries in the last {days:g} days.")
    else:
        output.out.print(hits_table(f"Recent entries (last {days:g} days)", result, scores=False))


def show_entry(output: Output, view: EntryView) -> None:
    if output.json:
        output.data(view)
    elif not output.rich:
        output.text(view.text.rstrip("\n"))
    else:
        from rich.markdown import Markdown

        output.out.print(Markdown(view.text))


def dump_json(output: Output, payload: object) -> None:
    print(json.dumps(payload, indent=2, ensure_ascii=False), file=output.out.file, flush=True)


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
