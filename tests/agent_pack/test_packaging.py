"""What ships: the wheel carries .claude/agents (no second copy in the repo), the plugin manifests, the evals."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from agent_pack import plugin_render
from agent_pack.agentfile import parse_agent
from agent_pack.agents import SOURCE_TREE_DIR, bundled_agents
from tests.agent_pack.helpers import AGENTS_DIR, REPO, shipped
from tests.agent_pack.test_seeds import SEEDS, seed_text

EVALS = REPO / "evals"


@pytest.mark.subprocess
def test_the_wheel_ships_the_agent_files(tmp_path: Path) -> None:
    """Built the way a release is: an sdist, then the wheel from the sdist."""
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    (wheel,) = tmp_path.glob("journal_agent_pack-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = {
            Path(n).name: archive.read(n) for n in archive.namelist() if n.startswith("agent_pack/agent_files/")
        }
        names = archive.namelist()
    assert packaged == shipped()
    assert "agent_pack/cli.py" in names and "journal_mcp/server/app.py" in names


def test_the_bundle_is_read_from_the_single_source() -> None:
    assert SOURCE_TREE_DIR == AGENTS_DIR
    assert {a.filename: a.content for a in bundled_agents()} == shipped()


def test_no_second_copy_of_an_agent_in_the_repository() -> None:
    contents = set(shipped().values())
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    copies = [
        path
        for path in tracked
        if not path.startswith(".claude/agents/") and (REPO / path).is_file() and (REPO / path).read_bytes() in contents
    ]
    assert copies == []


def test_plugin_manifest_points_at_every_agent_and_declares_the_server() -> None:
    plugin = json.loads((REPO / ".claude-plugin" / "plugin.json").read_text(encoding="utf-8"))
    assert plugin["agents"] == [f"./plugin/agents/{name}" for name in sorted(shipped())]
    assert plugin["mcpServers"]["private-journal"]["command"] == "${CLAUDE_PLUGIN_ROOT}/plugin/bin/journal-mcp"
    assert plugin["mcpServers"]["serving-math"] == {
        "type": "stdio",
        "command": "${CLAUDE_PLUGIN_ROOT}/plugin/bin/serving-math",
        "args": [],
    }
    version = re.search(r'^version = "(.+)"$', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert version is not None and plugin["version"] == version.group(1)
    marketplace = json.loads((REPO / ".claude-plugin" / "marketplace.json").read_text(encoding="utf-8"))
    (entry,) = marketplace["plugins"]
    assert entry["name"] == plugin["name"] and entry["source"] == "./" and entry["version"] == plugin["version"]


# Claude Code's plugin eval case schema (case.yaml, schema_version 1.x), as far as these cases use it.
class RegexGrader(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    type: Literal["regex"]
    target: Literal["trace", "last_message", "files", "mock_calls"] = "last_message"
    pattern: str
    flags: str = Field(default="", pattern=r"^[dgimsuvy]*$")
    match: str = "contains"
    weight: float = 1


class Execution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: str
    max_turns: int = Field(default=10, gt=0, le=200)
    timeout_seconds: int = Field(default=300, gt=0, le=3600)
    allowed_tools: list[str] = Field(default_factory=list)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: str = Field(pattern=r"^1\.\d+$")
    name: str
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    runs: int = Field(default=3, gt=0, le=50)
    execution: Execution
    graders: list[RegexGrader] = Field(min_length=1)


def load_cases() -> dict[str, Case]:
    cases = {}
    for path in sorted(EVALS.glob("**/case.yaml")):
        case = Case.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert case.name == path.parent.name
        cases[path.parent.relative_to(EVALS).as_posix()] = case
    return cases


def grade(case: Case, reply: str) -> bool:
    """What a regex grader does with the last message (JavaScript flags i/m/s map onto Python's)."""
    flags = {"i": re.I, "m": re.M, "s": re.S}
    ok = True
    for grader in case.graders:
        compiled = re.compile(grader.pattern, sum(flags.get(f, 0) for f in grader.flags))
        ok &= bool(compiled.search(reply))
    return ok


def test_eval_cases_follow_the_plugin_eval_layout() -> None:
    cases = load_cases()
    assert sorted(cases) == [
        "ai-model-inference-serving-architect/llama3-70b-on-8x-a100",
        "ai-model-inference-serving-architect/llama3-70b-on-raspberry-pi",
    ]
    for case in cases.values():
        assert len({g.name for g in case.graders}) == len(case.graders)
        assert case.execution.prompt.startswith("Design an AI model inference serving architecture")


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed documents are not at {SEEDS}")
def test_eval_cases_are_the_seeds_test_data_and_evaluator() -> None:
    seed = seed_text("002")
    evaluator = re.search(r'type: regex\npattern: "\(\?i\)(.+)"$', seed, re.M)
    assert evaluator is not None
    data = re.findall(
        r'model_characteristics: "(.+)"\nworkload_profile: "(.+)"\ninfrastructure_constraints: "(.+)"\nexpected: "(.+)"',
        seed,
    )
    assert len(data) == 2
    for case, (model, workload, infra, expected) in zip(load_cases().values(), data, strict=True):
        for value in (model, workload, infra):
            assert f"<user_query>{value}</user_query>" in case.execution.prompt
        (terms,) = [g for g in case.graders if g.name == "expert-terminology-check"]
        assert (terms.pattern, terms.flags) == (evaluator.group(1), "i")  # (?i) is not JavaScript: it became flag i
        assert any(g.pattern == expected for g in case.graders)


def test_graders_pass_a_good_reply_and_fail_a_bad_one() -> None:
    feasible, impossible = load_cases().values()
    good = "- **Tensor parallelism** across 4x A100 per replica, vLLM with continuous batching"
    refusal = '{"error": "Hardware constraints insufficient for SLA"}'
    assert grade(feasible, good) and not grade(feasible, refusal)
    assert grade(impossible, refusal) and not grade(impossible, good)
    assert not grade(feasible, "Sure! Happy to help with your project.")


def test_the_plugins_agent_copies_are_current() -> None:
    """plugin/agents/ is generated from .claude/agents/: regenerate with `python -m agent_pack.plugin_render`."""
    assert plugin_render.stale() == [], "run: python -m agent_pack.plugin_render"


def test_the_plugin_copies_differ_from_the_source_only_in_names() -> None:
    servers = plugin_render.declared_servers()
    assert "private-journal" in servers
    names = [p.stem for p in sorted(AGENTS_DIR.glob("*.md"))]
    for name in names:
        source = (AGENTS_DIR / f"{name}.md").read_text(encoding="utf-8")
        copy = (REPO / "plugin" / "agents" / f"{name}.md").read_text(encoding="utf-8")
        assert "mcp__private-journal__" in source and "mcp__private-journal__" not in copy
        assert "mcp__plugin_journal-agent-pack_private-journal__" in copy
        undone = copy.replace("mcp__plugin_journal-agent-pack_", "mcp__").replace("journal-agent-pack:", "")
        assert undone == source
        description = parse_agent(copy).description or ""
        assert f"journal-agent-pack:{name}" in description or name not in (parse_agent(source).description or "")
        assert parse_agent(copy).name == name  # Claude Code adds the plugin prefix itself


def test_render_namespaces_every_declared_server_and_only_the_description() -> None:
    text = (
        '---\nname: a-agent\ndescription: "use the a-agent agent, not b-agent or xa-agent-2"\n---\n'
        "Call mcp__private-journal__search_journal and mcp__serving-math__kv_cache; the a-agent body stays.\n"
    )
    out = plugin_render.render_agent(text, ["private-journal", "serving-math"], ["a-agent", "b-agent"])
    assert out == (
        '---\nname: a-agent\ndescription: "use the journal-agent-pack:a-agent agent, not '
        'journal-agent-pack:b-agent or xa-agent-2"\n---\n'
        "Call mcp__plugin_journal-agent-pack_private-journal__search_journal and "
        "mcp__plugin_journal-agent-pack_serving-math__kv_cache; the a-agent body stays.\n"
    )
