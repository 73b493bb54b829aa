"""The SLA check as a report: feasibility on the given hardware, the binding constraint, the best
layout there, the smallest configuration that meets the SLA, and alternatives on other hardware."""

from __future__ import annotations

from dataclasses import replace

from serving_math.calc.memory import GB, Knobs, memory_fit
from serving_math.calc.perf import Efficiency
from serving_math.calc.precision import precision
from serving_math.calc.sla import Candidate, Deployment, Workload, deploy, evaluate, layouts
from serving_math.calc.trace import Trace
from serving_math.catalog import Accelerator, Catalog, ModelArch
from serving_math.errors import InvalidArgument, ServingMathError
from serving_math.results import Check, Configuration, SlaResult

UNLIMITED = 10**9
UNITS = {"throughput": "utilization", "ttft": "ms", "tpot": "ms"}


def _configuration(acc: Accelerator, d: Deployment) -> Configuration:
    c = d.cand
    assert c.cap is not None
    return Configuration(
        accelerator=acc.id,
        tensor_parallel=c.par.tp,
        pipeline_parallel=c.par.pp,
        replicas=d.replicas,
        gpus=d.gpus,
        utilization=d.utilization,
        ttft_ms=d.ttft_s * 1000,
        tpot_ms=d.tpot_s * 1000,
        max_batch_per_replica=c.batch_limit,
        batch_limited_by=c.limited_by,
        replica_requests_per_s=c.cap.requests_per_s,
    )


def _candidates(
    m: ModelArch, acc: Accelerator, prec_name: str, wl: Workload, knobs: Knobs, eff: Efficiency, max_devices: int
) -> list[Candidate]:
    prec = precision(prec_name)
    out = []
    for par in layouts(m, acc, prec, wl, knobs, max_devices):
        try:
            out.append(evaluate(m, acc, prec, par, wl, knobs, eff, Trace()))
        except ServingMathError:
            continue  # e.g. a layout this accelerator cannot run
    return out


def _smallest(cands: list[Candidate], wl: Workload) -> Deployment | None:
    """The fewest devices that meet the SLA with the utilisation kept under max_utilization."""
    ok = [c for c in cands if c.replicas_needed is not None]
    if not ok:
        return None
    best = min(ok, key=lambda c: (c.gpus_needed or 0, c.ttft0_s))
    assert best.replicas_needed is not None
    return deploy(best, best.replicas_needed, wl)


def _checks(d: Deployment, wl: Workload) -> list[Check]:
    out = []
    for name, (value, limit) in d.checks.items():
        scale = 1000 if UNITS[name] == "ms" else 1
        ok = value < limit if name == "throughput" else value <= limit
        out.append(Check(name=name, value=value * scale, limit=limit * scale, unit=UNITS[name], ok=ok))
    out.append(
        Check(
            name="headroom",
            value=d.utilization,
            limit=wl.max_utilization,
            unit="utilization",
            ok=d.headroom(wl),
        )
    )
    return out


