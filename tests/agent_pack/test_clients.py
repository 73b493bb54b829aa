"""`agent-pack install/uninstall --client NAME`: each client's documented file, and the `.mcp.json` rules."""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path

import pytest

from tests.agent_pack import client_schemas
from tests.agent_pack.helpers import run_cli, tree_digest

# client -> (project file or None, user file relative to HOME or None, key holding the servers)
FILES: dict[str, tuple[str | None, str | None, str]] = {
    "claude-desktop": (None, ".config/Claude/claude_desktop_config.json", "mcpServers"),
    "cursor": (".cursor/mcp.json", ".cursor/mcp.json", "mcpServers"),
    "vscode": (".vscode/mcp.json", ".config/Code/User/mcp.json", "servers"),
    "windsurf": (None, ".codeium/windsurf/mcp_config.json", "mcpServers"),
    "codex": (".codex/config.toml", ".codex/config.toml", "mcp_servers"),
    "gemini-cli": (".gemini/settings.json", ".gemini/settings.json", "mcpServers"),
}
CASES = [(c, "project") for c, f in FILES.items() if f[0]] + [(c, "user") for c, f in FILES.items() if f[1]]


@pytest.fixture(autouse=True)
def _no_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XDG_CONFIG_HOME", "CODEX_HOME", "JOURNAL_MCP_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def target(client: str, where: str, project: Path, home: Path) -> tuple[Path, list[str]]:
    project_file, user_file, _ = FILES[client]
    if where == "project":
        assert project_file is not None
        return project / project_file, ["--project", str(project)]
    assert user_file is not None
    return home / user_file, ["--user"]


def servers(client: str, path: Path) -> dict[str, dict[str, object]]:
    data = tomllib.loads(path.read_text()) if client == "codex" else json.loads(path.read_text())
    return data[FILES[client][2]]


