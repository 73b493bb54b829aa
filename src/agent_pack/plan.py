"""Work out what install, update or uninstall would change, without changing anything (`--dry-run` prints this)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agent_pack import gitignore, mcp_config, registration
from agent_pack.agents import BundledAgent
from agent_pack.fsio import sha256_bytes
from agent_pack.manifest import FileRecord, Manifest
from agent_pack.plan_hooks import plan_hooks, plan_unhooks
from agent_pack.scope import Scope, is_pack_source
from agent_pack.steps import NO_CHANGE, Action, Mode, Options, Plan, Step, detect_claude

__all__ = ["NO_CHANGE", "Action", "Mode", "Options", "Plan", "Step", "detect_claude", "plan_install", "plan_uninstall"]


def _current_bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() and not path.is_symlink() else None


def empty_plan(scope: Scope, manifest: Manifest, mode: Mode) -> Plan:
    """A plan with no steps yet (`install --client NAME` adds only the client's registrations)."""
    return Plan(
        command=mode, scope=scope.kind, root=str(scope.root), manifest=manifest.model_copy(deep=True), original=manifest
    )


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
    if options.plugin is not None and manifest.is_empty():
        message = (
            f"the journal-agent-pack plugin is enabled ({options.plugin}) and provides the agents, the "
            "journal server, the hooks and the skill: nothing installed here, so there is one journal "
            "server and one copy of each agent (--ignore-plugin installs anyway)"
        )
        plan.steps.append(Step(action="plugin", path=scope.display(scope.claude_dir), message=message))
        return plan
    skill_dirs = sorted({(scope.skills_dir / item.filename).parent for item in skills})
    for directory in [scope.claude_dir, scope.agents_dir] + ([scope.skills_dir, *skill_dirs] if skills else []):
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
        plan.steps.extend(registration.plan_register_all(scope, new, mode, options))
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
    if options.mcp:
        plan.steps.extend(registration.plan_unregister_all(scope, new, manifest, options))
    if manifest.hooks is not None and options.hooks:
        plan.steps.append(plan_unhooks(scope, new, manifest.hooks, options.force))
    if manifest.gitignore is not None and not new.files and not new.registrations() and new.hooks is None:
        # Only once nothing else of the pack is left: until then its files still need ignoring.
        data, delete, message = gitignore.without_entries(scope, manifest.gitignore)
        action: Action = "remove" if delete else ("update" if data is not None else "forget")
        path = scope.root / ".gitignore"
        plan.steps.append(
            Step(action=action, path=".gitignore", message=message, abs_path=path, data=data, delete=delete)
        )
        new.gitignore = None
    return plan
