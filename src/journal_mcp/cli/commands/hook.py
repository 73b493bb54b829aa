"""`journal-mcp hook session-start|stop|subagent-stop`: the Claude Code hooks (the work is in journal_mcp.hooks)."""

from __future__ import annotations

import argparse
import sys

from journal_mcp.cli.command import Command
from journal_mcp.cli.console import Output


def _hook_args(p: argparse.ArgumentParser) -> None:
    from journal_mcp.hooks.run import EVENTS

    p.add_argument("event", choices=EVENTS, help=f"which hook: {', '.join(EVENTS)}")


def _run_hook(args: argparse.Namespace, output: Output) -> int:
    from journal_mcp.hooks.run import run_hook

    return run_hook(args.event, sys.stdin, sys.stdout)


COMMANDS: list[Command] = [
    Command(
        "hook",
        "Claude Code hooks: the session-start briefing and the end-of-work reminders",
        "Run one Claude Code hook (agent-pack install and the plugin register them). Reads the hook's JSON on "
        "stdin. session-start prints a short briefing from the journal (this project's newest entries, with "
        "ids, at most 1,500 characters) for the model's context; stop asks once a session, when the session "
        "used tools and wrote nothing to the journal, to record what it learned; subagent-stop asks the same of one "
        "of the pack's agents once per task, before it hands its answer back. Never loads the embedding model, "
        "never changes the journal, never fails the session. JOURNAL_MCP_HOOKS=0 turns them all off.",
        '  echo \'{"session_id": "s1"}\' | journal-mcp hook session-start',
        _hook_args,
        _run_hook,
        json_option=False,
    ),
]
