"""`agent-pack install / update / uninstall` on temp projects: ownership, backups, dry runs, .mcp.json merging."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from agent_pack.fsio import sha256_bytes
from tests.agent_pack.helpers import REPO, Result, run_cli, shipped, tree_digest

JOURNAL_MCP = str(Path(sys.executable).parent / "journal-mcp")
SERVING_MATH = str(Path(sys.executable).parent / "serving-math")
NAMES = sorted(shipped())
SKILL = ".claude/skills/private-journal/SKILL.md"


def install(capsys: pytest.CaptureFixture[str], *extra: str) -> Result:
    return run_cli(capsys, "install", *extra)


def test_fresh_install_writes_agents_server_and_manifest(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = install(capsys)
    assert result.code == 0, result.err
    agents = project / ".claude" / "agents"
    assert sorted(p.name for p in agents.iterdir()) == NAMES
    for name, content in shipped().items():
        assert (agents / name).read_bytes() == content
    config = json.loads((project / ".mcp.json").read_text(encoding="utf-8"))
    assert config == {
        "mcpServers": {
            "private-journal": {"type": "stdio", "command": JOURNAL_MCP, "args": []},
            "serving-math": {"type": "stdio", "command": SERVING_MATH, "args": []},
        }
    }
    assert Path(JOURNAL_MCP).is_absolute() and Path(JOURNAL_MCP).is_file()
    assert Path(SERVING_MATH).is_absolute() and Path(SERVING_MATH).is_file()
    manifest = json.loads((project / ".claude" / "agent-pack.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {f".claude/agents/{n}" for n in NAMES} | {SKILL}
    for rel, record in manifest["files"].items():
        assert record["sha256"] == sha256_bytes((project / rel).read_bytes())
    assert set(manifest["mcp_servers"]) == {"serving-math"} and manifest["mcp"]["created_file"] is True
    assert (project / SKILL).read_bytes() == (REPO / "skills" / "private-journal" / "SKILL.md").read_bytes()
    assert set(manifest["hooks"]["groups"]) == {"SessionStart", "Stop", "SubagentStop"}
    assert "8 changed, 0 refused" in result.out


def test_reinstall_is_a_no_op(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert install(capsys).code == 0
    before = tree_digest(project)
    mtimes = {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()}
    result = install(capsys)
    assert result.code == 0
    assert "0 changed, 0 refused" in result.out
    assert tree_digest(project) == before
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()} == mtimes


def test_edited_file_is_kept_by_install_update_and_uninstall(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert install(capsys).code == 0
    edited = project / ".claude" / "agents" / NAMES[0]
    mine = edited.read_text(encoding="utf-8") + "\nMy own extra rule.\n"
    edited.write_text(mine, encoding="utf-8")
    for command in ("install", "update", "uninstall"):
        result = run_cli(capsys, command)
        assert result.code == 1, (command, result.out)
        assert "edited since the pack installed it" in result.out
        assert edited.read_text(encoding="utf-8") == mine
    # uninstall removed everything else it owned, and remembers the edited file
    assert sorted(p.name for p in edited.parent.iterdir()) == [NAMES[0]]
    assert run_cli(capsys, "status").code == 1


def test_foreign_file_is_never_overwritten_or_deleted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    foreign = agents / NAMES[1]
    foreign.write_text("---\nname: my-agent\ndescription: Use when I say so\n---\nMine.\n", encoding="utf-8")
    result = install(capsys)
    assert result.code == 1
    assert "exists and is not the pack's file" in result.out and "hint:" in result.out
    assert foreign.read_text(encoding="utf-8").endswith("Mine.\n")
    assert (agents / NAMES[0]).read_bytes() == shipped()[NAMES[0]]  # the others were installed
    result = run_cli(capsys, "uninstall")
    assert result.code == 0
    assert sorted(p.name for p in agents.iterdir()) == [NAMES[1]]
    assert foreign.read_text(encoding="utf-8").endswith("Mine.\n")


def test_force_replaces_a_foreign_file_and_keeps_a_backup(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    original = b"---\nname: mine\ndescription: Use when asked\n---\nMine.\n"
    (agents / NAMES[0]).write_bytes(original)
    result = install(capsys, "--force")
    assert result.code == 0, result.out
    assert (agents / NAMES[0]).read_bytes() == shipped()[NAMES[0]]
    backups = list(agents.glob(f"{NAMES[0]}.bak-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert not backups[0].name.endswith(".md")  # Claude Code must not load the backup as an agent
    assert "backup:" in result.out


def test_update_replaces_unedited_outdated_files_and_reports_edited(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install(capsys).code == 0
    agents = project / ".claude" / "agents"
    manifest_path = project / ".claude" / "agent-pack.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    # Pretend an older pack version installed two files: their content and recorded hash are the old ones.
    for name in NAMES[:2]:
        old = shipped()[name].replace(b"You are", b"You were", 1)
        (agents / name).write_bytes(old)
        manifest["files"][f".claude/agents/{name}"]["sha256"] = sha256_bytes(old)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (agents / NAMES[1]).write_bytes((agents / NAMES[1]).read_bytes() + b"\nedited\n")
    states = {a["agent"]: a["state"] for a in run_cli(capsys, "status", "--json").json()["agents"]}
    assert list(states.values()).count("outdated") == 1 and list(states.values()).count("edited") == 1
    result = run_cli(capsys, "update")
    assert result.code == 1  # the edited one is reported
    assert (agents / NAMES[0]).read_bytes() == shipped()[NAMES[0]]
    assert (agents / NAMES[1]).read_bytes().endswith(b"\nedited\n")


def test_update_does_not_restore_a_removed_agent_but_install_does(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install(capsys).code == 0
    removed = project / ".claude" / "agents" / NAMES[2]
    removed.unlink()
    result = run_cli(capsys, "update")
    assert result.code == 0 and "not-restored" in result.out
    assert not removed.exists()
    assert run_cli(capsys, "status", "--json").json()["agents"][2]["state"] == "missing"
    assert install(capsys).code == 0
    assert removed.read_bytes() == shipped()[NAMES[2]]


@pytest.mark.parametrize("command", ["install", "update", "uninstall"])
def test_dry_run_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    (project / ".mcp.json").write_text('{"mcpServers": {"other": {"command": "x"}}}', encoding="utf-8")
    if command != "install":
        assert install(capsys).code == 0
        (project / ".claude" / "agents" / NAMES[0]).unlink()
    before = tree_digest(project)
    result = run_cli(capsys, command, "--dry-run", "--json")
    assert result.code == 0, result.out
    report = result.json()
    assert report["dry_run"] is True and report["steps"]
    assert tree_digest(project) == before


def test_install_merges_into_an_existing_mcp_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = {
        "mcpServers": {"github": {"type": "http", "url": "https://example.invalid/mcp"}},
        "note": {"keep": [1, 2]},
    }
    raw = json.dumps(original).encode()
    (project / ".mcp.json").write_bytes(raw)
    assert install(capsys).code == 0
    config = json.loads((project / ".mcp.json").read_text(encoding="utf-8"))
    assert config["mcpServers"]["github"] == original["mcpServers"]["github"]
    assert config["note"] == original["note"]
    assert config["mcpServers"]["private-journal"]["command"] == JOURNAL_MCP
    backups = list(project.glob(".mcp.json.bak-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == raw
    assert run_cli(capsys, "uninstall").code == 0
    assert json.loads((project / ".mcp.json").read_text(encoding="utf-8")) == original


def test_malformed_mcp_json_is_a_clear_error_and_nothing_is_written(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".mcp.json").write_text('{"mcpServers": {"a": {"command": "x"},}}', encoding="utf-8")
    before = tree_digest(project)
    result = install(capsys)
    assert result.code == 1
    assert "is not valid JSON" in result.err and "line 1" in result.err and "hint:" in result.err
    assert tree_digest(project) == before


def test_another_private_journal_entry_is_not_replaced(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theirs = {"mcpServers": {"private-journal": {"command": "npx", "args": ["private-journal-mcp"]}}}
    (project / ".mcp.json").write_text(json.dumps(theirs), encoding="utf-8")
    result = install(capsys)
    assert result.code == 1 and "is another server of the same name" in result.out
    config = json.loads((project / ".mcp.json").read_text(encoding="utf-8"))
    assert config["mcpServers"]["private-journal"] == theirs["mcpServers"]["private-journal"]
    assert config["mcpServers"]["serving-math"]["command"] == SERVING_MATH  # the other server still goes in
    assert run_cli(capsys, "uninstall").code == 0
    assert json.loads((project / ".mcp.json").read_text(encoding="utf-8")) == theirs


def test_update_registers_serving_math_beside_an_older_installs_journal(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An install made before serving-math existed: `update` adds it and keeps the journal entry as it was."""
    assert install(capsys).code == 0
    manifest_path = project / ".claude" / "agent-pack.json"
    old = json.loads(manifest_path.read_text(encoding="utf-8"))
    del old["mcp_servers"]
    manifest_path.write_text(json.dumps(old), encoding="utf-8")
    config = json.loads((project / ".mcp.json").read_text(encoding="utf-8"))
    del config["mcpServers"]["serving-math"]
    (project / ".mcp.json").write_text(json.dumps(config), encoding="utf-8")
    result = run_cli(capsys, "update")
    assert result.code == 0, result.err
    assert "add the serving-math server, keeping the other servers" in result.out
    servers = json.loads((project / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]
    assert set(servers) == {"private-journal", "serving-math"}
    assert run_cli(capsys, "status").code == 0
    backups = list(project.glob(".mcp.json.bak-*"))  # update backed up the file it changed
    assert run_cli(capsys, "uninstall").code == 0
    assert not (project / ".mcp.json").exists()  # the pack created it: both entries gone, and no new backup
    assert list(project.glob(".mcp.json.bak-*")) == backups


def test_uninstall_removes_only_what_the_pack_installed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert install(capsys).code == 0
    mine = project / ".claude" / "agents" / "my-reviewer.md"
    mine.write_text("---\nname: my-reviewer\ndescription: Use when reviewing\n---\nReview.\n", encoding="utf-8")
    result = run_cli(capsys, "uninstall")
    assert result.code == 0
    assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*")) == [
        ".claude",
        ".claude/agents",
        ".claude/agents/my-reviewer.md",
    ]


