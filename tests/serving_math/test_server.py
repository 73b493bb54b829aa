"""The MCP layer: tool list, schemas and descriptions, results, the CLI, and a real stdio subprocess."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from tests.journal.helpers import INITIALIZE, ok, text_of

TOOLS = {"check_sla", "memory_fit", "estimate_performance", "list_catalog"}


@pytest.mark.anyio
async def test_tool_list_schemas_and_descriptions(math_client) -> None:  # type: ignore[no-untyped-def]
    listed = {t.name: t for t in (await math_client.list_tools()).tools}
    assert set(listed) == TOOLS
    sla = listed["check_sla"].input_schema
    assert set(sla["required"]) == {"model", "accelerator", "gpu_count", "ttft_ms"}
    for name, tool in listed.items():
        assert tool.description and len(tool.description) > 150, name
        assert tool.output_schema, name
        assert tool.annotations.read_only_hint is True
        for prop, schema in tool.input_schema.get("properties", {}).items():
            assert schema.get("description"), f"{name}.{prop} has no description"
    assert "Example" in listed["check_sla"].description
    assert "check_sla" in (math_client.instructions or "")


@pytest.mark.anyio
async def test_each_tool_returns_text_and_structure(math_client) -> None:  # type: ignore[no-untyped-def]
    fit = await math_client.call_tool(
        "memory_fit",
        {"model": "llama-3-70b", "accelerator": "a100-80gb-sxm", "tensor_parallel": 8, "context_tokens": 4096},
    )
    data = ok(fit)
    assert data["kv_cache_per_token_kib"] == 320
    assert data["weights_per_device_gb"] == pytest.approx(17.64, abs=0.01)
    assert data["smallest_tensor_parallel_that_fits"] == 4
    assert "KV cache per token = 2 (K and V) × layers × kv_heads × head_dim × dtype_bytes" in text_of(fit)
    perf = ok(
        await math_client.call_tool(
            "estimate_performance",
            {
                "model": "llama-3.1-8b",
                "accelerator": "h100-sxm",
                "precision": "fp8",
                "prompt_tokens": 128,
                "output_tokens": 128,
                "requests_per_second": 50,
            },
        )
    )
    assert perf["ideal"]["output_tokens_per_s_per_replica"] > perf["expected"]["output_tokens_per_s_per_replica"] > 0
    assert perf["concurrency_littles_law"] > 0
    listing = await math_client.call_tool("list_catalog", {})
    data = ok(listing)
    ids = {a["id"] for a in data["accelerators"]}
    assert {
        "a100-40gb-sxm",
        "a100-80gb-sxm",
        "h100-sxm",
        "h100-pcie",
        "h200-sxm",
        "b200",
        "l4",
        "l40s",
        "a10g",
        "t4",
        "mi300x",
        "gaudi3",
        "raspberry-pi-5-4gb",
    } <= ids
    models = {m["id"] for m in data["models"]}
    assert {
        "llama-3-8b",
        "llama-3.1-70b",
        "llama-3.1-405b",
        "mixtral-8x7b",
        "qwen2.5-72b",
        "deepseek-v3",
        "all-minilm-l6-v2",
    } <= models
    assert all(a["source"] for a in data["accelerators"] + data["models"])
    assert "User additions: *.toml / *.json in" in text_of(listing)


@pytest.mark.anyio
async def test_embedding_models_are_prefill_only(math_client) -> None:  # type: ignore[no-untyped-def]
    data = ok(
        await math_client.call_tool(
            "check_sla",
            {
                "model": "bge-large-en-v1.5",
                "accelerator": "t4",
                "gpu_count": 1,
                "requests_per_second": 100,
                "ttft_ms": 100,
                "prompt_tokens": 256,
            },
        )
    )
    assert data["output_tokens"] == 0
    assert data["feasible"] is True


def test_cli_check_sla_exit_codes_and_json() -> None:
    base = [sys.executable, "-m", "serving_math", "check-sla", "--model", "llama-3-70b"]
    good = subprocess.run(
        [
            *base,
            "--accelerator",
            "A100 80GB",
            "--gpus",
            "8",
            "--requests-per-minute",
            "1000",
            "--ttft-ms",
            "500",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["feasible"] is True
    bad = subprocess.run(
        [*base, "--accelerator", "raspberry pi", "--gpus", "1", "--requests-per-second", "1e6", "--ttft-ms", "10"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 1 and bad.stdout.startswith("INFEASIBLE (binding constraint: memory)")
    unknown = subprocess.run(
        [*base, "--accelerator", "A1000", "--gpus", "1", "--requests-per-second", "1", "--ttft-ms", "10"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert unknown.returncode == 2 and "unknown accelerator 'A1000'" in unknown.stderr and not unknown.stdout


@pytest.mark.subprocess
@pytest.mark.anyio
async def test_stdio_subprocess_round_trip(tmp_path: Path) -> None:
    """The real server over stdio, with a user catalogue file from the XDG config directory."""
    user = tmp_path / "config" / "journal-agent-pack" / "serving-math"
    user.mkdir(parents=True)
    (user / "lab.toml").write_text(
        '[[accelerator]]\nid = "lab-gpu"\nname = "Lab GPU"\nkind = "gpu"\nmemory_gb = 48\n'
        'memory_bandwidth_gbs = 900\ntflops = { fp16 = 180 }\nsource = "our datasheet"\n',
        encoding="utf-8",
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "serving_math"], env=env, cwd=str(tmp_path))
    started = time.perf_counter()
    async with Client(params, read_timeout_seconds=60) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        handshake = time.perf_counter() - started
        assert tools == TOOLS
        data = ok(
            await client.call_tool(
                "check_sla",
                {
                    "model": "llama-3-70b",
                    "accelerator": "a100-80gb-sxm",
                    "gpu_count": 8,
                    "requests_per_minute": 1000,
                    "ttft_ms": 500,
                },
            )
        )
        assert data["feasible"] is True
        fit = ok(await client.call_tool("memory_fit", {"model": "llama-3-8b", "accelerator": "lab-gpu"}))
        assert fit["fits"] is True and fit["sources"]["lab-gpu memory"] == "our datasheet"
        listing = ok(await client.call_tool("list_catalog", {}))
        assert listing["user_catalog_dir"] == str(user)
        assert listing["user_files"] == [str(user / "lab.toml")]
    print(f"serving-math spawn to tools/list: {handshake:.2f}s")


def test_tools_list_path_imports_nothing_heavy() -> None:
    code = (
        "import sys, serving_math.server; "
        "heavy = [m for m in ('torch', 'sentence_transformers', 'numpy', 'journal_mcp') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.subprocess
def test_self_check_runs_the_real_server() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "serving_math", "self-check"], capture_output=True, text=True, timeout=180, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("ok   ") == 3


@pytest.mark.subprocess
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_stdio_server_exits_on_sigint_and_sigterm(signum: int) -> None:
    """Ctrl-C, or a client ending its session, stops a running server (it used to wait for stdin to close)."""
    exe = Path(sys.executable).parent / "serving-math"
    proc = subprocess.Popen([str(exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["id"] == 1  # serving, stdin still open
        proc.send_signal(signum)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
