"""The frontmatter linter: real rule violations are caught, and the shipped agents pass."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from agent_pack.agents import bundled_agents
from agent_pack.validate import check_files, check_text
from tests.agent_pack.helpers import AGENTS_DIR, run_cli
from tests.agent_pack.test_seeds import seed_text

GOOD = "---\nname: good-agent\ndescription: Use this agent when testing.\nmodel: sonnet\ncolor: blue\n---\nYou test.\n"


def errors(text: str) -> list[str]:
    _, problems = check_text(text, "agent.md")
    return [f"{p.field}: {p.message}" for p in problems if p.severity == "error"]


def test_a_good_agent_has_no_problems() -> None:
    assert check_text(GOOD, "agent.md")[1] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("good-agent", "Good_Agent"), "name: 'Good_Agent' must be lowercase"),
        (GOOD.replace("good-agent", "good--agent"), "name: 'good--agent' must be lowercase"),
        (GOOD.replace("name: good-agent\n", ""), "name: missing"),
        (GOOD.replace("description: Use this agent when testing.\n", ""), "description: missing"),
        (GOOD.replace("description: Use this agent when testing.", "description: ''"), "description: missing"),
        (GOOD.replace("model: sonnet", "model: gpt-4o"), "model: 'gpt-4o' is not a model Claude Code can run"),
        (GOOD.replace("color: blue", "color: magenta"), "color: 'magenta' is not an agent color"),
        (GOOD.replace("You test.\n", ""), "None: the body (the agent's system prompt) is empty"),
        ("## Identity\n\nYou are Atlas.\n", "None: no frontmatter"),
        ("---\n\n## Identity\n\nYou are Atlas.\n\n---\n\nMore.\n", "frontmatter: frontmatter must be a YAML mapping"),
        ("---\n## Identity\nYou are Atlas.\n", "frontmatter: the opening '---' on line 1 has no closing '---' line"),
        (
            "---\nname: a\ndescription: Use when x. Examples: <example>Context: y</example>\n---\nbody\n",
            "frontmatter: frontmatter is not valid YAML (frontmatter line 2",
        ),
    ],
)
def test_rule_violations_are_errors(text: str, expected: str) -> None:
    found = errors(text)
    assert any(e.startswith(expected) for e in found), found


def test_model_aliases_and_ids_are_accepted() -> None:
    for model in ("inherit", "sonnet", "opus", "haiku", "claude-opus-4-5"):
        assert errors(GOOD.replace("model: sonnet", f"model: {model}")) == []


def test_unknown_fields_and_vague_descriptions_are_warnings() -> None:
    _, problems = check_text(
        GOOD.replace("color: blue", "colour: blue").replace("Use this agent when testing.", "A tester."), "a.md"
    )
    assert sorted((p.severity, p.field) for p in problems) == [("warning", "colour"), ("warning", "description")]


def test_duplicate_names_in_a_directory_are_errors(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.md").write_text(GOOD, encoding="utf-8")
    problems = check_files(sorted(tmp_path.glob("*.md")))
    assert [p.message for p in problems] == [
        "'good-agent' is also the name of " + str(tmp_path / "a.md") + ": agent names must be unique"
    ]


@pytest.mark.parametrize("seed", ["000", "001"])
def test_the_seeds_own_frontmatter_is_rejected(seed: str) -> None:
    """Why the seeds were normalised: their unquoted descriptions hold ': ', which is not YAML."""
    assert any("not valid YAML" in e for e in errors(seed_text(seed)))


def test_seed_003_without_frontmatter_is_rejected() -> None:
    assert any("no frontmatter" in e for e in errors(seed_text("003")))


def test_cli_validate_passes_the_shipped_agents(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["validate"], ["validate", str(AGENTS_DIR)]):
        result = run_cli(capsys, *argv)
        assert result.code == 0, result.out
        assert "4 agent file(s) checked: 0 error(s), 0 warning(s)" in result.out


def test_cli_validate_exits_1_on_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.md").write_text(GOOD.replace("model: sonnet", "model: gpt-4o"), encoding="utf-8")
    result = run_cli(capsys, "validate", str(tmp_path), "--json")
    assert result.code == 1
    report = result.json()
    assert report["errors"] == 1 and report["problems"][0]["field"] == "model"


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("list", "validate", "install", "update", "uninstall", "status"):
        result = run_cli(capsys, command, "--help")
        assert result.code == 0 and "example:" in result.out, command


@pytest.mark.parametrize("columns", [None, 80, 200])
def test_list_never_cuts_a_description_mid_word(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int | None
) -> None:
    """Piped: each description's whole first sentence; on a terminal of any width: cut only between words."""
    if columns is not None:
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
        monkeypatch.setattr(shutil, "get_terminal_size", lambda: os.terminal_size((columns, 24)))
    result = run_cli(capsys, "list")
    firsts = {a.name: (a.agent.description or "").split(". ")[0] for a in bundled_agents()}
    for line in result.out.splitlines():
        name, _model, summary = line.split(maxsplit=2)
        if columns is None:
            assert summary == firsts[name]
        else:
            shown = summary.removesuffix(" …")
            assert firsts[name].startswith(shown)
            assert shown == firsts[name] or firsts[name][len(shown)] == " ", line  # the cut falls between words
            assert len(line) <= max(columns, 50 + 60 + 2), line
