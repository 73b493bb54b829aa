"""Read a Claude Code agent file: YAML frontmatter between `---` lines, then the system prompt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agent_pack.errors import AgentFileError

FENCE = "---"


@dataclass(frozen=True)
class AgentFile:
    """One agent file as Claude Code sees it. `frontmatter` is None when the file has none."""

    source: str
    frontmatter: dict[str, Any] | None
    body: str

    @property
    def name(self) -> str | None:
        value = (self.frontmatter or {}).get("name")
        return value if isinstance(value, str) else None

    @property
    def description(self) -> str | None:
        value = (self.frontmatter or {}).get("description")
        return value if isinstance(value, str) else None


def split_frontmatter(text: str, source: str = "<text>") -> tuple[str | None, str]:
    """Return (frontmatter YAML, body). A file that does not open with a `---` line has no frontmatter."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r") != FENCE:
        return None, text
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r") == FENCE:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    raise AgentFileError(
        f"{source}: the opening '---' on line 1 has no closing '---' line",
        hint="close the frontmatter with a line holding only '---', or, if line 1 is a horizontal rule, "
        "put a frontmatter block above it",
    )


def parse_agent(text: str, source: str = "<text>") -> AgentFile:
    """Parse an agent file's text. Raises AgentFileError when its frontmatter is not a YAML mapping."""
    raw, body = split_frontmatter(text, source)
    if raw is None:
        return AgentFile(source=source, frontmatter=None, body=body)
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (frontmatter line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise AgentFileError(
            f"{source}: frontmatter is not valid YAML{where}: {problem}",
            hint='quote values that contain ": " or start with a special character, e.g. description: "Use when: ..."',
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AgentFileError(
            f"{source}: frontmatter must be a YAML mapping (key: value lines), got {type(data).__name__}",
            hint="if line 1 '---' is meant as a horizontal rule, add a real frontmatter block above it",
        )
    return AgentFile(source=source, frontmatter={str(k): v for k, v in data.items()}, body=body)


def read_agent(path: Path) -> AgentFile:
    """Read and parse an agent file from disk."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AgentFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise AgentFileError(f"{path}: cannot be read: {exc.strerror}") from exc
    return parse_agent(text, str(path))
