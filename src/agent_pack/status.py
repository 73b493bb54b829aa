"""What is installed in a scope: each shipped agent's state, whether another file shadows it, and the server entry."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent_pack import hooks_config, mcp_config
from agent_pack.agentfile import read_agent
from agent_pack.agents import BundledAgent
from agent_pack.errors import AgentFileError, McpConfigError
from agent_pack.fsio import sha256_file
from agent_pack.manifest import Manifest
from agent_pack.scope import Scope
from agent_pack.validate import agent_paths

State = Literal["installed", "outdated", "edited", "missing", "not-installed", "foreign"]
HooksState = Literal["installed", "edited", "missing", "not-installed"]
McpState = Literal["registered", "outdated", "edited", "missing", "not-registered", "foreign", "unknown"]


class AgentStatus(BaseModel):
    agent: str
    path: str
    state: State
    shadowed_by: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return "shadowed" if self.shadowed_by and self.state == "installed" else self.state


class McpStatus(BaseModel):
    name: str = mcp_config.SERVER_NAME
    where: str
    state: McpState
    detail: str = ""


class ClientStatus(BaseModel):
    """A server the pack registered with another client (`install --client NAME`)."""

    client: str
    name: str
    where: str
    state: McpState
    detail: str = ""


class StatusReport(BaseModel):
    scope: str
    root: str
    agents: list[AgentStatus]
    mcp: McpStatus | None  # private-journal
    mcp_servers: list[McpStatus] = Field(default_factory=list)  # the pack's other servers (serving-math)
    hooks: HooksState = "not-installed"
    plugin: str | None = None  # where the journal-agent-pack plugin is enabled, when it is
    installed_here: bool = True  # the pack's manifest here records something

    @property
    def duplicate(self) -> bool:
        """The plugin and this install both provide the agents and a journal server."""
        return self.plugin is not None and self.installed_here

    clients: list[ClientStatus] = Field(default_factory=list)  # other clients' registrations (--client)

    @property
    def healthy(self) -> bool:
        if self.plugin is not None:
            return not self.installed_here
        if self.hooks in ("edited", "missing"):
            return False
        agents_ok = all(a.state == "installed" and not a.shadowed_by for a in self.agents)
        servers = ([self.mcp] if self.mcp is not None else []) + self.mcp_servers
        clients_ok = all(c.state == "registered" for c in self.clients)
        return agents_ok and clients_ok and all(m.state == "registered" for m in servers)


def hooks_state(scope: Scope, manifest: Manifest) -> HooksState:
    record = manifest.hooks
    if record is None:
        return "not-installed"
    try:
        config = hooks_config.load(scope.root / record.path)
    except McpConfigError:
        return "edited"
    present = {event: hooks_config.current(config, event) for event in record.groups}
    if all(group is None for group in present.values()):
        return "missing"
    if any(g is None or hooks_config.group_hash(g) != record.groups[e] for e, g in present.items()):
        return "edited"
    return "installed"


def agent_state(scope: Scope, manifest: Manifest, item: BundledAgent) -> tuple[str, State]:
    path = scope.agents_dir / item.filename
    rel = scope.rel(path)
    record = manifest.files.get(rel)
    if not path.is_file():
        return scope.display(path), "missing" if record is not None else "not-installed"
    digest = sha256_file(path)
    if record is None:
        return scope.display(path), "installed" if digest == item.sha256 else "foreign"
    if digest != record.sha256:
        return scope.display(path), "edited"
    return scope.display(path), "installed" if digest == item.sha256 else "outdated"


def definitions(scope: Scope | None) -> dict[str, list[str]]:
    """Agent name -> the files in `scope` that define it."""
    found: dict[str, list[str]] = {}
    if scope is None or not scope.agents_dir.is_dir():
        return found
    for path in agent_paths(scope.agents_dir):
        try:
            name = read_agent(path).name
        except AgentFileError:
            continue
        if name:
            found.setdefault(name, []).append(scope.display(path))
    return found


def status(
    scope: Scope,
    manifest: Manifest,
    bundle: list[BundledAgent],
    other: Scope | None,
    with_mcp: bool = True,
    plugin: str | None = None,
) -> StatusReport:
    here, there = definitions(scope), definitions(other)
    agents = []
    for item in bundle:
        shown, state = agent_state(scope, manifest, item)
        others = [p for p in here.get(item.name, []) if p != shown]
        if other is not None:
            others += [f"{p} ({other.kind} scope)" for p in there.get(item.name, [])]
        agents.append(AgentStatus(agent=item.name, path=shown, state=state, shadowed_by=others))
    return StatusReport(
        scope=scope.kind,
        root=str(scope.root),
        agents=agents,
        mcp=mcp_status(scope, manifest) if with_mcp else None,
        mcp_servers=[mcp_status(scope, manifest, mcp_config.MATH_SERVER_NAME)] if with_mcp else [],
        hooks=hooks_state(scope, manifest),
        plugin=plugin,
        installed_here=not manifest.is_empty(),
    )


def mcp_status(scope: Scope, manifest: Manifest, name: str = mcp_config.SERVER_NAME) -> McpStatus:
    record = manifest.record(name)
    if scope.kind == "user":
        where = "~/.claude.json"
        current = mcp_config.user_entry(scope.root, name)
    else:
        where = scope.display(scope.mcp_json)
        try:
            current = mcp_config.current_entry(mcp_config.load(scope.mcp_json), name)
        except McpConfigError as exc:  # a status report shows a broken file instead of failing
            return McpStatus(name=name, where=where, state="unknown", detail=str(exc))
    if current is None:
        return McpStatus(name=name, where=where, state="missing" if record else "not-registered")
    if record is None:
        return McpStatus(name=name, where=where, state="foreign", detail=_describe(current))
    if mcp_config.entry_hash(current) != record.entry_sha256:
        return McpStatus(name=name, where=where, state="edited", detail=_describe(current))
    return McpStatus(name=name, where=where, state="registered", detail=_describe(current))


def _describe(entry: dict[str, object]) -> str:
    return str(entry.get("command") or entry.get("url") or "")
