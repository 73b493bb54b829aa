"""The machine-specific files of a project install: said so after install, kept out of git only when asked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.agent_pack.helpers import run_cli

MACHINE_FILES = [".mcp.json", ".claude/agent-pack.json"]


def git(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, check=False)


def untracked(project: Path) -> list[str]:
    return git(project, "status", "--porcelain", "--untracked-files=all").stdout.split()


@pytest.fixture
def repo(project: Path) -> Path:
    assert git(project, "init", "-q").returncode == 0
    return project


def test_install_in_a_git_project_says_which_files_are_machine_specific(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "install")
    assert result.code == 0
    assert "note: .mcp.json and .claude/agent-pack.json hold this machine's paths" in result.out
    assert "agent-pack install --gitignore" in result.out
    assert not (repo / ".gitignore").exists()  # nothing written unless asked
    assert {".mcp.json", ".claude/agent-pack.json"} <= set(untracked(repo))


def test_gitignore_is_written_only_when_asked_and_uninstall_takes_its_lines_back(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "install", "--gitignore")
    assert result.code == 0, result.out
    assert "note:" not in result.out
    assert git(repo, "check-ignore", *MACHINE_FILES).stdout.split() == MACHINE_FILES
    # The agents stay visible to git: they are meant to be shared.
    assert any(p.startswith(".claude/agents/") for p in untracked(repo))
    assert run_cli(capsys, "install", "--gitignore").code == 0  # twice: no duplicate lines
    assert (repo / ".gitignore").read_text(encoding="utf-8").count("/.mcp.json") == 1
    assert run_cli(capsys, "uninstall").code == 0
    assert sorted(p.name for p in repo.iterdir()) == [".git"]


def test_an_existing_gitignore_is_appended_to_and_restored_exactly(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = "node_modules/\n*.log\n"
    (repo / ".gitignore").write_text(original, encoding="utf-8")
    assert run_cli(capsys, "install", "--gitignore").code == 0
    text = (repo / ".gitignore").read_text(encoding="utf-8")
    assert text.startswith(original) and "/.claude/agent-pack.json" in text
    assert run_cli(capsys, "uninstall").code == 0
    assert (repo / ".gitignore").read_text(encoding="utf-8") == original


def test_no_note_outside_git_or_once_ignored(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "note:" not in run_cli(capsys, "install").out  # not a git work tree: nothing can be committed
    git(project, "init", "-q")
    (project / ".gitignore").write_text(".mcp.json\n.claude/agent-pack.json\n", encoding="utf-8")
    assert "note:" not in run_cli(capsys, "install").out


def test_gitignore_with_user_scope_is_a_usage_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "install", "--user", "--gitignore")
    assert result.code == 1
    assert "--gitignore is for a project install" in result.err and "hint:" in result.err
    assert not (home / ".claude").exists()
