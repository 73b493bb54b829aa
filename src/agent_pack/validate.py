"""Lint agent files with the rules Claude Code applies to subagent frontmatter."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from agent_pack.agentfile import AgentFile, parse_agent
from agent_pack.errors import AgentFileError

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME_LENGTH = 64
MODEL_ALIASES = frozenset({"inherit", "sonnet", "opus", "haiku", "fable"})
MODEL_ID_RE = re.compile(r"^claude-[a-z0-9][a-z0-9.-]*(?:\[1m\])?$")
COLORS = ("red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan")
KNOWN_FIELDS = frozenset(
    {
        "name",
        "description",
        "tools",
        "disallowedTools",
        "model",
        "effort",
        "permissionMode",
        "mcpServers",
        "hooks",
        "maxTurns",
        "skills",
        "initialPrompt",
        "memory",
        "background",
        "isolation",
        "color",
    }
)


class Problem(BaseModel):
    """One finding about one file; errors make `agent-pack validate` exit 1, warnings do not."""

    path: str
    severity: Literal["error", "warning"]
    field: str | None = None
    message: str

    def render(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.severity}: {self.path}{where}: {self.message}"


def check_agent(agent: AgentFile) -> list[Problem]:
    """The frontmatter rules for one parsed agent file."""
    path = agent.source

    def err(field: str | None, message: str) -> Problem:
        return Problem(path=path, severity="error", field=field, message=message)

    def warn(field: str | None, message: str) -> Problem:
        return Problem(path=path, severity="warning", field=field, message=message)

    fm = agent.frontmatter
    if fm is None:
        return [
            err(
                None,
                "no frontmatter: an agent file must start with a '---' line, then at least name and description, "
                "then '---' (Claude Code skips files without them)",
            )
        ]
    problems: list[Problem] = []
    name = fm.get("name")
    if name is None:
        problems.append(err("name", "missing: Claude Code needs a name to register the agent"))
    elif not isinstance(name, str) or not NAME_RE.match(name):
        problems.append(
            err("name", f"{name!r} must be lowercase letters, digits and single hyphens, e.g. 'ml-serving-expert'")
        )
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(err("name", f"longer than {MAX_NAME_LENGTH} characters"))
    description = fm.get("description")
    if description is None or (isinstance(description, str) and not description.strip()):
        problems.append(err("description", "missing: Claude decides when to delegate to an agent from its description"))
    elif not isinstance(description, str):
        problems.append(err("description", f"must be text, got {type(description).__name__}"))
    elif "use" not in description.lower() or "when" not in description.lower():
        problems.append(
            warn("description", "says nothing like 'Use this agent when ...': Claude may never delegate to it")
        )
    model = fm.get("model")
    if model is not None and not (isinstance(model, str) and (model in MODEL_ALIASES or MODEL_ID_RE.match(model))):
        aliases = ", ".join(sorted(MODEL_ALIASES))
        problems.append(
            err("model", f"{model!r} is not a model Claude Code can run: use one of {aliases}, or a claude-* model id")
        )
    color = fm.get("color")
    if color is not None and color not in COLORS:
        problems.append(err("color", f"{color!r} is not an agent color: use one of {', '.join(COLORS)}"))
    tools = fm.get("tools")
    if tools is not None and not (
        isinstance(tools, str) or (isinstance(tools, list) and all(isinstance(t, str) for t in tools))
    ):
        problems.append(err("tools", "must be a comma-separated string or a list of tool names"))
    for key in sorted(set(fm) - KNOWN_FIELDS):
        problems.append(warn(key, "not a field Claude Code reads for agents; it is ignored"))
    if not agent.body.strip():
        problems.append(err(None, "the body (the agent's system prompt) is empty"))
    return problems


def check_text(text: str, source: str) -> tuple[AgentFile | None, list[Problem]]:
    try:
        agent = parse_agent(text, source)
    except AgentFileError as exc:
        return None, [
            Problem(path=source, severity="error", field="frontmatter", message=_strip_source(str(exc), source))
        ]
    return agent, check_agent(agent)


def check_files(paths: Iterable[Path]) -> list[Problem]:
    """Check each file, then that no two files declare the same agent name."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(path=str(path), severity="error", message=f"cannot be read as UTF-8 text: {exc}"))
            continue
        agent, found = check_text(text, str(path))
        problems.extend(found)
        if agent is not None and agent.name:
            if agent.name in seen:
                problems.append(
                    Problem(
                        path=str(path),
                        severity="error",
                        field="name",
                        message=f"{agent.name!r} is also the name of {seen[agent.name]}: agent names must be unique",
                    )
                )
            else:
                seen[agent.name] = str(path)
    return problems


def agent_paths(target: Path) -> list[Path]:
    """The agent files Claude Code would load from `target` (a file, or a directory of *.md)."""
    if target.is_dir():
        return sorted(p for p in target.rglob("*.md") if p.is_file())
    return [target]


def _strip_source(message: str, source: str) -> str:
    prefix = f"{source}: "
    return message[len(prefix) :] if message.startswith(prefix) else message
