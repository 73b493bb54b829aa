"""`agent-pack`: list, validate, install, update, uninstall and inspect the pack's Claude Code agents."""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from agent_pack import __version__, clients, gitignore, installer, manifest, plan, validate
from agent_pack.agents import bundled_agents
from agent_pack.clients.command import build_plan
from agent_pack.clients.status import client_statuses
from agent_pack.errors import AgentPackError
from agent_pack.plugin_state import enabled_plugin
from agent_pack.scope import Scope, other_scope, project_scope, user_scope
from agent_pack.status import StatusReport, status

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
LIST_SUMMARY_MIN = 60  # characters of each description `list` shows at least

log = logging.getLogger("agent_pack")

EPILOG = """\
examples:
  agent-pack list
  agent-pack install                     agents and the skill into ./.claude, journal and serving-math servers into
                                         ./.mcp.json, journal hooks into ./.claude/settings.local.json
  agent-pack install --gitignore         ... and keep the machine-specific files out of git
  agent-pack install --user              agents into ~/.claude/agents, servers via `claude mcp add --scope user`
  agent-pack install --dry-run --json    what would change, as JSON
  agent-pack install --client cursor     the servers into ./.cursor/mcp.json (also: claude-desktop, vscode,
                                         windsurf, codex, gemini-cli; --user for the user's config)
  agent-pack status --project ~/src/app
  agent-pack uninstall

exit codes: 0 success; 1 something was refused (a file not the pack's, or edited), a check failed,
or an error; 2 bad usage."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-pack",
        description="Install the journal-agent-pack subagents into Claude Code and register the private-journal server.",
        epilog=EPILOG,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"agent-pack {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawTextHelpFormatter,
        )

    def scoped(p: argparse.ArgumentParser) -> None:
        where = p.add_mutually_exclusive_group()
        where.add_argument(
            "--project", metavar="DIR", type=Path, help="the project to use (default: the current directory)"
        )
        where.add_argument(
            "--user", action="store_true", help="use ~/.claude/agents (all your projects) instead of a project"
        )
        p.add_argument("--json", action="store_true", help="print the result as JSON")

    def changing(p: argparse.ArgumentParser, registers: bool) -> None:
        scoped(p)
        p.add_argument("--dry-run", action="store_true", help="show what would change and change nothing")
        p.add_argument(
            "--force",
            action="store_true",
            help="also replace or remove files that are not the pack's or were edited, keeping a backup",
        )
        p.add_argument(
            "--no-mcp",
            action="store_true",
            help="leave the MCP server registrations (private-journal, serving-math) alone",
        )
        p.add_argument(
            "--client",
            action="append",
            choices=clients.NAMES,
            metavar="NAME",
            help="the MCP client to register the servers with (repeatable; default claude-code): "
            + ", ".join(clients.NAMES),
        )
        p.add_argument(
            "--no-hooks", action="store_true", help="leave the journal hooks in Claude Code's settings alone"
        )
        if registers:
            p.add_argument(
                "--ignore-plugin",
                action="store_true",
                help="install even where the journal-agent-pack plugin is enabled (two servers, duplicate agents)",
            )
            p.add_argument(
                "--gitignore",
                action="store_true",
                help="add .mcp.json and .claude/agent-pack.json (absolute paths: this machine only) to the project's .gitignore",
            )
            p.add_argument(
                "--http",
                metavar="URL",
                help="register the shared journal server at URL (journal-mcp serve --http; the client runs `journal-mcp http-headers` for the token) instead of the local command",
            )

    p = command("list", "list the agents this package ships", "agent-pack list --json")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p = command(
        "validate", "check agent files against Claude Code's frontmatter rules", "agent-pack validate .claude/agents"
    )
    p.add_argument(
        "path", nargs="?", type=Path, help="an agent file or a directory of them (default: the shipped agents)"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    changing(
        command(
            "install", "install the agents and register the journal server", "agent-pack install --project ~/src/app"
        ),
        True,
    )
    changing(
        command(
            "update",
            "bring installed agents to this version; edited files are reported, not replaced",
            "agent-pack update --user",
        ),
        True,
    )
    changing(
        command("uninstall", "remove what the pack installed, and only that", "agent-pack uninstall --dry-run"), False
    )
    scoped(
        command(
            "status",
            "show each agent's state: installed, outdated, edited, missing, shadowed",
            "agent-pack status --user",
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="agent-pack: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        code = run(args)
    except AgentPackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        code = EXIT_PROBLEMS
    sys.exit(code)


def run(args: argparse.Namespace) -> int:
    if args.command == "list":
        return cmd_list(args)
    if args.command == "validate":
        return cmd_validate(args)
    scope = user_scope() if args.user else project_scope(args.project or Path.cwd())
    if args.command == "status":
        return cmd_status(args, scope)
    return cmd_change(args, scope)


def cmd_list(args: argparse.Namespace) -> int:
    rows = [
        {
            "name": item.name,
            "file": item.filename,
            "model": (item.agent.frontmatter or {}).get("model"),
            "color": (item.agent.frontmatter or {}).get("color"),
            "description": item.agent.description or "",
        }
        for item in bundled_agents()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    # Each description's first sentence: whole when piped; on a terminal, cut at a word (never
    # mid-word) to fit its width, showing at least LIST_SUMMARY_MIN characters.
    width = max(LIST_SUMMARY_MIN, shutil.get_terminal_size().columns - 50) if sys.stdout.isatty() else None
    for row in rows:
        summary = str(row["description"]).split(". ")[0]
        if width is not None:
            summary = textwrap.shorten(summary, width, placeholder=" …")
        print(f"{row['name']:<40} {row['model'] or '-':<8} {summary}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    if args.path is None:
        problems = []
        seen: dict[str, str] = {}
        for item in bundled_agents():
            _, found = validate.check_text(item.content.decode("utf-8"), item.filename)
            problems += found
            if item.name in seen:
                problems.append(
                    validate.Problem(
                        path=item.filename,
                        severity="error",
                        field="name",
                        message=f"{item.name!r} is also the name of {seen[item.name]}",
                    )
                )
            seen[item.name] = item.filename
        checked = len(seen)
    else:
        if not args.path.exists():
            raise AgentPackError(f"{args.path} does not exist")
        paths = validate.agent_paths(args.path)
        problems = validate.check_files(paths)
        checked = len(paths)
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        print(
            json.dumps(
                {"checked": checked, "errors": len(errors), "problems": [p.model_dump() for p in problems]}, indent=2
            )
        )
    else:
        for problem in problems:
            print(problem.render())
        print(f"{checked} agent file(s) checked: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    return EXIT_PROBLEMS if errors else EXIT_OK


def cmd_status(args: argparse.Namespace, scope: Scope) -> int:
    current = manifest.load(scope, __version__)
    report = status(scope, current, bundled_agents(), other_scope(scope), plugin=enabled_plugin(scope))
    report.clients = client_statuses(scope, current)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(render_status(report))
    return EXIT_OK if report.healthy else EXIT_PROBLEMS


def render_status(report: StatusReport) -> str:
    lines = [f"agent-pack status ({report.scope}: {report.root})"]
    for agent in report.agents:
        line = f"  {agent.label:<14} {agent.agent:<40} {agent.path}"
        if agent.shadowed_by:
            line += f"  (same name in: {'; '.join(agent.shadowed_by)})"
        lines.append(line)
    for server in ([report.mcp] if report.mcp is not None else []) + report.mcp_servers:
        detail = f"  {server.detail}" if server.detail else ""
        lines.append(f"  {server.state:<14} {server.name:<40} {server.where}{detail}")
    for entry in report.clients:
        detail = f"  {entry.detail}" if entry.detail else ""
        lines.append(f"  {entry.state:<14} {entry.name + ' (' + entry.client + ')':<40} {entry.where}{detail}")
    lines.append(f"  {report.hooks:<14} {'journal hooks (SessionStart, Stop)':<40}")
    if report.plugin is not None:
        lines.append(f"  {'plugin':<14} {'journal-agent-pack':<40} {report.plugin}")
        if report.duplicate:
            lines.append(
                "  duplicate: the plugin and this install both provide the agents and a journal server "
                "(two servers, each agent twice); run `agent-pack uninstall` here, or disable the plugin: "
                "claude plugin disable journal-agent-pack@journal-agent-pack"
            )
        else:
            lines.append("  the plugin provides the agents, the journal server, the hooks and the skill")
    return "\n".join(lines)


def cmd_change(args: argparse.Namespace, scope: Scope) -> int:
    if not args.dry_run:
        scope.check_writable()
    if getattr(args, "gitignore", False) and scope.kind == "user":
        raise AgentPackError(
            "--gitignore is for a project install; a --user install writes nothing into a project",
            hint="drop --gitignore, or install into the project with --project DIR",
        )
    options = plan.Options(
        force=args.force,
        mcp=not args.no_mcp,
        hooks=not args.no_hooks,
        http_url=getattr(args, "http", None),
        claude_cli=plan.detect_claude(),
        gitignore=getattr(args, "gitignore", False),
        plugin=None if getattr(args, "ignore_plugin", True) else enabled_plugin(scope),
    )
    current = manifest.load(scope, __version__)
    the_plan = build_plan(args.command, scope, current, options, args.client)
    if not args.dry_run:
        installer.apply(the_plan, scope)
    if args.json:
        data = the_plan.model_dump(mode="json")
        data.update(dry_run=args.dry_run, refused=the_plan.refused)
        print(json.dumps(data, indent=2))
    else:
        print(render_plan(the_plan, args.dry_run))
        if args.command != "uninstall" and not args.dry_run and scope.kind == "project":
            note = machine_files_note(scope)
            if note:
                print(note)
    return EXIT_PROBLEMS if the_plan.refused else EXIT_OK


def machine_files_note(scope: Scope) -> str | None:
    """Say which files of this install only fit this machine, when its git repository would commit them."""
    unignored = gitignore.unignored_machine_files(scope)
    if not unignored:
        return None
    where = "" if Path.cwd().resolve() == scope.root.resolve() else f" --project {shlex.quote(str(scope.root))}"
    return (
        f"note: {' and '.join(unignored)} hold this machine's paths (the server's absolute command); "
        "don't commit them.\n"
        f"hint: `agent-pack install --gitignore{where}` adds them to .gitignore; `agent-pack install --user` "
        "keeps the registration out of the project (the agents in .claude/agents/ are fine to commit)"
    )


def render_plan(the_plan: plan.Plan, dry_run: bool) -> str:
    lines = [
        f"agent-pack {the_plan.command} ({the_plan.scope}: {the_plan.root})"
        + (" -- dry run, nothing changed" if dry_run else "")
    ]
    for step in the_plan.steps:
        lines.append(f"  {step.action:<12} {step.path}  {step.message}")
        if step.command and step.action == "manual":
            lines.append(f"               run: {shlex.join(step.command)}")
    refused = [s for s in the_plan.steps if s.refused]
    # A "manual" step is a command for the user to run: nothing changed yet.
    changed = [s for s in the_plan.steps if s.action not in plan.NO_CHANGE and s.action != "manual"]
    verb = "would change" if dry_run else "changed"
    lines.append(f"{len(changed)} {verb}, {len(refused)} refused.")
    if refused:
        lines.append("hint: the refused files were left untouched; --force replaces or removes them, keeping a backup")
    return "\n".join(lines)
