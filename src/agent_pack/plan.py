"""Work out what install, update or uninstall would change, without changing anything (`--dry-run` prints this)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent_pack import gitignore, mcp_config
from agent_pack.agents import BundledAgent
from agent_pack.fsio import sha256_bytes
from agent_pack.manifest import FileRecord, Manifest, McpRecord
from agent_pack.plan_hooks import plan_hooks, plan_unhooks
from agent_pack.scope import Scope, is_pack_source
from agent_pack.steps import NO_CHANGE, Action, Mode, Step


class Plan(BaseModel):
    command: Mode
    scope: str
    root: str
    steps: list[Step] = Field(default_factory=list)
    manifest: Manifest = Field(exclude=True)
    original: Manifest = Field(exclude=True)
    new_dirs: list[Path] = Field(default_factory=list, exclude=True)

    @property
    def refused(self) -> bool:
        return any(step.refused for step in self.steps)

    @property
    def changes(self) -> bool:
        return any(s.action not in NO_CHANGE for s in self.steps)


@dataclass(frozen=True)
class Options:
    force: bool = False
    mcp: bool = True
    hooks: bool = True
    http_url: str | None = None
    claude_cli: str | None = None  # absolute path of `claude`, when found
    plugin: str | None = None  # where the journal-agent-pack plugin is enabled, when it is
    gitignore: bool = False  # add the machine-specific files to the project's .gitignore


def detect_claude() -> str | None:
    return shutil.which("claude")


def _current_bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() and not path.is_symlink() else None


def plan_install(
    scope: Scope,
    manifest: Manifest,
    bundle: list[BundledAgent],
    mode: Mode,
    options: Options,
    skills: Sequence[BundledAgent] = (),
) -> Plan:
    new = manifest.model_copy(deep=True)
    plan = Plan(command=mode, scope=scope.kind, root=str(scope.root), manifest=new, original=manifest)
    if options.plugin is not None and not manifest.files and manifest.mcp is None and manifest.hooks is None:
        message = (
            f"the journal-agent-pack plugin is enabled ({options.plugin}) and provides the agents, the "
            "private-journal server, the hooks and the skill: nothing installed here, so there is one journal "
            "server and one copy of each agent (--ignore-plugin installs anyway)"
        )
        plan.steps.append(Step(action="plugin", path=scope.display(scope.claude_dir), message=message))
        return plan
    skill_dirs = sorted({(scope.skills_dir / item.filename).parent for item in skills})
    wanted_dirs = [scope.claude_dir, scope.agents_dir] + ([scope.skills_dir, *skill_dirs] if skills else [])
    for directory in wanted_dirs:
        if not directory.exists():
            plan.new_dirs.append(directory)
            if scope.rel(directory) not in new.created_dirs:
                new.created_dirs.append(scope.rel(directory))
    # `./install.sh` run where the pack was cloned: adopting its source files would let a later
    # uninstall delete them, so they are never recorded (and any earlier record is forgotten).
    source_checkout = scope.kind == "project" and is_pack_source(scope.root)
    shipped = set()
    placed = [(scope.agents_dir / item.filename, item) for item in bundle]
    placed += [(scope.skills_dir / item.filename, item) for item in skills]
    for path, item in placed:
        rel = scope.rel(path)
        shipped.add(rel)
        if source_checkout and path.parent == scope.agents_dir:
            new.files.pop(rel, None)
            message = "the pack's own checkout: this file is the source; the pack never records or removes it"
            plan.steps.append(Step(action="source", path=scope.display(path), agent=item.name, message=message))
            continue
        plan.steps.append(_plan_agent(scope, new, item, path, rel, mode, options))
    for rel, record in sorted(manifest.files.items()):
        if rel not in shipped:
            plan.steps.append(_plan_dropped(scope, new, rel, record))
    if options.mcp:
        entry = (
            mcp_config.http_entry(options.http_url, scope.root if scope.kind == "project" else None)
            if options.http_url
            else mcp_config.stdio_entry(mcp_config.find_journal_mcp())
        )
        plan.steps.append(_plan_register(scope, new, entry, mode, options))
    if options.hooks:
        plan.steps.append(plan_hooks(scope, new, mcp_config.find_journal_mcp(), mode, options.force))
    if options.gitignore and scope.kind == "project":
        plan.steps.append(_plan_gitignore(scope, new))
    return plan


def _plan_gitignore(scope: Scope, new: Manifest) -> Step:
    path = scope.root / ".gitignore"
    existed = path.exists()
    data, message = gitignore.with_entries(scope, new)
    action: Action = "unchanged" if data is None else ("update" if existed else "create")
    return Step(action=action, path=".gitignore", message=message, abs_path=path, data=data)


def _plan_agent(
    scope: Scope, new: Manifest, item: BundledAgent, path: Path, rel: str, mode: Mode, options: Options
) -> Step:
    shown = scope.display(path)
    record = new.files.get(rel)
    fresh = FileRecord(agent=item.name, sha256=item.sha256)
    step = Step(action="unchanged", path=shown, agent=item.name, message="", abs_path=path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        step.action, step.refused = "skip", True
        step.message = "is a symlink or not a regular file; the pack does not write through it"
        return step
    current = _current_bytes(path)
    if current is None:
        if record is not None and mode == "update":
            step.action, step.message = "not-restored", "you removed it; `agent-pack install` puts it back"
            return step
        step.action, step.message, step.data = "create", "new agent file", item.content
        new.files[rel] = fresh
        return step
    if current == item.content:
        step.action = "unchanged" if record == fresh else "adopt"
        step.message = (
            "up to date" if step.action == "unchanged" else "identical to the pack's file; now recorded as the pack's"
        )
        new.files[rel] = fresh
        return step
    owned_unedited = record is not None and sha256_bytes(current) == record.sha256
    if owned_unedited:
        step.action, step.message, step.data = "update", "new version of the pack's file", item.content
        new.files[rel] = fresh
        return step
    why = "edited since the pack installed it" if record is not None else "exists and is not the pack's file"
    if options.force:
        step.action, step.backup, step.data = "replace", True, item.content
        step.message = f"{why}; backed up, then replaced (--force)"
        new.files[rel] = fresh
        return step
    step.action, step.refused = "skip", True
    step.message = f"{why}; left as it is (--force replaces it, keeping a backup)"
    return step


def _plan_dropped(scope: Scope, new: Manifest, rel: str, record: FileRecord) -> Step:
    """A file an earlier version of the pack installed that this version no longer ships."""
    path = scope.root / rel
    current = _current_bytes(path)
    del new.files[rel]
    if current is None:
        return Step(
            action="forget", path=scope.display(path), agent=record.agent, message="no longer shipped; already gone"
        )
    if sha256_bytes(current) == record.sha256:
        return Step(
            action="remove",
            path=scope.display(path),
            agent=record.agent,
            message="no longer shipped",
            abs_path=path,
            delete=True,
        )
    return Step(
        action="forget",
        path=scope.display(path),
        agent=record.agent,
        message="no longer shipped; you edited it, so it stays as yours",
    )


def _plan_register(scope: Scope, new: Manifest, entry: dict[str, Any], mode: Mode, options: Options) -> Step:
    if scope.kind == "user":
        return _plan_register_user(scope, new, entry, mode, options)
    path = scope.mcp_json
    config = mcp_config.load(path)  # a malformed file stops the whole command before anything is written
    current = mcp_config.current_entry(config)
    record = new.mcp
    fresh = McpRecord(method="mcp-json", entry_sha256=mcp_config.entry_hash(entry), created_file=config is None)
    name = f"{scope.display(path)} ({mcp_config.SERVER_NAME})"
    step = Step(action="unchanged", path=name, message="up to date", abs_path=path)
    if current is None:
        if record is not None and mode == "update":
            step.action, step.message = "not-restored", "you removed the entry; `agent-pack install` puts it back"
            return step
        step.action, step.data, step.backup = (
            "register",
            mcp_config.dump(mcp_config.with_entry(config, entry)),
            config is not None,
        )
        step.message = f"add the {mcp_config.SERVER_NAME} server" + (
            "" if config is None else ", keeping the other servers"
        )
        new.mcp = fresh
        return step
    if mcp_config.normalise(current) == mcp_config.normalise(entry):
        if record is None:
            step.action, step.message = "adopt", "an identical entry was already there; now recorded as the pack's"
            new.mcp = fresh
        else:
            new.mcp = fresh.model_copy(update={"created_file": record.created_file})
        return step
    owned_unedited = record is not None and mcp_config.entry_hash(current) == record.entry_sha256
    why = "edited since the pack registered it" if record is not None else "is another server of the same name"
    if owned_unedited or options.force:
        step.action, step.backup = ("update" if owned_unedited else "replace"), True
        step.data = mcp_config.dump(mcp_config.with_entry(config, entry))
        step.message = "new server command" if owned_unedited else f"{why}; backed up, then replaced (--force)"
        new.mcp = fresh.model_copy(update={"created_file": record.created_file if record else False})
        return step
    step.action, step.refused = "skip", True
    step.message = f"{why}; left as it is (--force replaces it, keeping a backup)"
    return step


def _plan_register_user(scope: Scope, new: Manifest, entry: dict[str, Any], mode: Mode, options: Options) -> Step:
    current = mcp_config.user_entry(scope.root)
    record = new.mcp
    fresh = McpRecord(method="claude-cli", entry_sha256=mcp_config.entry_hash(entry))
    add = mcp_config.claude_add_argv(entry)
    step = Step(action="unchanged", path=f"~/.claude.json ({mcp_config.SERVER_NAME})", message="up to date")
    if current is not None and mcp_config.normalise(current) == mcp_config.normalise(entry):
        if record is None:
            step.action, step.message = (
                "adopt",
                "an identical registration was already there; now recorded as the pack's",
            )
        new.mcp = fresh
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
        commands = [mcp_config.claude_remove_argv(), add]
    step.command = add
    if options.claude_cli is None:
        step.action = "manual"
        step.message = "the claude CLI is not on PATH: run the command shown to register the server"
        return step
    step.action = "register" if current is None else ("update" if record is not None else "replace")
    step.message = f"claude mcp add --scope user {mcp_config.SERVER_NAME}"
    step.run = [[options.claude_cli, *argv[1:]] for argv in commands]
    new.mcp = fresh
    return step


def plan_uninstall(scope: Scope, manifest: Manifest, options: Options) -> Plan:
    new = manifest.model_copy(deep=True)
    plan = Plan(command="uninstall", scope=scope.kind, root=str(scope.root), manifest=new, original=manifest)
    for rel, record in sorted(manifest.files.items()):
        path = scope.root / rel
        step = Step(action="remove", path=scope.display(path), agent=record.agent, message="", abs_path=path)
        current = _current_bytes(path)
        if current is None and not path.is_symlink():
            step.action, step.message = "forget", "already gone"
            del new.files[rel]
        elif current is None:
            step.action, step.refused, step.message = "skip", True, "is now a symlink; left as it is"
        elif sha256_bytes(current) == record.sha256 or options.force:
            step.delete, step.backup = True, sha256_bytes(current) != record.sha256
            step.message = (
                "the pack's file" if not step.backup else "edited since installed; backed up, then removed (--force)"
            )
            del new.files[rel]
        else:
            step.action, step.refused = "skip", True
            step.message = "edited since the pack installed it; left as it is (--force removes it, keeping a backup)"
        plan.steps.append(step)
    if manifest.mcp is not None and options.mcp:
        plan.steps.append(_plan_unregister(scope, new, manifest.mcp, options))
    if manifest.hooks is not None and options.hooks:
        plan.steps.append(plan_unhooks(scope, new, manifest.hooks, options.force))
    if manifest.gitignore is not None and not new.files and new.mcp is None:
        # Only once nothing else of the pack is left: until then its files still need ignoring.
        data, delete, message = gitignore.without_entries(scope, manifest.gitignore)
        action: Action = "remove" if delete else ("update" if data is not None else "forget")
        path = scope.root / ".gitignore"
        plan.steps.append(
            Step(action=action, path=".gitignore", message=message, abs_path=path, data=data, delete=delete)
        )
        new.gitignore = None
    return plan


def _plan_unregister(scope: Scope, new: Manifest, record: McpRecord, options: Options) -> Step:
    if record.method == "claude-cli":
        current = mcp_config.user_entry(scope.root)
        step = Step(action="unregister", path=f"~/.claude.json ({mcp_config.SERVER_NAME})", message="")
        if current is None:
            step.action, step.message = "forget", "already unregistered"
            new.mcp = None
        elif mcp_config.entry_hash(current) != record.entry_sha256 and not options.force:
            step.action, step.refused = "skip", True
            step.message = "edited since the pack registered it; left as it is (--force removes it)"
        else:
            step.command = mcp_config.claude_remove_argv()
            new.mcp = None
            if options.claude_cli is None:
                step.action, step.message = "manual", "the claude CLI is not on PATH: run the command shown"
            else:
                step.message = "claude mcp remove --scope user"
                step.run = [[options.claude_cli, *step.command[1:]]]
        return step
    path = scope.mcp_json
    name = f"{scope.display(path)} ({mcp_config.SERVER_NAME})"
    config = mcp_config.load(path)
    current = mcp_config.current_entry(config)
    step = Step(action="unregister", path=name, message="", abs_path=path)
    if config is None or current is None:
        step.action, step.message = "forget", "already gone"
        new.mcp = None
        return step
    edited = mcp_config.entry_hash(current) != record.entry_sha256
    if edited and not options.force:
        step.action, step.refused = "skip", True
        step.message = "edited since the pack registered it; left as it is (--force removes it, keeping a backup)"
        return step
    remaining = mcp_config.without_entry(config)
    new.mcp = None
    if record.created_file and remaining == {"mcpServers": {}}:
        step.delete, step.message = True, "remove the entry, and the file the pack created"
    else:
        step.data, step.backup = mcp_config.dump(remaining), True
        step.message = "remove the entry, keeping the other servers"
    return step
