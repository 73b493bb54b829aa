"""The plugin's copies of the agents, with the names a plugin install gives its tools and agents.

Claude Code names a plugin's MCP tools `mcp__plugin_<plugin>_<server>__<tool>` and its agents
`<plugin>:<agent>`, so the names the agents' text gives (`mcp__private-journal__search_journal`,
`the atlas-model-serving-engineer agent`) do not exist in a plugin install. The plugin therefore ships
copies of `.claude/agents/*.md` (the single source) in `plugin/agents/`, changed only there: every
`mcp__<server>__` of a server the plugin declares gets the plugin prefix, and in the description
every bare agent name of the pack becomes `<plugin>:<agent>`. Regenerate with
`python -m agent_pack.plugin_render`; a test fails when the copies are stale.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from agent_pack.agents import BundledAgent, bundled_agents
from agent_pack.fsio import atomic_write
from agent_pack.plugin_state import PLUGIN_NAME

REPO = Path(__file__).resolve().parents[2]
PLUGIN_MANIFEST = REPO / ".claude-plugin" / "plugin.json"
RENDERED_DIR = REPO / "plugin" / "agents"


def plugin_tool_prefix(server: str, plugin: str = PLUGIN_NAME) -> str:
    return f"mcp__plugin_{plugin}_{server}__"


def plugin_agent_type(agent: str, plugin: str = PLUGIN_NAME) -> str:
    return f"{plugin}:{agent}"


def declared_servers(manifest: Path = PLUGIN_MANIFEST) -> list[str]:
    """The MCP servers the plugin declares (`mcpServers` of plugin.json), in order."""
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return list(data.get("mcpServers", {}))


def render_agent(text: str, servers: Iterable[str], agent_names: Iterable[str], plugin: str = PLUGIN_NAME) -> str:
    """An agent file's text as the plugin ships it (see the module docstring); nothing else changes."""
    for server in servers:
        text = text.replace(f"mcp__{server}__", plugin_tool_prefix(server, plugin))
    names = sorted(agent_names, key=len, reverse=True)
    if not names or not text.startswith("---\n"):
        return text
    head, sep, body = text[4:].partition("\n---\n")
    bare = re.compile(r"(?<![\w:-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")
    lines = [
        bare.sub(lambda m: plugin_agent_type(m.group(1), plugin), line) if line.startswith("description:") else line
        for line in head.split("\n")
    ]
    return "---\n" + "\n".join(lines) + sep + body


def rendered(bundle: Sequence[BundledAgent], servers: Sequence[str]) -> dict[str, bytes]:
    """File name -> the plugin copy's bytes, for every shipped agent."""
    names = [item.name for item in bundle]
    return {
        item.filename: render_agent(item.content.decode("utf-8"), servers, names).encode("utf-8") for item in bundle
    }


def stale(directory: Path = RENDERED_DIR) -> list[str]:
    """The plugin copies that are missing, out of date, or no longer shipped."""
    wanted = rendered(bundled_agents(), declared_servers())
    problems = [
        name
        for name, data in wanted.items()
        if not (directory / name).is_file() or (directory / name).read_bytes() != data
    ]
    problems += [p.name for p in directory.glob("*.md") if p.name not in wanted]
    return sorted(problems)


def write(directory: Path = RENDERED_DIR) -> list[str]:
    """Write the plugin copies; remove copies of agents no longer shipped. Returns the files changed."""
    changed = stale(directory)
    wanted = rendered(bundled_agents(), declared_servers())
    for name in changed:
        if name in wanted:
            atomic_write(directory / name, wanted[name])
        else:
            (directory / name).unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m agent_pack.plugin_render",
        description="Write plugin/agents/: the agents with the plugin's tool and agent names.",
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a copy is stale")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale()
        for name in problems:
            print(f"stale: plugin/agents/{name}")
        sys.exit(1 if problems else 0)
    for name in write():
        print(f"wrote plugin/agents/{name}")


if __name__ == "__main__":
    main()
