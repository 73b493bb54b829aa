"""agent-pack and Claude Code's settings: the journal hooks merged in, owned by hash, removed only when its own;
and nothing installed where the journal-agent-pack plugin is enabled."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.agent_pack.helpers import run_cli

JOURNAL_MCP = str(Path(sys.executable).parent / "journal-mcp")
FOREIGN = {"matcher": "startup", "hooks": [{"type": "command", "command": "echo hello"}]}


def settings(project: Path) -> dict[str, object]:
    return dict(json.loads((project / ".claude" / "settings.local.json").read_text(encoding="utf-8")))


def test_install_merges_both_hooks_and_keeps_the_rest(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / ".claude" / "settings.local.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"permissions": {"allow": ["Bash(ls)"]}, "hooks": {"SessionStart": [FOREIGN]}}))
    result = run_cli(capsys, "install")
    assert result.code == 0, result.out + result.err
    data = settings(project)
    assert data["permissions"] == {"allow": ["Bash(ls)"]}
    start, stop = data["hooks"]["SessionStart"], data["hooks"]["Stop"]  # type: ignore[index]
    assert start[0] == FOREIGN and start[1]["hooks"][0]["command"] == f"{JOURNAL_MCP} hook session-start"
    assert start[1]["matcher"] == "startup|resume|clear|compact"
    assert stop == [{"hooks": [{"type": "command", "command": f"{JOURNAL_MCP} hook stop", "timeout": 10}]}]
    assert "0 changed" in run_cli(capsys, "install").out  # twice changes nothing
    assert run_cli(capsys, "uninstall").code == 0
    assert settings(project) == {"permissions": {"allow": ["Bash(ls)"]}, "hooks": {"SessionStart": [FOREIGN]}}


def test_a_settings_file_the_pack_created_goes_with_uninstall(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "install").code == 0
    assert (project / ".claude" / "settings.local.json").is_file()
    assert run_cli(capsys, "uninstall").code == 0
    assert not (project / ".claude").exists()


def test_an_edited_hook_is_never_clobbered(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "install").code == 0
    path = project / ".claude" / "settings.local.json"
    data = settings(project)
    data["hooks"]["Stop"][0]["hooks"][0]["timeout"] = 30  # type: ignore[index]
    path.write_text(json.dumps(data), encoding="utf-8")
    edited = path.read_bytes()
    result = run_cli(capsys, "uninstall")
    assert result.code == 1 and "Stop: edited" in result.out and path.read_bytes() == edited
    status = run_cli(capsys, "status")
    assert status.code == 1 and "edited         journal hooks" in status.out
    assert run_cli(capsys, "uninstall", "--force").code == 0
    assert not path.exists()


def test_a_journal_hook_the_pack_did_not_write_is_left_alone(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / ".claude" / "settings.local.json"
    path.parent.mkdir()
    theirs = {"hooks": [{"type": "command", "command": "/opt/other/journal-mcp hook stop"}]}
    path.write_text(json.dumps({"hooks": {"Stop": [theirs]}}), encoding="utf-8")
    result = run_cli(capsys, "install")
    assert result.code == 1 and "a journal hook the pack did not write" in result.out
    assert settings(project) == {"hooks": {"Stop": [theirs]}}


def test_a_malformed_settings_file_stops_the_install_before_anything_is_written(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / ".claude" / "settings.local.json"
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    result = run_cli(capsys, "install")
    assert result.code == 1 and "settings.local.json is not valid JSON" in result.err and "--no-hooks" in result.err
    assert sorted(p.name for p in (project / ".claude").iterdir()) == ["settings.local.json"]
    assert run_cli(capsys, "install", "--no-hooks").code == 0


def test_user_install_puts_the_hooks_in_the_users_settings(
    project: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "install", "--user", "--no-mcp")
    assert result.code == 0, result.out + result.err
    data = json.loads((home / ".claude" / "settings.json").read_text(encoding="utf-8"))
    assert set(data["hooks"]) == {"SessionStart", "Stop", "SubagentStop"}
    assert (home / ".claude" / "skills" / "private-journal" / "SKILL.md").is_file()
    assert run_cli(capsys, "uninstall", "--user", "--no-mcp").code == 0
    assert not (home / ".claude" / "settings.json").exists()


def enable_plugin(home: Path) -> None:
    path = home / ".claude" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"enabledPlugins": {"journal-agent-pack@journal-agent-pack": True}}), encoding="utf-8")


def test_with_the_plugin_enabled_install_adds_nothing_and_says_why(
    project: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    enable_plugin(home)
    result = run_cli(capsys, "install")
    assert result.code == 0
    assert "plugin is enabled (journal-agent-pack@journal-agent-pack, enabled in ~/.claude/settings.json)" in result.out
    assert "0 changed" in result.out and not (project / ".claude").exists() and not (project / ".mcp.json").exists()
    status = run_cli(capsys, "status")
    assert status.code == 0 and "the plugin provides the agents" in status.out


def test_status_reports_the_plugin_beside_an_install_as_a_duplicate(
    project: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "install").code == 0
    enable_plugin(home)
    status = run_cli(capsys, "status")
    assert status.code == 1 and "duplicate: the plugin and this install" in status.out
    assert "journal-agent-pack@journal-agent-pack" in status.out
    assert run_cli(capsys, "uninstall").code == 0
    assert run_cli(capsys, "status").code == 0
    forced = run_cli(capsys, "install", "--ignore-plugin")
    assert forced.code == 0 and (project / ".claude" / "agents").is_dir()


def test_an_install_from_before_the_subagent_hook_gains_it_at_the_next_install(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An earlier version installed SessionStart and Stop only: the next install adds SubagentStop, owned like
    the others, and leaves the two it had alone."""
    from agent_pack.scope import MANIFEST_NAME

    assert run_cli(capsys, "install").code == 0
    path = project / ".claude" / "settings.local.json"
    data = settings(project)
    del data["hooks"]["SubagentStop"]  # type: ignore[attr-defined]
    path.write_text(json.dumps(data), encoding="utf-8")
    manifest_file = project / ".claude" / MANIFEST_NAME
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    del manifest["hooks"]["groups"]["SubagentStop"]
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    before = settings(project)["hooks"]
    result = run_cli(capsys, "install")
    assert result.code == 0 and "SubagentStop" in result.out, result.out
    after = settings(project)["hooks"]
    assert {k: v for k, v in after.items() if k != "SubagentStop"} == before  # type: ignore[union-attr]
    group = after["SubagentStop"][0]  # type: ignore[index]
    assert (
        group["hooks"][0]["command"] == f"{JOURNAL_MCP} hook subagent-stop"
        and "ai-platform-architect" in group["matcher"]
    )
    assert run_cli(capsys, "uninstall").code == 0
    assert not path.exists()
