"""What every `journal-mcp` command is made of: its exit codes, the `Command` record, and the
helpers the command groups share (the --type option, the settings, opening the journal)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journal_mcp.cli.console import Output
from journal_mcp.core.config import Settings

if TYPE_CHECKING:
    from journal_mcp.service.journal import Journal

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `cat big | head`

EXIT_CODES = """\
exit codes:
  0  success
  1  failed (the message on stderr says why; nothing half-done is left behind)
  2  bad usage or input you can fix (unknown option, bad date, existing destination...)
  3  partly done: import finished but skipped some files (listed in the report)
  130 interrupted (Ctrl-C)
  141 the reader of the output went away (e.g. `| head`)"""


@dataclass(frozen=True)
class Command:
    """One subcommand: its name and help texts, its parser set-up and `run(args, output) -> exit code`."""

    name: str
    help: str
    description: str
    examples: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Output], int]
    json_option: bool = True


def type_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type", choices=["both", "project", "user"], default="both", help="which journal (default: both)"
    )


def load_settings() -> Settings:
    return Settings.from_env()


def open_journal() -> Journal:
    from journal_mcp.service.journal import Journal
    from journal_mcp.transfer.legacy import import_legacy_once

    journal = Journal(load_settings())
    import_legacy_once(journal)
    return journal
