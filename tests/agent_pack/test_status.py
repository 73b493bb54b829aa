"""`agent-pack status`: installed, outdated, edited, missing, not-installed, foreign and shadowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_pack.fsio import sha256_bytes
from tests.agent_pack.helpers import run_cli, shipped

NAMES = sorted(shipped())


def states(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, dict[str, object]]:
    report = run_cli(capsys, "status", "--json", *extra).json()
    return {a["path"].rsplit("/", 1)[1]: a for a in report["agents"]} | {"mcp": report["mcp"]}


def test_status_before_and_after_install(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "status")
    assert result.code == 1 and result.out.count("not-installed") == 5 and "not-registered" in result.out
    assert run_cli(capsys, "install").code == 0
    result = run_cli(capsys, "status")
    assert result.code == 0, result.out
    assert result.out.count("installed") == 5 and "registered" in result.out  # 4 agents and the hooks


def test_every_state(project: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "install").code == 0
    agents = project / ".claude" / "agents"
    manifest_path = project / ".claude" / "agent-pack.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    # outdated: an older version of the pack's file, unedited since
    old = shipped()[NAMES[0]] + b"\nold version\n"
    (agents / NAMES[0]).write_bytes(old)
    manifest["files"][f".claude/agents/{NAMES[0]}"]["sha256"] = sha256_bytes(old)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (agents / NAMES[1]).write_bytes(shipped()[NAMES[1]] + b"\nmine\n")  # edited
    (agents / NAMES[2]).unlink()  # missing
    # shadowed: the same agent name in the user's scope
    user_agents = home / ".claude" / "agents"
    user_agents.mkdir(parents=True)
    name3 = NAMES[3].removesuffix(".md")
    (user_agents / "copy.md").write_text(f"---\nname: {name3}\ndescription: Use when x\n---\nx\n", encoding="utf-8")
    found = states(capsys)
    assert [found[n]["state"] for n in NAMES] == ["outdated", "edited", "missing", "installed"]
    assert found[NAMES[3]]["shadowed_by"] == ["~/.claude/agents/copy.md (user scope)"]
    assert "shadowed" in run_cli(capsys, "status").out
    assert found["mcp"]["state"] == "registered"
    math = run_cli(capsys, "status", "--json").json()["mcp_servers"]
    assert [(m["name"], m["state"]) for m in math] == [("serving-math", "registered")]
    assert "serving-math" in run_cli(capsys, "status").out


def test_foreign_and_shadowed_in_the_same_directory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / NAMES[0]).write_text("---\nname: mine\ndescription: Use when x\n---\nx\n", encoding="utf-8")
    assert run_cli(capsys, "install").code == 1
    name1 = NAMES[1].removesuffix(".md")
    (agents / "dup.md").write_text(f"---\nname: {name1}\ndescription: Use when x\n---\nx\n", encoding="utf-8")
    (project / ".mcp.json").write_text('{"mcpServers": {"private-journal": {"command": "/edited"}}}', encoding="utf-8")
    found = states(capsys)
    assert found[NAMES[0]]["state"] == "foreign"
    assert found[NAMES[1]]["shadowed_by"] == [".claude/agents/dup.md"]
    assert found["mcp"]["state"] == "edited"


def test_user_scope_status_sees_project_agents(project: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "install", "--user").code == 0
    assert run_cli(capsys, "install", "--no-mcp").code == 0  # the same agents in the current project
    found = states(capsys, "--user")
    for name in NAMES:
        assert found[name]["state"] == "installed"
        assert found[name]["shadowed_by"] == [f".claude/agents/{name} (project scope)"]
