"""Connect-time benchmark: our stdio server against a bare MCPServer of the same SDK.

    .venv/bin/python bench/bench_connect.py [--runs 5] [--no-claude]

For each server, started the way a client starts it (a fresh process on pipes):
- cold start: spawn -> the answer to `server/discover` (the version probe Claude Code sends first,
  and times out after 3 s on stdio) -> the answer to `tools/list`;
- shutdown: SIGINT -> process exit (Claude Code sends SIGINT, then SIGTERM 100 ms later);
- Claude Code's own connect time (`claude mcp list`, one server at a time, read from its MCP log:
  "Successfully connected ... in N ms"), and whether its version probe timed out.

Servers: `bare` (MCPServer with one tool), `ours` (journal-mcp, keyword search: no model) and
`ours+model` (journal-mcp as installed: the embedding model loads in the background) and
`serving-math` (the second server; its catalogue loads in the lifespan). Runs
alternate between servers so machine load hits them alike; the load average is printed. Everything
runs in a temporary HOME with temporary journals; your journals and settings are not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLAUDE = REPO / "test-tools" / "node_modules" / ".bin" / "claude"
JOURNAL_MCP = Path(sys.executable).parent / "journal-mcp"
SERVING_MATH = Path(sys.executable).parent / "serving-math"
SIGINT_WAIT = 3.0  # seconds a server gets to exit after SIGINT before it is killed

BARE_SERVER = """\
from mcp.server.mcpserver import MCPServer

server = MCPServer("bare")


@server.tool()
def echo(text: str) -> str:
    \"\"\"Return the text.\"\"\"
    return text


server.run("stdio")
"""

META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "bench-connect", "version": "1"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


def commands(tmp: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    bare = tmp / "bare_server.py"
    bare.write_text(BARE_SERVER, encoding="utf-8")
    journals = {
        "JOURNAL_MCP_USER_JOURNAL": str(tmp / "user-journal"),
        "JOURNAL_MCP_PROJECT_JOURNAL": str(tmp / "project-journal"),
    }
    return {
        "bare": ([sys.executable, str(bare)], {}),
        "ours": ([str(JOURNAL_MCP)], {**journals, "JOURNAL_MCP_SEMANTIC": "0"}),
        "ours+model": ([str(JOURNAL_MCP)], journals),
        "serving-math": ([str(SERVING_MATH)], {"XDG_CONFIG_HOME": str(tmp / "config")}),
    }


def request(proc: subprocess.Popen[bytes], rid: int, method: str) -> dict[str, object]:
    assert proc.stdin is not None and proc.stdout is not None
    message = {"jsonrpc": "2.0", "id": rid, "method": method, "params": {"_meta": META}}
    proc.stdin.write((json.dumps(message) + "\n").encode())
    proc.stdin.flush()
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"the server closed stdout before answering {method}")
    answer: dict[str, object] = json.loads(line)
    if "error" in answer:
        raise RuntimeError(f"{method} failed: {answer['error']}")
    return answer


def cold_start(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float, int]:
    """Seconds from spawn to the discover answer and to the tools/list answer; SIGINT to exit; tool count."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=cwd
    )
    try:
        request(proc, 1, "server/discover")
        discovered = time.perf_counter() - started
        listing = request(proc, 2, "tools/list")
        listed = time.perf_counter() - started
        tools = len(listing["result"]["tools"])  # type: ignore[index]
        interrupted = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=SIGINT_WAIT)
            exited = time.perf_counter() - interrupted
        except subprocess.TimeoutExpired:
            exited = float("inf")  # printed as "inf": still running SIGINT_WAIT seconds after SIGINT
        return discovered, listed, exited, tools
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def claude_connect(name: str, cmd: list[str], env: dict[str, str], tmp: Path) -> tuple[float, bool]:
    """Claude Code's connect time (ms, from its MCP log) and whether its version probe timed out."""
    home = tmp / f"claude-home-{name}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    project = tmp / "project"
    project.mkdir(exist_ok=True)
    config = {"mcpServers": {name: {"type": "stdio", "command": cmd[0], "args": cmd[1:], "env": env}}}
    (home / ".claude.json").write_text(json.dumps(config), encoding="utf-8")
    claude_env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    subprocess.run(
        [str(CLAUDE), "mcp", "list"], cwd=project, env=claude_env, capture_output=True, timeout=120, check=False
    )
    lines = [line for log in home.glob(".cache/claude-cli-nodejs/*/mcp-logs-*/*.jsonl") for line in log.open()]
    debug = [json.loads(line).get("debug", "") for line in lines]
    connected = [d for d in debug if d.startswith("Successfully connected")]
    if not connected:
        raise RuntimeError(f"Claude Code did not connect to {name}: {debug}")
    ms = float(connected[-1].rsplit(" in ", 1)[1].removesuffix("ms"))
    return ms, any("probe timed out" in d for d in debug)


def summary(values: list[float], unit: str = "s") -> str:
    scale = 1000 if unit == "ms" else 1
    vals = [v * scale for v in values]
    fmt = "{:.0f}" if unit == "ms" else "{:.2f}"
    return f"median {fmt.format(statistics.median(vals))} {unit} (min {fmt.format(min(vals))}, max {fmt.format(max(vals))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per server and measurement (default 5)")
    parser.add_argument("--no-claude", action="store_true", help="skip the Claude Code measurement")
    parser.add_argument(
        "--only", nargs="+", choices=["bare", "ours", "ours+model", "serving-math"], help="measure only these servers"
    )
    args = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory(prefix="bench-connect-") as tmp_name:
        tmp = Path(tmp_name)
        servers = {k: v for k, v in commands(tmp).items() if not args.only or k in args.only}
        base_env = {**os.environ, "HOME": str(tmp)}
        results: dict[str, dict[str, list[float]]] = {k: {"discover": [], "tools": [], "exit": []} for k in servers}
        counts: dict[str, int] = {}
        for _ in range(args.runs):
            for name, (cmd, extra) in servers.items():
                discovered, listed, exited, counts[name] = cold_start(cmd, {**base_env, **extra}, tmp)
                results[name]["discover"].append(discovered)
                results[name]["tools"].append(listed)
                results[name]["exit"].append(exited)
        print("\ncold start over stdio pipes (spawn -> answer), and SIGINT -> exit:")
        for name, r in results.items():
            print(f"  {name:<11} server/discover {summary(r['discover'])}")
            print(f"  {'':<11} tools/list      {summary(r['tools'])}  ({counts[name]} tools)")
            print(f"  {'':<11} SIGINT -> exit  {summary(r['exit'], 'ms')}")

        if args.no_claude:
            pass
        elif not CLAUDE.exists():
            print(f"\nClaude Code: skipped ({CLAUDE} is missing: npm ci --prefix test-tools)")
        else:
            print("\nClaude Code connect (`claude mcp list`, one server at a time, from its MCP log):")
            for name, (cmd, extra) in servers.items():
                times: list[float] = []
                timeouts = 0
                for _ in range(args.runs):
                    ms, timed_out = claude_connect(name, cmd, extra, tmp)
                    times.append(ms / 1000)
                    timeouts += timed_out
                print(f"  {name:<11} {summary(times, 'ms')}; version probe timed out in {timeouts}/{args.runs} runs")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