@pytest.mark.parametrize(("client", "where"), CASES)
def test_install_writes_the_documented_entry_and_uninstall_takes_it_away(
    client: str, where: str, project: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(project.parent)
    path, scope = target(client, where, project, home)
    result = run_cli(capsys, "install", "--client", client, *scope)
    assert result.code == 0, result.err
    assert "register" in result.out
    client_schemas.check(client, path)
    registered = servers(client, path)
    assert list(registered) == ["private-journal", "serving-math"]  # every server the pack registers
    for name, command in (("private-journal", "journal-mcp"), ("serving-math", "serving-math")):
        entry = registered[name]
        assert Path(str(entry["command"])).name == command and Path(str(entry["command"])).is_absolute()
        assert entry["args"] == []
    # A second install changes nothing; status lists the registration.
    again = run_cli(capsys, "install", "--client", client, *scope)
    assert again.code == 0 and "0 changed" in again.out
    status = json.loads(run_cli(capsys, "status", "--json", *scope).out)
    assert [(c["client"], c["name"], c["state"]) for c in status["clients"]] == [
        (client, "private-journal", "registered"),
        (client, "serving-math", "registered"),
    ]
    result = run_cli(capsys, "uninstall", "--client", client, *scope)
    assert result.code == 0, result.err
    assert tree_digest(project.parent) == before


@pytest.mark.parametrize("client", ["claude-desktop", "windsurf"])
def test_a_client_without_project_config_says_to_use_user(
    client: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "install", "--client", client)
    assert result.code == 1
    assert "has no per-project config" in result.err and f"--client {client} --user" in result.err
    assert list(project.iterdir()) == []


def test_several_clients_at_once_and_claude_code_beside_them(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "install", "--client", "claude-code", "--client", "cursor", "--client", "codex")
    assert result.code == 0, result.err
    assert (project / ".mcp.json").is_file() and (project / ".cursor/mcp.json").is_file()
    assert (project / ".codex/config.toml").is_file()
    assert len(list((project / ".claude/agents").glob("*.md"))) == 4
    # Uninstalling one client leaves the others registered.
    assert run_cli(capsys, "uninstall", "--client", "cursor").code == 0
    assert not (project / ".cursor").exists() and (project / ".codex/config.toml").is_file()
    status = json.loads(run_cli(capsys, "status", "--json").out)
    assert {c["client"] for c in status["clients"]} == {"codex"}


def test_existing_servers_and_comments_are_kept(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    codex = project / ".codex" / "config.toml"
    codex.parent.mkdir()
    codex.write_text('# my settings\nmodel = "o3"  # keep this\n\n[mcp_servers.other]\ncommand = "other"\n')
    vscode = project / ".vscode" / "mcp.json"
    vscode.parent.mkdir()
    vscode.write_text('{\n  // mine\n  "servers": {"other": {"type": "stdio", "command": "other",},},\n}\n')
    result = run_cli(capsys, "install", "--client", "codex", "--client", "vscode")
    assert result.code == 0, result.err
    text = codex.read_text()
    assert text.startswith('# my settings\nmodel = "o3"  # keep this\n') and "[mcp_servers.other]" in text
    assert set(tomllib.loads(text)["mcp_servers"]) == {"other", "private-journal", "serving-math"}
    assert set(json.loads(vscode.read_text())["servers"]) == {"other", "private-journal", "serving-math"}
    assert "comments are not kept" in result.out
    backups = sorted(p.name for p in project.rglob("*.bak-*"))
    assert [b.split(".bak-")[0] for b in backups] == ["config.toml", "mcp.json"]  # one backup per file
    # Uninstall puts the files back as they were, less our entry (the comment survives in the TOML).
    assert run_cli(capsys, "uninstall", "--client", "codex", "--client", "vscode").code == 0
    assert "# keep this" in codex.read_text() and "private-journal" not in codex.read_text()
    assert set(json.loads(vscode.read_text())["servers"]) == {"other"}


@pytest.mark.parametrize(
    ("client", "text", "message"),
    [
        ("cursor", '{"mcpServers": {', "is not valid JSON: Expecting"),
        ("cursor", '{"mcpServers": []}', '"mcpServers" must be a JSON object'),
        ("vscode", '{"servers": {/* */ ', "is not valid JSON with comments"),
        ("codex", "[mcp_servers\n", "is not valid TOML"),
        ("gemini-cli", "[1, 2]", "must hold a JSON object"),
    ],
)
def test_a_malformed_file_is_a_clear_error_and_nothing_is_written(
    client: str, text: str, message: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / FILES[client][0]  # type: ignore[operator]
    path.parent.mkdir()
    path.write_text(text)
    before = tree_digest(project)
    result = run_cli(capsys, "install", "--client", client, "--client", "claude-code")
    assert result.code == 1
    assert message in result.err and str(path) in result.err and "nothing was changed" in result.err
    assert tree_digest(project) == before


def test_a_foreign_entry_is_refused_and_force_replaces_it_keeping_a_backup(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / ".cursor" / "mcp.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"mcpServers": {"private-journal": {"command": "theirs"}}}))
    result = run_cli(capsys, "install", "--client", "cursor")
    assert result.code == 1 and "is another server of the same name" in result.out
    assert json.loads(path.read_text())["mcpServers"]["private-journal"] == {"command": "theirs"}
    assert run_cli(capsys, "uninstall", "--client", "cursor").code == 0  # not ours: nothing to remove
    assert path.exists()
    result = run_cli(capsys, "install", "--client", "cursor", "--force")
    assert result.code == 0 and "[backup:" in result.out
    backup = next(path.parent.glob("mcp.json.bak-*"))
    assert "theirs" in backup.read_text()
    assert "journal-mcp" in str(json.loads(path.read_text())["mcpServers"]["private-journal"]["command"])


def test_an_edited_entry_is_kept_by_update_and_uninstall(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "install", "--client", "gemini-cli").code == 0
    path = project / ".gemini" / "settings.json"
    data = json.loads(path.read_text())
    data["mcpServers"]["private-journal"]["timeout"] = 5000
    path.write_text(json.dumps(data))
    states = {c["name"]: c["state"] for c in json.loads(run_cli(capsys, "status", "--json").out)["clients"]}
    assert states == {"private-journal": "edited", "serving-math": "registered"}
    result = run_cli(capsys, "update", "--client", "gemini-cli")
    assert result.code == 1 and "edited since the pack registered it" in result.out
    result = run_cli(capsys, "uninstall", "--client", "gemini-cli")
    assert result.code == 1  # the edited entry stays; the unedited serving-math one goes
    assert json.loads(path.read_text())["mcpServers"] == {"private-journal": data["mcpServers"]["private-journal"]}
    assert run_cli(capsys, "uninstall", "--client", "gemini-cli", "--force").code == 0
    assert not path.exists() or "private-journal" not in path.read_text()


def test_update_does_not_restore_a_removed_entry(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "install", "--client", "cursor").code == 0
    path = project / ".cursor" / "mcp.json"
    path.write_text('{"mcpServers": {}}')
    result = run_cli(capsys, "update", "--client", "cursor")
    assert result.code == 0 and "not-restored" in result.out
    assert json.loads(path.read_text()) == {"mcpServers": {}}
    assert run_cli(capsys, "install", "--client", "cursor").code == 0
    assert "private-journal" in json.loads(path.read_text())["mcpServers"]


def test_dry_run_and_json_change_nothing(project: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_digest(project.parent)
    result = run_cli(capsys, "install", "--client", "vscode", "--client", "codex", "--dry-run", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["dry_run"] is True
    assert [s["action"] for s in data["steps"]] == ["register"] * 4
    assert tree_digest(project.parent) == before


def test_unknown_client_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "install", "--client", "emacs")
    assert result.code == 2 and "invalid choice: 'emacs'" in result.err


def test_claude_desktop_cannot_take_http_and_says_why(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "install", "--user", "--client", "claude-desktop", "--http", "http://127.0.0.1:8765/mcp")
    assert result.code == 1
    assert "starts local (stdio) servers only" in result.err and "without --http" in result.err


def test_vscode_http_asks_for_the_token_instead_of_storing_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://127.0.0.1:8765/mcp"
    assert run_cli(capsys, "install", "--client", "vscode", "--http", url).code == 0
    path = project / ".vscode" / "mcp.json"
    model = client_schemas.check("vscode", path)
    data = json.loads(path.read_text())
    entry = data["servers"]["private-journal"]
    assert entry["url"] == url and entry["headers"]["Authorization"] == "Bearer ${input:private-journal-token}"
    assert entry["headers"]["X-Private-Journal-Project"] == "${workspaceFolder}"
    assert data["inputs"] == [model.model_dump()["inputs"][0]] and data["inputs"][0]["password"] is True
    assert run_cli(capsys, "uninstall", "--client", "vscode").code == 0
    assert not path.exists()


def test_codex_http_runs_a_header_helper_so_no_token_is_written(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://127.0.0.1:8765/mcp"
    assert run_cli(capsys, "install", "--client", "codex", "--http", url).code == 0
    entry = tomllib.loads((project / ".codex" / "config.toml").read_text())["mcp_servers"]["private-journal"]
    assert entry["url"] == url
    helper = entry["http_headers_helper"].split()
    assert Path(helper[0]).name == "journal-mcp" and helper[1:] == ["http-headers", "--project", str(project)]


def test_secret_holding_files_are_private(
    project: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_MCP_TOKEN", "t" * 32)
    url = "http://127.0.0.1:8765/mcp"
    result = run_cli(capsys, "install", "--user", "--client", "cursor", "--http", url)
    assert result.code == 0, result.err
    path = home / ".cursor" / "mcp.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entry = json.loads(path.read_text())["mcpServers"]["private-journal"]
    assert entry == {
        "url": url,
        "headers": {"Authorization": "Bearer " + "t" * 32, "X-Private-Journal-Project": "${workspaceFolder}"},
    }
    assert "t" * 32 not in result.out


@pytest.mark.parametrize("client", ["cursor", "gemini-cli"])
def test_http_in_a_project_file_is_refused_for_clients_that_would_need_the_token_there(
    client: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "install", "--client", client, "--http", "http://127.0.0.1:8765/mcp")
    assert result.code == 1 and "gets committed" in result.err and "--user --http" in result.err
    assert list(project.iterdir()) == []


def test_windsurf_http_sends_no_project_and_says_where_project_notes_go(
    project: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_MCP_TOKEN", "w" * 32)
    url = "http://127.0.0.1:8765/mcp"
    result = run_cli(capsys, "install", "--user", "--client", "windsurf", "--http", url)
    assert result.code == 0, result.err
    assert "project notes go to your user journal" in result.out
    path = home / ".codeium" / "windsurf" / "mcp_config.json"
    client_schemas.check("windsurf", path)
    entry = json.loads(path.read_text())["mcpServers"]["private-journal"]
    assert entry == {
        "serverUrl": url,
        "headers": {"Authorization": "Bearer " + "w" * 32, "X-Private-Journal-Project": str(home.resolve())},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_claude_code_user_http_uses_add_json_with_the_helper_and_says_where_notes_go(
    project: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://127.0.0.1:8765/mcp"
    result = run_cli(capsys, "install", "--user", "--http", url, "--dry-run")
    assert result.code == 0, result.err
    line = next(ln for ln in result.out.splitlines() if "run: claude mcp add-json --scope user private-journal" in ln)
    entry = json.loads(line.split("private-journal ", 1)[1].strip().strip("'"))
    assert entry["type"] == "http" and entry["url"] == url
    assert entry["headersHelper"].endswith("journal-mcp http-headers") and "Authorization" not in line
