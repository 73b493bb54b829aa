"""serving-math call times: how long each tool's arithmetic takes in-process (no protocol).

    .venv/bin/python bench/bench_serving_math.py [--runs 20]

Prints the catalogue load time and, per call, the median and max over the runs, with the load
average before and after (the machine is shared: compare numbers from one run, not across runs).
check_sla is the expensive one: it evaluates every TP x PP layout, and when infeasible repeats
that for every other accelerator to find alternatives.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from serving_math.calc.sla import Workload
from serving_math.catalog import load_catalog
from serving_math.planning import sla_report
from serving_math.service import catalog_report, memory_fit_report, performance_report


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    started = time.perf_counter()
    cat = load_catalog()
    print(f"catalogue load: {(time.perf_counter() - started) * 1000:.1f} ms")
    calls: dict[str, Callable[[], object]] = {
        "list_catalog": lambda: catalog_report(cat),
        "memory_fit 70B TP8": lambda: memory_fit_report(cat, "llama-3-70b", "a100-80gb-sxm", "fp16", 8),
        "estimate_performance 8B FP8": lambda: performance_report(cat, "llama-3.1-8b", "h100-sxm", "fp8"),
        "check_sla seed 1 (feasible)": lambda: sla_report(
            cat, "llama-3-70b", "a100-80gb-sxm", 8, Workload(1000 / 60, 230, 203, 0.5)
        ),
        "check_sla seed 2 (infeasible, alternatives)": lambda: sla_report(
            cat, "llama-3-70b", "raspberry-pi-5-4gb", 1, Workload(1e6, 230, 203, 0.01)
        ),
        "check_sla 405B FP8 on 16x H100": lambda: sla_report(
            cat, "llama-3.1-405b", "h100-sxm", 16, Workload(5, 1000, 500, 2.0), "fp8"
        ),
    }
    for name, fn in calls.items():
        times = timed(fn, args.runs)
        print(f"{name:<45} median {statistics.median(times) * 1000:8.1f} ms   max {max(times) * 1000:8.1f} ms")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
