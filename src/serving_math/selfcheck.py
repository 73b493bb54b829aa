"""`serving-math self-check`: start the real server over stdio and check seed 002's two cases."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

FEASIBLE = {
    "model": "llama-3-70b",
    "accelerator": "a100-80gb-sxm",
    "gpu_count": 8,
    "requests_per_minute": 1000,
    "ttft_ms": 500,
}
INFEASIBLE = {
    "model": "llama-3-70b",
    "accelerator": "raspberry-pi-5-4gb",
    "gpu_count": 1,
    "requests_per_second": 1_000_000,
    "ttft_ms": 10,
}


class CheckFailed(Exception):
    """One self-check step did not give the expected answer."""


def _expect(ok: bool, message: str) -> None:
    if not ok:
        raise CheckFailed(message)


async def run_self_check(report: Callable[[str], None] = print, *, timeout: float = 60.0) -> bool:
    """True when a fresh server lists its tools and answers both seed cases as expected."""
    with tempfile.TemporaryDirectory(prefix="serving-math-self-check-") as tmp:
        # An empty config directory: the check exercises the shipped catalogue, not the user's files.
        env = {**os.environ, "HOME": tmp, "XDG_CONFIG_HOME": tmp}
        env.pop("SERVING_MATH_CONFIG_DIR", None)
        params = StdioServerParameters(command=sys.executable, args=["-m", "serving_math"], env=env, cwd=tmp)
        started = time.perf_counter()
        try:
            with anyio.fail_after(timeout):
                async with Client(params, read_timeout_seconds=timeout) as client:
                    tools = {t.name for t in (await client.list_tools()).tools}
                    report(f"ok   server answered in {time.perf_counter() - started:.2f}s with {len(tools)} tools")
                    good: Any = (await client.call_tool("check_sla", FEASIBLE)).structured_content
                    _expect(bool(good) and good["feasible"], f"seed case 1 should be feasible: {good}")
                    report(f"ok   Llama-3 70B FP16 on 8x A100 80GB at 1000 req/min: {good['verdict'][:60]}...")
                    bad: Any = (await client.call_tool("check_sla", INFEASIBLE)).structured_content
                    _expect(
                        bool(bad) and bad["binding_constraint"] == "memory", f"seed case 2 should fail on memory: {bad}"
                    )
                    report("ok   Llama-3 70B on one Raspberry Pi: infeasible (memory)")
        except (CheckFailed, TimeoutError, OSError) as exc:
            report(f"FAIL {exc or type(exc).__name__}")
            return False
    return True


def main() -> int:
    return 0 if anyio.run(run_self_check) else 1
