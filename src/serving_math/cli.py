"""`serving-math`: with no arguments, serve MCP over stdio; `check-sla`, `fit`, `perf` and `catalog`
print the same answers the tools give, for people and scripts (`--json` for the structured result)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence

from serving_math.config import ENV_DIR, user_catalog_dir
from serving_math.errors import ServingMathError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

EPILOG = f"""\
examples:
  serving-math                                   serve MCP over stdio (what Claude Code starts)
  serving-math check-sla --model llama-3-70b --accelerator a100-80gb-sxm --gpus 8 \\
      --requests-per-minute 1000 --ttft-ms 500
  serving-math fit --model llama-3.1-405b --accelerator h200 --tp 8 --precision fp8
  serving-math perf --model llama-3.1-8b --accelerator h100-sxm --precision fp8 --prompt 128 --output 128
  serving-math catalog
  serving-math self-check                        start the server and check two known answers

user additions: *.toml / *.json in --catalog-dir, ${ENV_DIR}, or
$XDG_CONFIG_HOME/journal-agent-pack/serving-math (default ~/.config/...); see the README.

exit codes: 0 success (check-sla: feasible), 1 failed / check-sla infeasible, 2 bad usage or input."""


def _common(p: argparse.ArgumentParser, *, model: bool = True) -> None:
    if model:
        p.add_argument("--model", required=True, help="model id or name (see `serving-math catalog`)")
        p.add_argument("--accelerator", required=True, help="accelerator id or name")
        p.add_argument("--precision", default="fp16", help="fp16, bf16, fp8, int8, int4, awq, gptq, fp32")
    p.add_argument("--json", action="store_true", help="print the structured result as JSON")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="serving-math",
        description="LLM serving arithmetic (memory fit, latency/throughput bounds, SLA checks) as an MCP "
        "server named `serving-math`. Run with no arguments to serve MCP over stdio.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--catalog-dir", help=f"directory of user catalogue additions (overrides ${ENV_DIR})")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve MCP over stdio (the default)")
    sub.add_parser("self-check", help="start the real server over stdio and check seed 002's two cases")

    sla = sub.add_parser("check-sla", help="can this hardware meet this SLA?")
    _common(sla)
    sla.add_argument("--gpus", type=int, required=True, help="devices available")
    rate = sla.add_mutually_exclusive_group(required=True)
    rate.add_argument("--requests-per-second", type=float)
    rate.add_argument("--requests-per-minute", type=float)
    sla.add_argument("--ttft-ms", type=float, required=True)
    sla.add_argument("--tpot-ms", type=float)
    sla.add_argument("--prompt", type=int, default=230, help="prompt tokens per request (default 230)")
    sla.add_argument("--output", type=int, default=203, help="output tokens per request (default 203)")
    sla.add_argument("--max-utilization", type=float, default=0.8)

    fit = sub.add_parser("fit", help="memory fit and max concurrent sequences")
    _common(fit)
    fit.add_argument("--tp", type=int, default=1)
    fit.add_argument("--pp", type=int, default=1)
    fit.add_argument("--context", type=int, help="tokens per sequence (default min(max context, 8192))")

    perf = sub.add_parser("perf", help="latency and throughput bounds of one layout")
    _common(perf)
    perf.add_argument("--tp", type=int, default=1)
    perf.add_argument("--pp", type=int, default=1)
    perf.add_argument("--prompt", type=int, default=230)
    perf.add_argument("--output", type=int, default=203)
    perf.add_argument("--batch", type=int)

    cat = sub.add_parser("catalog", help="list the accelerators, models and precisions")
    _common(cat, model=False)
    return parser


def _run(args: argparse.Namespace) -> int:
    from pydantic import BaseModel

    from serving_math import formatting, planning, service
    from serving_math.calc.sla import Workload
    from serving_math.catalog import load_catalog

    catalog = load_catalog(user_catalog_dir(args.catalog_dir))
    result: BaseModel
    if args.command == "check-sla":
        rate = args.requests_per_second if args.requests_per_second is not None else args.requests_per_minute / 60
        wl = Workload(
            rate,
            args.prompt,
            args.output,
            args.ttft_ms / 1000,
            None if args.tpot_ms is None else args.tpot_ms / 1000,
            args.max_utilization,
        )
        sla = planning.sla_report(catalog, args.model, args.accelerator, args.gpus, wl, args.precision)
        result, text, code = sla, formatting.sla_text(sla), EXIT_OK if sla.feasible else EXIT_FAILED
    elif args.command == "fit":
        fit = service.memory_fit_report(
            catalog, args.model, args.accelerator, args.precision, args.tp, args.pp, args.context
        )
        result, text, code = fit, formatting.fit_text(fit), EXIT_OK
    elif args.command == "perf":
        perf = service.performance_report(
            catalog,
            args.model,
            args.accelerator,
            args.precision,
            args.tp,
            args.pp,
            args.prompt,
            args.output,
            args.batch,
        )
        result, text, code = perf, formatting.performance_text(perf), EXIT_OK
    else:
        listing = service.catalog_report(catalog)
        result, text, code = listing, formatting.catalog_text(listing), EXIT_OK
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        print(text)
    return code


def exit_on_stop_signals() -> None:
    """SIGINT and SIGTERM end the server at once, with status 0. It writes nothing, so nothing is lost; and
    the SDK reads stdin in a thread no signal interrupts, so without this it would wait for the client to
    close stdin (Claude Code sends SIGINT at every session end, then SIGTERM 100 ms later)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: os._exit(EXIT_OK))


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="serving-math: %(message)s")
    if args.version:
        from serving_math.server import _version

        print(f"serving-math {_version()}")
        sys.exit(EXIT_OK)
    if args.command == "self-check":
        from serving_math.selfcheck import main as self_check

        sys.exit(self_check())
    if args.command in (None, "serve"):
        from serving_math.server import build_server

        exit_on_stop_signals()
        build_server(user_dir=user_catalog_dir(args.catalog_dir)).run()
        return
    try:
        sys.exit(_run(args))
    except BrokenPipeError:  # e.g. `serving-math catalog | head`
        sys.stderr.close()
        sys.exit(EXIT_OK)
    except ServingMathError as exc:
        print(f"serving-math: error: {exc}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    main(sys.argv[1:])