def test_uninstall_after_a_clean_install_leaves_an_empty_project(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install(capsys).code == 0
    assert run_cli(capsys, "uninstall").code == 0
    assert list(project.iterdir()) == []


def test_no_mcp_and_http_registration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert install(capsys, "--no-mcp").code == 0
    assert not (project / ".mcp.json").exists()
    assert install(capsys, "--http", "http://127.0.0.1:8765/mcp").code == 0
    entry = json.loads((project / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["private-journal"]
    assert entry == {
        "type": "http",
        "url": "http://127.0.0.1:8765/mcp",
        # Claude Code runs the helper when it connects: the token is never in the file, and the shared
        # server puts this project's notes into this project's journal.
        "headersHelper": f"{JOURNAL_MCP} http-headers --project {project}",
    }
    # Switching back to the local command is an update of the pack's own entry.
    assert install(capsys).code == 0
    assert (
        json.loads((project / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["private-journal"]["type"]
        == "stdio"
    )


def test_user_scope_installs_into_home_and_prints_the_claude_command(
    home: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = install(capsys, "--user")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (home / ".claude" / "agents").iterdir()) == NAMES
    assert f"run: claude mcp add --scope user private-journal -- {JOURNAL_MCP}" in result.out
    assert f"run: claude mcp add --scope user serving-math -- {SERVING_MATH}" in result.out
    assert not (project / ".claude").exists()
    assert run_cli(capsys, "uninstall", "--user").code == 0
    assert not (home / ".claude" / "agents").exists()


def test_project_must_be_a_directory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "file").write_text("x", encoding="utf-8")
    result = run_cli(capsys, "install", "--project", str(project / "file"))
    assert result.code == 1 and "is not a directory" in result.err
    result = run_cli(capsys, "install", "--project", str(project / "nope"))
    assert result.code == 1 and "does not exist" in result.err


def test_project_and_user_are_exclusive(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        from agent_pack.cli import main

        main(["install", "--user", "--project", str(project)])
    assert exc.value.code == 2


def test_installing_into_the_packs_own_checkout_never_claims_its_source_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`./install.sh` run where the pack was cloned: a later uninstall must not delete the agents' source."""
    (project / "src" / "agent_pack").mkdir(parents=True)
    (project / ".claude-plugin").mkdir()
    (project / ".claude-plugin" / "plugin.json").write_text('{"name": "journal-agent-pack"}', encoding="utf-8")
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    for name, content in shipped().items():
        (agents / name).write_bytes(content)
    result = install(capsys)
    assert result.code == 0, result.err
    assert "the pack's own checkout" in result.out and "4 changed, 0 refused" in result.out
    manifest = json.loads((project / ".claude" / "agent-pack.json").read_text(encoding="utf-8"))
    assert list(manifest["files"]) == [SKILL]  # the skill's source is skills/, not .claude/skills
    assert "private-journal" in json.loads((project / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]
    result = run_cli(capsys, "uninstall")
    assert result.code == 0, result.err
    assert {p.name: p.read_bytes() for p in agents.iterdir()} == shipped()
    assert not (project / ".mcp.json").exists() or "private-journal" not in (project / ".mcp.json").read_text()
