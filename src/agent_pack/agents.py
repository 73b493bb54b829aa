"""The agents this package ships: `.claude/agents/*.md` of the repository, packaged as `agent_pack/agent_files`."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from agent_pack.agentfile import AgentFile, parse_agent
from agent_pack.errors import BundleError
from agent_pack.fsio import sha256_bytes

PACKAGE_DIR = "agent_files"
SKILLS_PACKAGE_DIR = "skill_files"
# An editable install has no agent_files: read the repository's .claude/agents, the single source.
SOURCE_TREE_DIR = Path(__file__).resolve().parents[2] / ".claude" / "agents"
# ... and the repository's skills/ (the plugin's skills, which agent-pack installs too).
SKILLS_SOURCE_DIR = Path(__file__).resolve().parents[2] / "skills"


@dataclass(frozen=True)
class BundledAgent:
    """One agent file as shipped: its file name, bytes, hash and parsed frontmatter."""

    filename: str
    content: bytes
    agent: AgentFile

    @property
    def name(self) -> str:
        name = self.agent.name
        if name is None:  # the bundle is validated by tests; this only guards a broken build
            raise BundleError(f"shipped agent file {self.filename} has no name")
        return name

    @property
    def sha256(self) -> str:
        return sha256_bytes(self.content)


def bundle_root(package_dir: str = PACKAGE_DIR, source_dir: Path = SOURCE_TREE_DIR) -> Traversable:
    """Where the shipped agent (or skill) files are: inside the installed package, else the source tree."""
    packaged = resources.files("agent_pack").joinpath(package_dir)
    if packaged.is_dir():
        return packaged
    if source_dir.is_dir():
        return source_dir
    raise BundleError(
        f"the {'agent' if package_dir == PACKAGE_DIR else 'skill'} files are missing from this installation",
        hint="reinstall the package: pip install --force-reinstall journal-agent-pack",
    )


def bundled_agents(root: Traversable | None = None) -> list[BundledAgent]:
    """All shipped agents, sorted by file name."""
    root = root if root is not None else bundle_root()
    agents = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith(".md"):
            content = entry.read_bytes()
            agents.append(BundledAgent(entry.name, content, parse_agent(content.decode("utf-8"), entry.name)))
    if not agents:
        raise BundleError(f"no agent files in {root}")
    return agents


def bundled_skills(root: Traversable | None = None) -> list[BundledAgent]:
    """The shipped skills (`<name>/SKILL.md`), sorted; `filename` is the path under a skills directory."""
    root = root if root is not None else bundle_root(SKILLS_PACKAGE_DIR, SKILLS_SOURCE_DIR)
    skills = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        skill = entry.joinpath("SKILL.md")
        if entry.is_dir() and skill.is_file():
            content = skill.read_bytes()
            filename = f"{entry.name}/SKILL.md"
            skills.append(BundledAgent(filename, content, parse_agent(content.decode("utf-8"), filename)))
    return skills
