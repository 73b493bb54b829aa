"""install.sh end to end: a temp project and a temp virtualenv, then --uninstall --purge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients.conftest import REPO
from tests.readonly import can_mount_read_only, with_read_only

pytestmark = [
    pytest.mark.subprocess,
    pytest.mark.timeout(1500),
]  # a hang guard, not a timing: a fresh venv takes minutes on a loaded 2-core machine


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(REPO / "install.sh"), *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )


CHECK_RUNTIME = """
import importlib.util, importlib.metadata
for name in ("onnxruntime", "tokenizers", "torch", "sentence_transformers"):
    print(name if importlib.util.find_spec(name) else "no-" + name)
names = {d.metadata["Name"].lower() for d in importlib.metadata.distributions()}
print("nvidia" if any(n.startswith("nvidia") for n in names) else "no-nvidia")
"""


def test_install_sh_installs_checks_and_uninstalls(tmp_path: Path) -> None:
    project, venv, home, bin_dir = tmp_path / "project", tmp_path / "venv", tmp_path / "home", tmp_path / "bin"
    project.mkdir()
    home.mkdir()
    bin_dir.mkdir()
    foreign = bin_dir / "agent-pack"  # someone else's command of that name: never replaced or removed
    foreign.write_text("#!/bin/sh\necho other\n", encoding="utf-8")
    keep = {k: v for k, v in os.environ.items() if k.startswith(("PIP_", "http", "HTTP", "no_proxy", "NO_PROXY"))}
    env = {
        **keep,
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "JOURNAL_AGENT_PACK_VENV": str(venv),
        "JOURNAL_AGENT_PACK_BIN": str(bin_dir),
        "JOURNAL_MCP_SEMANTIC": "0",
    }
    result = run(env, str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   read one back" in result.stdout and "Next:" in result.stdout
    assert sorted(p.name for p in (project / ".claude" / "agents").iterdir()) == sorted(
        p.name for p in (REPO / ".claude" / "agents").glob("*.md")
    )
    servers = json.loads((project / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]
    assert servers["private-journal"]["command"] == str(venv / "bin" / "journal-mcp")
    assert servers["serving-math"]["command"] == str(venv / "bin" / "serving-math")
    assert "ok   Llama-3 70B on one Raspberry Pi: infeasible (memory)" in result.stdout  # its self-check ran
    # The installed package reads the agents from its own package data, not from this checkout.
    packaged = list(venv.glob("lib/python3*/site-packages/agent_pack/agent_files/*.md"))
    assert len(packaged) == 4
    # The default runtime is ONNX Runtime: no torch, no sentence-transformers, no CUDA wheels.
    assert "no torch" in result.stdout and "installing torch" not in result.stdout
    modules = subprocess.run(
        [str(venv / "bin" / "python"), "-c", CHECK_RUNTIME], capture_output=True, text=True, check=True
    ).stdout.split()
    assert modules == ["onnxruntime", "tokenizers", "no-torch", "no-sentence_transformers", "no-nvidia"], modules
    # The command is linked onto PATH; the foreign one is left alone, and the user is told where things are.
    assert os.readlink(bin_dir / "journal-mcp") == str(venv / "bin" / "journal-mcp")
    assert os.readlink(bin_dir / "serving-math") == str(venv / "bin" / "serving-math")
    assert not foreign.is_symlink() and foreign.read_text(encoding="utf-8").endswith("echo other\n")
    assert f"{foreign} exists and is not this installer's link" in result.stdout
    assert f"{bin_dir} is not on your PATH" in result.stdout

    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    result = run(env, str(project))  # running it again is safe: the venv is reused, the project unchanged
    assert result.returncode == 0, result.stdout + result.stderr
    assert "reusing the virtualenv" in result.stdout and "0 changed, 0 refused" in result.stdout
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before

    result = run(env, "--uninstall", "--purge", str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(project.iterdir()) == []
    assert not venv.exists()
    assert sorted(p.name for p in bin_dir.iterdir()) == ["agent-pack"] and not foreign.is_symlink()


def test_install_sh_explains_bad_targets(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "JOURNAL_AGENT_PACK_VENV": str(tmp_path / "v")}
    result = run(env, str(tmp_path / "missing"))
    assert result.returncode == 1 and "does not exist" in result.stderr and "hint:" in result.stderr
    result = run({**env, "PYTHON": str(tmp_path / "no-python")}, str(tmp_path))
    assert result.returncode == 1 and "no Python found" in result.stderr
    old = tmp_path / "python3.9"
    old.write_text('#!/bin/sh\ncase "$*" in *"(3, 11)"*) exit 1 ;; *) echo 3.9 ;; esac\n', encoding="utf-8")
    old.chmod(0o755)
    result = run({**env, "PYTHON": str(old)}, str(tmp_path))
    assert result.returncode == 1 and "needs 3.11 or newer" in result.stderr


def test_install_sh_says_when_the_package_index_is_unreachable(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "JOURNAL_AGENT_PACK_VENV": str(tmp_path / "venv"),
        "PIP_CONFIG_FILE": "/dev/null",  # no local wheel caches or mirrors from the machine's pip config
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",  # loopback port nobody listens on: "no network"
        "PIP_RETRIES": "0",
        "PIP_DEFAULT_TIMEOUT": "2",
    }
    result = run(env, str(tmp_path / "project"))
    assert result.returncode == 1
    assert "error: pip could not download" in result.stderr and "needs network access" in result.stderr
    assert list((tmp_path / "project").iterdir()) == []  # nothing was installed into the project


def run_read_only(
    directory: Path, *command: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`command` while `directory` is a read-only mount."""
    return subprocess.run(
        with_read_only(directory, *command), env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.skipif(not can_mount_read_only(), reason="this kernel does not allow unprivileged mount namespaces")
def test_unwritable_targets_are_clear_errors_and_nothing_is_written(tmp_path: Path) -> None:
    """A project, or a place for the virtualenv, on a disk that refuses writes (root ignores file modes)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "README").write_text("someone's project\n", encoding="utf-8")
    agent_pack = str(Path(sys.executable).with_name("agent-pack"))
    result = run_read_only(project, agent_pack, "install", "--project", str(project))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"cannot write to {project}" in result.stderr and "hint:" in result.stderr
    assert sorted(p.name for p in project.iterdir()) == ["README"]

    venv_parent = tmp_path / "readonly-share"
    venv_parent.mkdir()
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "JOURNAL_AGENT_PACK_VENV": str(venv_parent / "venv"),
    }
    result = run_read_only(venv_parent, "bash", str(REPO / "install.sh"), str(project), env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "for the virtualenv" in result.stderr and "JOURNAL_AGENT_PACK_VENV" in result.stderr
    assert list(venv_parent.iterdir()) == [] and sorted(p.name for p in project.iterdir()) == ["README"]

    # A read-only project is refused before anything is downloaded or built.
    env["JOURNAL_AGENT_PACK_VENV"] = str(tmp_path / "venv")
    result = run_read_only(project, "bash", str(REPO / "install.sh"), str(project), env=env)
    assert result.returncode == 1 and f"cannot write to {project}" in result.stderr, result.stdout + result.stderr
    assert not (tmp_path / "venv").exists()