def sla_report(
    cat: Catalog,
    model: str,
    accelerator: str,
    gpu_count: int,
    wl: Workload,
    precision_name: str = "fp16",
    knobs: Knobs | None = None,
    eff: Efficiency | None = None,
    alternatives: int = 3,
) -> SlaResult:
    m, acc, prec = cat.model(model), cat.accelerator(accelerator), precision(precision_name)
    knobs, eff = knobs or Knobs(), eff or Efficiency()
    if gpu_count < 1:
        raise InvalidArgument("gpu_count", f"got {gpu_count}", "an integer >= 1 (the devices you have)")
    wl.check()
    eff.check()
    if m.kind == "embedding":
        wl = replace(wl, output_tokens=0, tpot_s=None)
    given = _candidates(m, acc, prec.name, wl, knobs, eff, gpu_count)
    runs = [deploy(c, gpu_count // c.par.devices, wl) for c in given if c.cap is not None]
    meeting = [d for d in runs if d.meets]
    if meeting:  # most slack on the tightest constraint; then more replicas (resilience)
        best: Deployment | None = min(meeting, key=lambda d: (d.worst[1], -d.replicas))
    else:
        best = min(runs, key=lambda d: d.worst[1]) if runs else None
    unlimited = _candidates(m, acc, prec.name, wl, knobs, eff, UNLIMITED)
    smallest = _smallest(unlimited, wl)

    trace = Trace()
    trace.assume(
        "workload",
        f"{wl.requests_per_s:.4g} req/s, {wl.prompt_tokens} prompt + {wl.output_tokens} output tokens per request",
        "as given; unstated lengths default to the ShareGPT means of vLLM's serving benchmark (230 in / 203 out)",
    )
    trace.assume(
        "headroom ceiling",
        wl.max_utilization,
        "the smallest configuration keeps replicas at most this busy, for bursts",
    )
    trace.assume("engine", "continuous batching (vLLM / TensorRT-LLM)", "requests join and leave the running batch")
    if best is not None:  # re-run the chosen layout with the real trace: its formulas are the ones reported
        evaluate(m, acc, prec, best.cand.par, wl, knobs, eff, trace)
        deploy(best.cand, best.replicas, wl, trace)
    elif given:
        memory_fit(m, acc, prec, given[0].par, wl.prompt_tokens + wl.output_tokens, knobs, trace)

    if best is None:
        fits_somewhere = any(c.fit.fits for c in given)
        binding = next((c.why_not for c in given if c.why_not != "memory"), "memory") if fits_somewhere else "memory"
        weights = given[0].fit.weights_total / GB if given else 0.0
        usable = gpu_count * acc.memory_gb * knobs.gpu_memory_utilization
        checks = [Check(name="memory", value=weights, limit=usable, unit="GB", ok=fits_somewhere)]
        if binding == "ttft" and given:
            fastest = min((c for c in given if c.fit.fits), key=lambda c: c.ttft0_s)
            checks.append(Check(name="ttft", value=fastest.ttft0_s * 1000, limit=wl.ttft_s * 1000, unit="ms", ok=False))
        feasible = False
    else:
        checks = _checks(best, wl)
        feasible = best.meets
        binding = best.worst[0]
    verdict = _verdict(m, acc, gpu_count, prec.name, wl, feasible, binding, best, smallest, checks)
    if smallest is None:
        verdict += _why_no_count(unlimited, wl)

    alts: list[Configuration] = []
    if not feasible and alternatives > 0:
        found = []
        for other in cat.accelerators:
            if other.id != acc.id:
                d = _smallest(_candidates(m, other, prec.name, wl, knobs, eff, UNLIMITED), wl)
                if d is not None:
                    found.append(_configuration(other, d))
        alts = sorted(found, key=lambda c: (c.gpus, c.ttft_ms))[:alternatives]
        if not found:
            verdict += f" No accelerator in the catalogue meets it with {prec.name} weights."

    return SlaResult(
        feasible=feasible,
        verdict=verdict,
        binding_constraint=binding,
        model=m.id,
        accelerator=acc.id,
        gpu_count=gpu_count,
        precision=prec.name,
        requests_per_second=wl.requests_per_s,
        prompt_tokens=wl.prompt_tokens,
        output_tokens=wl.output_tokens,
        ttft_ms=wl.ttft_s * 1000,
        tpot_ms=None if wl.tpot_s is None else wl.tpot_s * 1000,
        checks=checks,
        configuration=None if best is None else _configuration(acc, best),
        smallest_configuration=None if smallest is None else _configuration(acc, smallest),
        alternatives=alts,
        assumptions=trace.assumptions,
        formulas=trace.formulas,
        sources=trace.sources,
    )


def _why_no_count(cands: list[Candidate], wl: Workload) -> str:
    fitting = [c for c in cands if c.fit.fits]
    if not fitting:
        return " Its weights fit no layout: not even one layer per pipeline stage leaves room to run."
    fastest = min(fitting, key=lambda c: c.ttft0_s)
    if fastest.ttft0_s >= wl.ttft_s:
        p = fastest.par
        return (
            f" Even the fastest layout that fits (TP={p.tp}, PP={p.pp}) needs {fastest.ttft0_s * 1000:.4g} ms to "
            f"prefill {wl.prompt_tokens} tokens at zero load, over the {wl.ttft_s * 1000:g} ms TTFT target."
        )
    return " No layout reaches the TPOT target at any batch size."


def _verdict(
    m: ModelArch,
    acc: Accelerator,
    count: int,
    prec: str,
    wl: Workload,
    feasible: bool,
    binding: str,
    best: Deployment | None,
    smallest: Deployment | None,
    checks: list[Check],
) -> str:
    hw = f"{count}× {acc.id}"
    if feasible and best is not None:
        p = best.cand.par
        layout = f"tensor parallelism {p.tp}" + (f" × pipeline parallelism {p.pp}" if p.pp > 1 else "")
        text = (
            f"Feasible: {m.id} ({prec}) on {hw} with {layout} × {best.replicas} replica(s): "
            f"TTFT ≈ {best.ttft_s * 1000:.0f} ms under load (target {wl.ttft_s * 1000:.0f} ms) at "
            f"{best.utilization:.0%} utilisation; tightest constraint: {binding}."
        )
        if not best.headroom(wl):
            text += f" No burst headroom: utilisation is above the {wl.max_utilization:.0%} ceiling."
    elif binding == "memory":
        text = (
            f"Infeasible: the {prec} weights of {m.id} alone ({checks[0].value:.1f} GB) exceed the memory of "
            f"{hw} ({checks[0].limit:.1f} GB usable)."
        )
    else:
        failed = next((c for c in checks if c.name == binding), None)
        detail = f" ({failed.value:.4g} > {failed.limit:.4g} {failed.unit})" if failed else ""
        text = f"Infeasible on {hw}: {binding} cannot be met{detail}."
    if smallest is not None and not (feasible and best is not None and best.headroom(wl)):
        p = smallest.cand.par
        text += (
            f" Smallest {acc.id} configuration that meets it with headroom: {smallest.gpus} devices "
            f"(TP={p.tp}, PP={p.pp}, {smallest.replicas} replica(s))."
        )
    elif smallest is None:
        text += f" No number of {acc.id} devices meets it."
    return text
