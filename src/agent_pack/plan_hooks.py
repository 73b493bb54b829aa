"""Plan the journal hooks' part of install, update and uninstall: one step for the settings file."""

from __future__ import annotations

from pathlib import Path

from agent_pack import hooks_config
from agent_pack.manifest import HooksRecord, Manifest
from agent_pack.scope import Scope
from agent_pack.steps import Mode, Step

REFUSED_HINT = "left as it is (--force replaces it, keeping a backup)"


def plan_hooks(scope: Scope, new: Manifest, journal_mcp: Path, mode: Mode, force: bool) -> Step:
    """Merge the pack's SessionStart and Stop groups into the scope's settings; never touch anything else."""
    path = hooks_config.settings_path(scope.root, scope.kind)
    config = hooks_config.load(path)  # a malformed file stops the command before anything is written
    record = new.hooks
    wanted = hooks_config.groups(journal_mcp)
    step = Step(action="unchanged", path=f"{scope.display(path)} (hooks)", message="up to date", abs_path=path)
    result, changed, removed_by_you, problems = config, [], [], []
    for event, group in wanted.items():
        present = hooks_config.current(config, event)
        recorded = record.groups.get(event) if record else None
        if present == group:
            continue
        if present is None and recorded is not None and mode == "update":
            removed_by_you.append(event)
            continue
        if present is not None and recorded != hooks_config.group_hash(present) and not force:
            why = "edited since the pack installed it" if recorded else "a journal hook the pack did not write"
            problems.append(f"{event}: {why}")
            continue
        result = hooks_config.with_group(result, event, group)
        changed.append(event)
    if problems:
        step.action, step.refused = "skip", True
        step.message = "; ".join(problems) + f"; {REFUSED_HINT}"
        return step
    kept = {e: hooks_config.group_hash(g) for e, g in wanted.items() if e not in removed_by_you}
    created = record.created_file if record else config is None
    new.hooks = HooksRecord(path=scope.rel(path), groups=kept, created_file=created) if kept else None
    if changed and result is not None:
        step.action = "register" if record is None else "update"
        step.data, step.backup = hooks_config.dump(result), config is not None
        step.message = f"journal hooks for {', '.join(changed)}" + (
            "" if config is None else ", keeping the other settings and hooks"
        )
    elif removed_by_you:
        step.action, step.message = "not-restored", "you removed the hooks; `agent-pack install` puts them back"
    elif record is None:
        step.action, step.message = "adopt", "identical hooks were already there; now recorded as the pack's"
    return step


def plan_unhooks(scope: Scope, new: Manifest, record: HooksRecord, force: bool) -> Step:
    """Remove the pack's unedited groups; leave everything else (and edited groups, unless --force)."""
    path = scope.root / record.path
    step = Step(action="unregister", path=f"{scope.display(path)} (hooks)", message="", abs_path=path)
    config = hooks_config.load(path)
    present = {e: hooks_config.current(config, e) for e in record.groups}
    edited = [e for e, g in present.items() if g is not None and hooks_config.group_hash(g) != record.groups[e]]
    if edited and not force:
        step.action, step.refused = "skip", True
        step.message = f"{', '.join(edited)}: edited since the pack installed it; left as it is (--force removes it)"
        return step
    new.hooks = None
    if config is None or all(g is None for g in present.values()):
        step.action, step.message = "forget", "already gone"
        return step
    result = config
    for event in record.groups:
        result = hooks_config.without_group(result, event)
    if record.created_file and result == {}:
        step.delete, step.message = True, "remove the journal hooks, and the file the pack created"
    else:
        step.data, step.backup = hooks_config.dump(result), True
        step.message = "remove the journal hooks, keeping the other settings and hooks"
    return step
