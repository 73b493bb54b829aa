"""Hook benchmark: wall time of `journal-mcp hook session-start` and `hook stop`, as Claude Code runs them.

    .venv/bin/python bench/bench_hooks.py [--runs 10] [--entries 2000]

Each run is a fresh process fed the hook's JSON on stdin, like Claude Code starts it. Cases: an empty
(missing) journal, a journal of --entries entries, and the same journal under another process's
exclusive lock (the briefing gives up after 0.2 s instead of waiting). Baselines in the same run:
`python -c pass` and `python -c "import pydantic"` (the settings' only heavy import). The budget is
1 s without the model; the load average is printed because the machine's load moves these numbers.
Everything runs on temporary journals.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JOURNAL_MCP = Path(sys.executable).parent / "journal-mcp"


def timed(cmd: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(cmd, input=stdin, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, result.stdout


def fill(env: dict[str, str], count: int) -> None:
    from journal_mcp.core.config import Settings
    from journal_mcp.service.journal import Journal

    with Journal(Settings.from_env(env)) as journal:
        for i in range(count):
            journal.write({"project_notes": f"entry {i}: batch size {i % 64} on L4, p99 {100 + i % 900} ms"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--entries", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "project").mkdir()
        empty = {
            **os.environ,
            "HOME": str(base / "home"),
            "CLAUDE_PROJECT_DIR": str(base / "project"),
            "JOURNAL_MCP_PROJECT_JOURNAL": str(base / "empty-project"),
            "JOURNAL_MCP_USER_JOURNAL": str(base / "empty-user"),
            "JOURNAL_MCP_SEMANTIC": "0",
        }
        full = dict(empty, JOURNAL_MCP_PROJECT_JOURNAL=str(base / "pj"), JOURNAL_MCP_USER_JOURNAL=str(base / "uj"))
        fill(full, args.entries)
        transcript = base / "t.jsonl"
        transcript.write_text(json.dumps({"message": {"content": [{"type": "tool_use", "name": "Read"}]}}) + "\n")
        start = json.dumps({"session_id": "bench", "hook_event_name": "SessionStart", "source": "startup"})
        cases: dict[str, tuple[list[str], dict[str, str], str]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], empty, ""),
            "python -c 'import pydantic'": ([sys.executable, "-c", "import pydantic"], empty, ""),
            "session-start, no journal": ([str(JOURNAL_MCP), "hook", "session-start"], empty, start),
            f"session-start, {args.entries} entries": ([str(JOURNAL_MCP), "hook", "session-start"], full, start),
            f"stop, {args.entries} entries": (
                [str(JOURNAL_MCP), "hook", "stop"],
                full,
                json.dumps({"session_id": "bench-stop", "transcript_path": str(transcript)}),
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in [*cases, "session-start, locked journal"]}
        sizes: list[int] = []
        for run in range(args.runs):
            for name, (cmd, env, stdin) in cases.items():
                seconds, out = timed(cmd, dict(env, XDG_STATE_HOME=str(base / f"state-{run}")), stdin)
                times[name].append(seconds)
                if name.startswith("session-start") and out:
                    sizes.append(len(json.loads(out)["hookSpecificOutput"]["additionalContext"]))
            holder = sqlite3.connect(Path(full["JOURNAL_MCP_PROJECT_JOURNAL"]) / "journal.db", isolation_level=None)
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("CREATE TABLE IF NOT EXISTS held (x)")
            seconds, _ = timed([str(JOURNAL_MCP), "hook", "session-start"], full, start)
            times["session-start, locked journal"].append(seconds)
            holder.execute("ROLLBACK")
            holder.close()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"hook wall time, {args.runs} runs each (load average {load}; {os.cpu_count()} cores)")
    for name, values in times.items():
        print(f"  {name:<36} median {statistics.median(values):.3f} s  min {min(values):.3f}  max {max(values):.3f}")
    print(f"  briefing size: {min(sizes)}-{max(sizes)} characters (budget 1500)")


if __name__ == "__main__":
    main()
