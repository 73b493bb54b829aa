"""The agent pack's exceptions: one small hierarchy, turned into CLI messages (with a hint) at the edge."""

from __future__ import annotations


class AgentPackError(Exception):
    """Base class for every error the agent pack reports to a user."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class AgentFileError(AgentPackError):
    """An agent file could not be read or its frontmatter could not be parsed."""


class McpConfigError(AgentPackError):
    """A `.mcp.json` file is not valid JSON or not the shape Claude Code reads."""


class ManifestError(AgentPackError):
    """The pack's manifest of installed files is unreadable."""


class TargetError(AgentPackError):
    """The install target (project directory or ~/.claude) cannot be used."""


class BundleError(AgentPackError):
    """The agent files shipped with the package cannot be found."""


class ClientError(AgentPackError):
    """A client cannot take the registration asked for (no such scope, or no HTTP support)."""
