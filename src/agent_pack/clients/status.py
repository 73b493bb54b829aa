"""The state of each registration the pack made in another client's config file, for `agent-pack status`."""

from __future__ import annotations

from pathlib import Path

from agent_pack.clients import get
from agent_pack.clients.planning import entry_hash, shown
from agent_pack.errors import AgentPackError
from agent_pack.manifest import Manifest
from agent_pack.scope import Scope
from agent_pack.status import ClientStatus, McpState


def client_statuses(scope: Scope, manifest: Manifest) -> list[ClientStatus]:
    found = []
    for record in sorted(manifest.clients.values(), key=lambda r: (r.client, r.server)):
        path = Path(record.path)
        where = shown(scope, path)
        try:
            client = get(record.client)
            current = client.fmt.get(client.fmt.load(path), record.server)
        except AgentPackError as exc:  # a broken file is shown, not a crash
            found.append(
                ClientStatus(client=record.client, name=record.server, where=where, state="unknown", detail=str(exc))
            )
            continue
        state: McpState
        if current is None:
            state = "missing"
        elif entry_hash(current) != record.entry_sha256:
            state = "edited"
        else:
            state = "registered"
        detail = str(
            (current or {}).get("command")
            or (current or {}).get("url")
            or (current or {}).get("serverUrl")
            or (current or {}).get("httpUrl")
            or ""
        )
        found.append(ClientStatus(client=record.client, name=record.server, where=where, state=state, detail=detail))
    return found
