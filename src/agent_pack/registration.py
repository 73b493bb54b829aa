"""Plan the pack's MCP server registrations (`private-journal`, then `serving-math`): entries in a
project's `.mcp.json`, or `claude mcp add/remove --scope user` for the user scope.

The entries of one `.mcp.json` are planned in turn against the file as the earlier steps leave it,
so each step's bytes keep the servers the steps before it wrote; the file is backed up once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent_pack import mcp_config
from agent_pack.manifest import Manifest, McpRecord
from agent_pack.scope import Scope
from agent_pack.servers import journal_server
from agent_pack.steps import Mode, Options, Step


@dataclass
class PendingFile:
    """`.mcp.json` as the steps planned so far leave it."""

    config: dict[str, Any] | None
    existed: bool
    backed_up: bool = False

    def write(self, step: Step, config: dict[str, Any]) -> None:
        self.config = config
        step.data = mcp_config.dump(config)
        step.backup = self.existed and not self.backed_up
        self.backed_up = self.backed_up or step.backup


def server_entries(scope: Scope, options: Options) -> list[tuple[str, dict[str, Any]]]:
    """(name, entry) for each server the pack registers; serving-math is always a local stdio server."""
    journal = (
        mcp_config.http_entry(
            options.http_url,
            journal_server(options.http_url).headers_helper(scope.root if scope.kind == "project" else None),
        )
        if options.http_url
        else mcp_config.stdio_entry(mcp_config.find_journal_mcp())
    )
    math = mcp_config.stdio_entry(mcp_config.find_command(mcp_config.MATH_COMMAND))
    return [(mcp_config.SERVER_NAME, journal), (mcp_config.MATH_SERVER_NAME, math)]


def plan_register_all(scope: Scope, new: Manifest, mode: Mode, options: Options) -> list[Step]:
    entries = server_entries(scope, options)
    if scope.kind == "user":
        return [_plan_register_user(scope, new, name, entry, mode, options) for name, entry in entries]
    config = mcp_config.load(scope.mcp_json)  # a malformed file stops the whole command before anything is written
    pending = PendingFile(config, existed=config is not None)
    return [_plan_register(scope, new, name, entry, mode, options, pending) for name, entry in entries]


def _plan_register(
    scope: Scope, new: Manifest, name: str, entry: dict[str, Any], mode: Mode, options: Options, pending: PendingFile
) -> Step:
    path = scope.mcp_json
    config = pending.config
    current = mcp_config.current_entry(config, name)
    record = new.record(name)
    fresh = McpRecord(method="mcp-json", entry_sha256=mcp_config.entry_hash(entry), created_file=not pending.existed)
    step = Step(action="unchanged", path=f"{scope.display(path)} ({name})", message="up to date", abs_path=path)
    if current is None:
        if record is not None and mode == "update":
            step.action, step.message = "not-restored", "you removed the entry; `agent-pack install` puts it back"
            return step
        step.action = "register"
        pending.write(step, mcp_config.with_entry(config, entry, name))
        step.message = f"add the {name} server" + ("" if config is None else ", keeping the other servers")
        new.set_record(name, fresh)
        return step
    if mcp_config.normalise(current) == mcp_config.normalise(entry):
        if record is None:
            step.action, step.message = "adopt", "an identical entry was already there; now recorded as the pack's"
            new.set_record(name, fresh)
        else:
            new.set_record(name, fresh.model_copy(update={"created_file": record.created_file}))
        return step
    owned_unedited = record is not None and mcp_config.entry_hash(current) == record.entry_sha256
    why = "edited since the pack registered it" if record is not None else "is another server of the same name"
    if owned_unedited or options.force:
        step.action = "update" if owned_unedited else "replace"
        pending.write(step, mcp_config.with_entry(config, entry, name))
        step.message = "new server command" if owned_unedited else f"{why}; backed up, then replaced (--force)"
        new.set_record(name, fresh.model_copy(update={"created_file": record.created_file if record else False}))
        return step
    step.action, step.refused = "skip", True
    step.message = f"{why}; left as it is (--force replaces it, keeping a backup)"
    return step


def _plan_register_user(
    scope: Scope, new: Manifest, name: str, entry: dict[str, Any], mode: Mode, options: Options
) -> Step:
    current = mcp_config.user_entry(scope.root, name)
    record = new.record(name)
    fresh = McpRecord(method="claude-cli", entry_sha256=mcp_config.entry_hash(entry))
    add = mcp_config.claude_add_argv(entry, name)
    step = Step(action="unchanged", path=f"~/.claude.json ({name})", message="up to date")
    if current is not None and mcp_config.normalise(current) == mcp_config.normalise(entry):
        if record is None:
            step.action, step.message = (
                "adopt",
                "an identical registration was already there; now recorded as the pack's",
            )
        new.set_record(name, fresh)
        return step
    if current is None and record is not None and mode == "update":
        step.action, step.message = "not-restored", "you removed the registration; `agent-pack install` puts it back"
        return step
    commands = [add]
    if current is not None:
        owned_unedited = record is not None and mcp_config.entry_hash(current) == record.entry_sha256
        if not (owned_unedited or options.force):
            step.action, step.refused = "skip", True
            why = "edited since the pack registered it" if record is not None else "is another server of the same name"
            step.message = f"{why}; left as it is (--force replaces it)"
            return step
        commands = [mcp_config.claude_remove_argv(name), add]
    step.command = add
    if options.claude_cli is None:
        step.action = "manual"
        step.message = "the claude CLI is not on PATH: run the command shown to register the server"
        return step
    step.action = "register" if current is None else ("update" if record is not None else "replace")
    step.message = f"{' '.join(add[:5])} {name}"
    if entry.get("type") == "http":
        step.message += (
            "; Claude Code does not tell a user-scope server which project is open, so project notes go to "
            "your user journal (run `agent-pack install --http URL` in a project to give it its own)"
        )
    step.run = [[options.claude_cli, *argv[1:]] for argv in commands]
    new.set_record(name, fresh)
    return step


def plan_unregister_all(scope: Scope, new: Manifest, manifest: Manifest, options: Options) -> list[Step]:
    records = manifest.registrations()
    if not records:
        return []
    pending: PendingFile | None = None
    if any(r.method == "mcp-json" for r in records.values()):
        config = mcp_config.load(scope.mcp_json)
        pending = PendingFile(config, existed=config is not None)
    created = any(r.created_file for r in records.values() if r.method == "mcp-json")
    if pending is not None and created and _all_removed(pending.config, records, options) == {"mcpServers": {}}:
        pending.backed_up = True  # the file the pack created goes away at the end: nothing to back up
    steps = []
    for name, record in records.items():
        if record.method == "claude-cli":
            steps.append(_plan_unregister_user(scope, new, name, record, options))
        else:
            assert pending is not None
            steps.append(_plan_unregister(scope, new, name, record, options, pending, created))
    return steps


def _all_removed(config: dict[str, Any] | None, records: dict[str, McpRecord], options: Options) -> dict[str, Any]:
    """`config` without every entry the pack may remove (unedited ones, or all of them with --force)."""
    result = config or {}
    for name, record in records.items():
        current = mcp_config.current_entry(result, name)
        removable = current is not None and (options.force or mcp_config.entry_hash(current) == record.entry_sha256)
        if record.method == "mcp-json" and removable:
            result = mcp_config.without_entry(result, name)
    return result


def _plan_unregister_user(scope: Scope, new: Manifest, name: str, record: McpRecord, options: Options) -> Step:
    current = mcp_config.user_entry(scope.root, name)
    step = Step(action="unregister", path=f"~/.claude.json ({name})", message="")
    if current is None:
        step.action, step.message = "forget", "already unregistered"
        new.set_record(name, None)
    elif mcp_config.entry_hash(current) != record.entry_sha256 and not options.force:
        step.action, step.refused = "skip", True
        step.message = "edited since the pack registered it; left as it is (--force removes it)"
    else:
        step.command = mcp_config.claude_remove_argv(name)
        new.set_record(name, None)
        if options.claude_cli is None:
            step.action, step.message = "manual", "the claude CLI is not on PATH: run the command shown"
        else:
            step.message = "claude mcp remove --scope user"
            step.run = [[options.claude_cli, *step.command[1:]]]
    return step


def _plan_unregister(
    scope: Scope, new: Manifest, name: str, record: McpRecord, options: Options, pending: PendingFile, created: bool
) -> Step:
    path = scope.mcp_json
    config = pending.config
    current = mcp_config.current_entry(config, name)
    step = Step(action="unregister", path=f"{scope.display(path)} ({name})", message="", abs_path=path)
    if config is None or current is None:
        step.action, step.message = "forget", "already gone"
        new.set_record(name, None)
        return step
    edited = mcp_config.entry_hash(current) != record.entry_sha256
    if edited and not options.force:
        step.action, step.refused = "skip", True
        step.message = "edited since the pack registered it; left as it is (--force removes it, keeping a backup)"
        return step
    remaining = mcp_config.without_entry(config, name)
    new.set_record(name, None)
    if created and remaining == {"mcpServers": {}}:
        pending.config = remaining
        step.delete, step.message = True, "remove the entry, and the file the pack created"
    else:
        pending.write(step, remaining)
        step.message = "remove the entry, keeping the other servers"
    return step
