"""Install, update and uninstall steps for other clients' config files, with the `.mcp.json` rules.

The pack owns an entry it wrote (its hash is in the manifest); an entry that is not the pack's or
was edited is left alone unless --force (which keeps a backup); a file that does not parse stops
the command before anything is written; a file the pack created goes when its last entry goes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from agent_pack import clients as registry
from agent_pack.clients.base import Client, Registration
from agent_pack.clients.token import token_source
from agent_pack.manifest import ClientRecord, Manifest
from agent_pack.scope import Scope
from agent_pack.servers import Server
from agent_pack.steps import Mode, Options, Plan, Step

SECRET_MODE = 0o600


def entry_hash(entry: dict[str, Any]) -> str:
    data = json.dumps(entry, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def record_key(client: str, server: str) -> str:
    return f"{client}:{server}"


def shown(scope: Scope, path: Path) -> str:
    """`path` as the user should see it: relative in a project, `~/...` under the home directory."""
    try:
        rel = path.relative_to(scope.root).as_posix()
    except ValueError:
        return str(path)
    return f"~/{rel}" if scope.kind == "user" else rel


def _prepare(plan: Plan, scope: Scope, path: Path) -> None:
    """Record the directories the pack creates (the manifest's, the config file's) so uninstall can remove them."""
    missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
    for directory in [scope.claude_dir, *reversed(missing)]:
        if directory.exists() or directory in plan.new_dirs:
            continue
        try:
            rel = scope.rel(directory)
        except ValueError:
            continue  # outside the scope (e.g. $XDG_CONFIG_HOME elsewhere): created, never removed
        plan.new_dirs.append(directory)
        if rel not in plan.manifest.created_dirs:
            plan.manifest.created_dirs.append(rel)


def add_installs(
    plan: Plan, scope: Scope, clients: list[Client], servers: list[Server], mode: Mode, options: Options
) -> Plan:
    """Extend `plan` with each client's registration of each server."""
    for client in clients:
        path = client.config_path(scope)
        doc = client.fmt.load(path)  # a malformed file stops the whole command before anything is written
        had_file = doc is not None
        _prepare(plan, scope, path)
        changing: list[Step] = []
        secret = False
        for server in servers:
            registration = client.registration(server, scope, token_source(server))
            step, write = _plan_one(
                plan.manifest, scope, client, server, doc, registration, path, had_file, mode, options
            )
            plan.steps.append(step)
            if write:
                doc = client.add(doc, server.name, registration)
                changing.append(step)
                secret = secret or registration.secret
        if changing and doc is not None:
            if had_file:
                changing[0].backup = True
                if client.fmt.has_comments(path):
                    changing[0].message += " (the file's comments are not kept: the backup has them)"
            changing[-1].data = client.fmt.dump(doc)
            changing[-1].mode = SECRET_MODE if secret else None
    return plan


def _plan_one(
    manifest: Manifest,
    scope: Scope,
    client: Client,
    server: Server,
    doc: Any,
    registration: Registration,
    path: Path,
    had_file: bool,
    mode: Mode,
    options: Options,
) -> tuple[Step, bool]:
    key = record_key(client.name, server.name)
    record = manifest.clients.get(key)
    current = client.fmt.get(doc, server.name)
    fresh = ClientRecord(
        client=client.name,
        server=server.name,
        path=str(path),
        entry_sha256=entry_hash(registration.entry),
        created_file=record.created_file if record is not None else not had_file,
    )
    note = f"; {registration.note}" if registration.note else ""
    step = Step(action="unchanged", path=f"{shown(scope, path)} ({server.name})", message="up to date", abs_path=path)
    if current is None:
        if record is not None and mode == "update":
            step.action = "not-restored"
            step.message = f"you removed the entry; `agent-pack install --client {client.name}` puts it back"
            return step, False
        step.action = "register"
        step.message = f"add the {server.name} server for {client.label}{note}"
        manifest.clients[key] = fresh
        return step, True
    if current == registration.entry:
        if record is None:
            step.action, step.message = "adopt", "an identical entry was already there; now recorded as the pack's"
        manifest.clients[key] = fresh
        return step, False
    owned_unedited = record is not None and entry_hash(current) == record.entry_sha256
    if owned_unedited or options.force:
        why = "edited since the pack registered it" if record is not None else "is another server of the same name"
        step.action = "update" if owned_unedited else "replace"
        step.message = (
            f"new entry for {client.label}{note}" if owned_unedited else f"{why}; backed up, then replaced (--force)"
        )
        manifest.clients[key] = fresh
        return step, True
    why = "edited since the pack registered it" if record is not None else "is another server of the same name"
    step.action, step.refused = "skip", True
    step.message = f"{why}; left as it is (--force replaces it, keeping a backup)"
    return step, False


def add_uninstalls(plan: Plan, scope: Scope, names: list[str] | None, options: Options) -> Plan:
    """Extend `plan` with the removal of the pack's entries for `names` (every client when None)."""
    manifest = plan.manifest
    by_file: dict[tuple[str, str], list[ClientRecord]] = {}
    for record in manifest.clients.values():
        if names is None or record.client in names:
            by_file.setdefault((record.client, record.path), []).append(record)
    for (client_name, path_text), records in sorted(by_file.items()):
        client = registry.get(client_name)
        path = Path(path_text)
        doc = client.fmt.load(path)
        changed: list[Step] = []
        for record in records:
            key = record_key(record.client, record.server)
            step = Step(action="unregister", path=f"{shown(scope, path)} ({record.server})", message="", abs_path=path)
            current = client.fmt.get(doc, record.server)
            if current is None:
                step.action, step.message = "forget", "already gone"
                del manifest.clients[key]
            elif entry_hash(current) != record.entry_sha256 and not options.force:
                step.action, step.refused = "skip", True
                step.message = (
                    "edited since the pack registered it; left as it is (--force removes it, keeping a backup)"
                )
            else:
                doc = client.remove(doc, record.server)
                del manifest.clients[key]
                step.message = f"remove the {record.server} server from {client.label}"
                changed.append(step)
            plan.steps.append(step)
        if changed and doc is not None:
            created = any(r.created_file for r in records)
            if created and client.fmt.is_empty(doc):
                changed[-1].delete = True
                changed[-1].message += ", and the file the pack created"
            else:
                changed[0].backup = True
                changed[-1].data = client.fmt.dump(doc)
                changed[-1].message += ", keeping the rest of the file"
    return plan
