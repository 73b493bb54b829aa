"""Install the journal-agent-pack subagents into Claude Code projects and register the journal server."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("journal-agent-pack")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
