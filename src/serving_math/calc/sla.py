"""The SLA check: is a workload feasible on this hardware, which constraint binds, and what is the
smallest configuration (tensor × pipeline parallel × replicas) that would meet it."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from serving_math.calc.memory import Fit, Knobs, Parallel, check_parallel, memory_fit
from serving_math.calc.perf import Capacity, Efficiency, Engine, capacity, decode_step, engine, prefill_s
from serving_math.calc.precision import Precision
from serving_math.calc.trace import Trace
from serving_math.catalog.schema import Accelerator, ModelArch
from serving_math.errors import InvalidArgument, ServingMathError


@dataclass(frozen=True)
class Workload:
    requests_per_s: float
    prompt_tokens: int
    output_tokens: int
    ttft_s: float
    tpot_s: float | None = None
    max_utilization: float = 0.8  # headroom for bursts: plan replicas to run at most this busy

    def check(self) -> None:
        if not self.requests_per_s > 0:
            raise InvalidArgument("requests_per_second", f"got {self.requests_per_s}", "a rate > 0")
        if self.prompt_tokens < 1:
            raise InvalidArgument("prompt_tokens", f"got {self.prompt_tokens}", "an integer >= 1")
        if self.output_tokens < 0:
            raise InvalidArgument("output_tokens", f"got {self.output_tokens}", "an integer >= 0")
        if not self.ttft_s > 0:
            raise InvalidArgument("ttft_ms", f"got {self.ttft_s * 1000:g}", "a latency > 0 milliseconds")
        if self.tpot_s is not None and not self.tpot_s > 0:
            raise InvalidArgument("tpot_ms", f"got {self.tpot_s * 1000:g}", "a latency > 0 milliseconds, or omit it")
        if not 0 < self.max_utilization <= 1:
            raise InvalidArgument("max_utilization", f"got {self.max_utilization}", "a fraction in (0, 1], e.g. 0.8")


@dataclass
class Candidate:
    """One (tp, pp) layout evaluated against the workload."""

    par: Parallel
    fit: Fit
    ttft0_s: float = math.inf  # zero-load time to first token
    batch_limit: int = 0  # most sequences one replica may decode at once (memory, max_num_seqs, TPOT)
    limited_by: str = ""
    cap: Capacity | None = None
    engine: Engine | None = None
    replicas_needed: int | None = None  # None: no number of replicas meets the SLA
    why_not: str = ""  # the constraint no replica count can fix

    @property
    def gpus_needed(self) -> int | None:
        return None if self.replicas_needed is None else self.replicas_needed * self.par.devices


@dataclass
class Deployment:
    """A candidate run with a fixed number of replicas: the numbers checked against the SLA."""

    cand: Candidate
    replicas: int
    utilization: float
    ttft_s: float
    tpot_s: float
    batch: float
    concurrency: float
    checks: dict[str, tuple[float, float]] = field(default_factory=dict)  # name -> (value, limit)

    @property
    def gpus(self) -> int:
        return self.replicas * self.cand.par.devices

    @property
    def worst(self) -> tuple[str, float]:
        """The tightest constraint and its value/limit ratio (> 1: violated). Saturation comes first:
        a replica asked for more than it can serve has an unbounded queue whatever the latency target."""
        if self.checks["throughput"][0] >= 1:
            return "throughput", self.checks["throughput"][0]
        name = max(self.checks, key=lambda k: self.checks[k][0] / self.checks[k][1])
        value, limit = self.checks[name]
        return name, value / limit

    @property
    def meets(self) -> bool:
        """The SLA holds in steady state (every hard check; headroom is reported separately)."""
        return all(v < lim if name == "throughput" else v <= lim for name, (v, lim) in self.checks.items())

    def headroom(self, wl: Workload) -> bool:
        return self.utilization <= wl.max_utilization


def evaluate(
    model: ModelArch,
    acc: Accelerator,
    prec: Precision,
    par: Parallel,
    wl: Workload,
    knobs: Knobs,
    eff: Efficiency,
    trace: Trace,
) -> Candidate:
    context = wl.prompt_tokens + wl.output_tokens
    fit = memory_fit(model, acc, prec, par, context, knobs, trace)
    cand = Candidate(par, fit)
    if not fit.fits:
        cand.why_not = "memory"
        return cand
    e = cand.engine = engine(model, acc, prec, par, fit, eff, trace)
    cand.ttft0_s = prefill_s(e, wl.prompt_tokens, trace)
    limit, cand.limited_by = _batch_limit(e, wl, knobs)
    cand.batch_limit = limit
    if limit < 1:
        cand.why_not = "tpot"
        return cand
    cand.cap = capacity(e, wl.prompt_tokens, wl.output_tokens, limit, cand.ttft0_s, trace)
    slack = wl.ttft_s - cand.ttft0_s
    if slack <= 0:
        cand.why_not = "ttft"
        return cand
    # Largest utilisation whose queueing delay keeps TTFT on target: TTFT_0 + ρ·S/(2(1-ρ)) <= target.
    service = 1 / cand.cap.requests_per_s
    rho = min(wl.max_utilization, 2 * slack / (service + 2 * slack))
    cand.replicas_needed = math.ceil(wl.requests_per_s / (rho * cand.cap.requests_per_s) - 1e-9)
    return cand


def _batch_limit(e: Engine, wl: Workload, knobs: Knobs) -> tuple[int, str]:
    if e.model.kind == "embedding" or wl.output_tokens == 0:
        return max(1, knobs.max_num_seqs), "max_num_seqs"
    limit, why = knobs.max_num_seqs, "max_num_seqs"
    if e.fit.max_sequences < limit:
        limit, why = e.fit.max_sequences, "KV-cache memory"
    if wl.tpot_s is None:
        return limit, why
    context = wl.prompt_tokens + wl.output_tokens / 2
    if decode_step(e, limit, context).token_s <= wl.tpot_s:
        return limit, why
    lo, hi = 0, limit  # largest batch whose time per output token meets the target
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if decode_step(e, mid, context).token_s <= wl.tpot_s:
            lo = mid
        else:
            hi = mid - 1
    return lo, "TPOT target"


def deploy(cand: Candidate, replicas: int, wl: Workload, trace: Trace | None = None) -> Deployment:
    """Run `replicas` copies of the candidate: utilisation, TTFT under load, TPOT at the operating batch."""
    assert cand.cap is not None
    cap = cand.cap
    per_replica = wl.requests_per_s / replicas
    rho = per_replica / cap.requests_per_s
    service = 1 / cap.requests_per_s
    wait = rho * service / (2 * (1 - rho)) if rho < 1 else math.inf
    ttft = cand.ttft0_s + wait
    # The decoding batch at this load follows Little's law, L = λ × (TTFT + output × TPOT), capped at
    # the batch limit; TPOT depends on the batch, so iterate to the fixed point.
    batch = float(cand.batch_limit)
    tpot = cap.step.token_s
    concurrency = math.inf
    if math.isfinite(ttft) and wl.output_tokens > 0 and cand.engine is not None:
        context = wl.prompt_tokens + wl.output_tokens / 2
        for _ in range(20):
            concurrency = per_replica * (ttft + wl.output_tokens * tpot)
            new_batch = min(float(cand.batch_limit), max(1.0, concurrency))
            tpot = decode_step(cand.engine, math.ceil(new_batch), context).token_s
            if abs(new_batch - batch) < 0.5:
                break
            batch = new_batch
        batch = new_batch
    elif math.isfinite(ttft):
        concurrency = per_replica * ttft
    checks = {
        "throughput": (rho, 1.0),
        "ttft": (ttft, wl.ttft_s),
    }
    if wl.tpot_s is not None and wl.output_tokens > 0:
        checks["tpot"] = (tpot, wl.tpot_s)
    if trace is not None:
        trace.step(
            "utilization per replica",
            "ρ = (requests_per_s / replicas) / replica_capacity",
            f"({wl.requests_per_s:.4g} / {replicas}) / {cap.requests_per_s:.4g}",
            rho,
            "",
        )
        trace.step(
            "queueing delay",
            "W_q = ρ × S / (2 × (1 - ρ)),  S = 1 / replica_capacity  (M/D/1, Pollaczek-Khinchine)",
            f"{rho:.3g} × {service:.4g} / (2 × (1 - {rho:.3g}))",
            wait,
            "s",
        )
        trace.step(
            "TTFT under load",
            "TTFT_0 + W_q  (zero-load prefill time plus the wait for the replica)",
            f"{cand.ttft0_s:.4g} + {wait:.4g}",
            ttft,
            "s",
        )
        trace.step(
            "concurrent requests per replica (Little's law)",
            "L = λ_replica × (TTFT + output_tokens × TPOT(L))  (solved by fixed-point iteration)",
            f"{per_replica:.4g} × ({ttft:.4g} + {wl.output_tokens} × {tpot:.4g})",
            concurrency,
            "requests",
        )
    return Deployment(cand, replicas, rho, ttft, tpot, batch, concurrency, checks)


def layouts(
    model: ModelArch, acc: Accelerator, prec: Precision, wl: Workload, knobs: Knobs, max_devices: int
) -> Iterator[Parallel]:
    """(tp, pp) layouts worth trying: each valid TP degree with the fewest pipeline stages whose
    weights fit, and twice and four times that many (more room for the KV cache)."""
    tps = []
    for tp in range(1, min(acc.max_per_node, max_devices) + 1):
        try:
            check_parallel(model, acc, Parallel(tp, 1))
        except ServingMathError:
            continue
        tps.append(tp)
    context = wl.prompt_tokens + wl.output_tokens
    for tp in tps:
        first = None
        for pp in range(1, min(model.layers, max_devices // tp) + 1):
            fit = memory_fit(model, acc, prec, Parallel(tp, pp), context, knobs, Trace())
            if fit.fits:
                first = pp
                break
        pps = [1] if first is None else sorted({first, 2 * first, 4 * first})
        for pp in pps:
            if pp <= model.layers and tp * pp <= max_devices:
                yield Parallel(tp, pp)
