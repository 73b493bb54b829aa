"""Plain-text renderings of the results: what a model (or a person at a terminal) reads. Every
rendering ends with the assumptions, formulas and sources, so the text alone is the whole answer."""

from __future__ import annotations

from serving_math.calc.trace import g
from serving_math.results import (
    Bounds,
    CatalogResult,
    Configuration,
    MemoryFitResult,
    PerformanceResult,
    SlaResult,
    Workings,
)


def _workings(w: Workings) -> list[str]:
    lines = ["", "Assumptions:"]
    lines += [f"- {a.name}: {a.value} ({a.basis})" for a in w.assumptions]
    lines += ["", "Formulas:"]
    lines += [f"- {f.name} = {f.formula} = {f.substituted} = {g(f.value)} {f.unit}".rstrip() for f in w.formulas]
    lines += ["", "Sources:"]
    lines += [f"- {what}: {src}" for what, src in w.sources.items()]
    return lines


def fit_text(r: MemoryFitResult) -> str:
    lines = [
        r.verdict,
        f"weights: {r.weights_total_gb:.2f} GB total, {r.weights_per_device_gb:.2f} GB per device",
        f"KV cache: {r.kv_cache_per_token_kib:.1f} KiB per token ({r.kv_cache_per_token_per_device_kib:.2f} KiB "
        f"per device); budget {r.kv_budget_per_device_gb:.2f} GB per device = {r.max_kv_tokens} tokens",
        f"activations {r.activations_per_device_gb:.2f} GB + overhead {r.overhead_per_device_gb:.2f} GB per device; "
        f"usable {r.usable_memory_per_device_gb:.2f} GB",
        f"max concurrent sequences at {r.context_tokens} tokens: {r.max_concurrent_sequences}",
        "smallest tensor_parallel that fits (this pipeline depth): "
        + (str(r.smallest_tensor_parallel_that_fits) if r.smallest_tensor_parallel_that_fits else "none in one node"),
    ]
    return "\n".join(lines + _workings(r))


def _bounds(label: str, b: Bounds) -> str:
    return (
        f"{label}: TTFT {b.ttft_ms:.1f} ms, TPOT {b.tpot_ms:.2f} ms ({b.decode_bound}-bound), "
        f"{b.output_tokens_per_s_per_replica:.0f} output tok/s per replica = {b.output_tokens_per_s_per_gpu:.0f} "
        f"per device, {b.requests_per_s_per_replica:.3g} req/s per replica, single stream "
        f"{b.single_stream_tokens_per_s:.1f} tok/s, request latency {b.request_latency_s:.2f} s"
    )


def performance_text(r: PerformanceResult) -> str:
    lines = [
        f"{r.model} ({r.precision}) on {r.tensor_parallel * r.pipeline_parallel}× {r.accelerator} "
        f"(TP={r.tensor_parallel}, PP={r.pipeline_parallel}), {r.prompt_tokens} prompt + {r.output_tokens} "
        f"output tokens, batch {r.batch_size} (limited by {r.batch_limited_by})",
        _bounds("expected", r.expected),
        _bounds("ideal (100% of every peak; nothing real exceeds it)", r.ideal),
        f"TP communication: {r.prefill_tp_communication_ms:.2f} ms per prefill, "
        f"{r.decode_tp_communication_ms:.2f} ms per decode step",
    ]
    if r.concurrency_littles_law is not None:
        lines.append(f"requests in flight (Little's law): {r.concurrency_littles_law:.1f}")
    return "\n".join(lines + _workings(r))


def _config(label: str, c: Configuration) -> str:
    return (
        f"{label}: {c.gpus}× {c.accelerator} = TP {c.tensor_parallel} × PP {c.pipeline_parallel} × "
        f"{c.replicas} replica(s); {c.utilization:.0%} busy, TTFT {c.ttft_ms:.0f} ms, TPOT {c.tpot_ms:.1f} ms, "
        f"batch ≤ {c.max_batch_per_replica} ({c.batch_limited_by}), {c.replica_requests_per_s:.3g} req/s per replica"
    )


def sla_text(r: SlaResult) -> str:
    lines = [
        ("FEASIBLE" if r.feasible else "INFEASIBLE") + f" (binding constraint: {r.binding_constraint})",
        r.verdict,
        f"workload: {r.requests_per_second:.4g} req/s, {r.prompt_tokens} prompt + {r.output_tokens} output tokens, "
        f"TTFT ≤ {r.ttft_ms:g} ms" + (f", TPOT ≤ {r.tpot_ms:g} ms" if r.tpot_ms is not None else ""),
        "checks: "
        + "; ".join(f"{c.name} {g(c.value)} vs {g(c.limit)} {c.unit} {'ok' if c.ok else 'FAILS'}" for c in r.checks),
    ]
    if r.configuration:
        lines.append(_config("best layout on the given hardware", r.configuration))
    if r.smallest_configuration:
        lines.append(_config("smallest configuration meeting the SLA with headroom", r.smallest_configuration))
    for alt in r.alternatives:
        lines.append(_config("alternative", alt))
    return "\n".join(lines + _workings(r))


def catalog_text(r: CatalogResult) -> str:
    lines = ["Accelerators:"]
    lines += [
        f"- {a.id}: {a.name}; {a.summary}" + ("" if a.origin == "shipped" else f" [from {a.origin}]")
        for a in r.accelerators
    ]
    lines += ["", "Models:"]
    lines += [
        f"- {m.id}: {m.name}; {m.summary}" + ("" if m.origin == "shipped" else f" [from {m.origin}]") for m in r.models
    ]
    lines += ["", "Precisions: " + ", ".join(r.precisions)]
    lines += [
        f"User additions: *.toml / *.json in {r.user_catalog_dir}"
        + (f" (loaded: {', '.join(r.user_files)})" if r.user_files else " (none found)")
    ]
    return "\n".join(lines)
