"""What the tools do: resolve names in the catalogue, run the arithmetic, return a typed result
that carries its assumptions, formulas and sources."""

from __future__ import annotations

from serving_math.calc.memory import GB, Knobs, Parallel, memory_fit
from serving_math.calc.perf import Efficiency, capacity, decode_step, engine, littles_law, prefill_s
from serving_math.calc.precision import PRECISIONS, precision
from serving_math.calc.trace import Trace
from serving_math.catalog import Accelerator, Catalog, ModelArch
from serving_math.errors import InvalidArgument, ServingMathError
from serving_math.results import (
    Bounds,
    CatalogEntry,
    CatalogResult,
    MemoryFitResult,
    PerformanceResult,
)

IDEAL = Efficiency(compute=1.0, bandwidth=1.0, link=1.0, allreduce_latency_us=0.0)


def _workings(trace: Trace) -> dict[str, object]:
    return {"assumptions": trace.assumptions, "formulas": trace.formulas, "sources": trace.sources}


def _smallest_tp(model: ModelArch, acc: Accelerator, prec_name: str, pp: int, context: int, knobs: Knobs) -> int | None:
    prec = precision(prec_name)
    for tp in range(1, acc.max_per_node + 1):
        try:
            if memory_fit(model, acc, prec, Parallel(tp, pp), context, knobs, Trace()).fits:
                return tp
        except ServingMathError:
            continue
    return None


def memory_fit_report(
    cat: Catalog,
    model: str,
    accelerator: str,
    precision_name: str = "fp16",
    tensor_parallel: int = 1,
    pipeline_parallel: int = 1,
    context_tokens: int | None = None,
    knobs: Knobs | None = None,
) -> MemoryFitResult:
    m, acc, prec = cat.model(model), cat.accelerator(accelerator), precision(precision_name)
    knobs = knobs or Knobs()
    trace = Trace()
    context = context_tokens if context_tokens is not None else min(m.max_context, 8192)
    if context_tokens is None:
        trace.assume("context tokens", context, f"min({m.id}'s max context {m.max_context}, 8192)")
    par = Parallel(tensor_parallel, pipeline_parallel)
    fit = memory_fit(m, acc, prec, par, context, knobs, trace)
    if fit.fits:
        verdict = (
            f"Fits: {m.id} in {prec.name} on {par.devices}× {acc.id} (TP={par.tp}, PP={par.pp}) leaves "
            f"{fit.kv_budget_per_device / GB:.1f} GB per device for the KV cache: {fit.max_sequences} concurrent "
            f"sequences of {context} tokens."
        )
    elif not fit.weights_fit:
        verdict = (
            f"Does not fit: {fit.weights_per_device / GB:.1f} GB of weights per device plus "
            f"{(fit.activations + fit.overhead) / GB:.1f} GB activations and overhead exceed the "
            f"{fit.usable / GB:.1f} GB usable on one {acc.id}."
        )
    else:
        verdict = f"Does not fit: after the weights there is no room for even one {context}-token KV cache."
    return MemoryFitResult(
        model=m.id,
        accelerator=acc.id,
        precision=prec.name,
        tensor_parallel=par.tp,
        pipeline_parallel=par.pp,
        devices=par.devices,
        context_tokens=context,
        fits=fit.fits,
        verdict=verdict,
        weights_total_gb=fit.weights_total / GB,
        weights_per_device_gb=fit.weights_per_device / GB,
        kv_cache_per_token_kib=fit.kv_per_token / 1024,
        kv_cache_per_token_per_device_kib=fit.kv_per_token_per_device / 1024,
        activations_per_device_gb=fit.activations / GB,
        overhead_per_device_gb=fit.overhead / GB,
        usable_memory_per_device_gb=fit.usable / GB,
        kv_budget_per_device_gb=fit.kv_budget_per_device / GB,
        max_concurrent_sequences=fit.max_sequences,
        max_kv_tokens=fit.max_tokens,
        smallest_tensor_parallel_that_fits=_smallest_tp(m, acc, prec.name, par.pp, context, knobs),
        **_workings(trace),  # type: ignore[arg-type]
    )


def performance_report(
    cat: Catalog,
    model: str,
    accelerator: str,
    precision_name: str = "fp16",
    tensor_parallel: int = 1,
    pipeline_parallel: int = 1,
    prompt_tokens: int = 512,
    output_tokens: int = 256,
    batch_size: int | None = None,
    requests_per_second: float | None = None,
    knobs: Knobs | None = None,
    eff: Efficiency | None = None,
) -> PerformanceResult:
    m, acc, prec = cat.model(model), cat.accelerator(accelerator), precision(precision_name)
    knobs, eff = knobs or Knobs(), eff or Efficiency()
    if prompt_tokens < 1:
        raise InvalidArgument("prompt_tokens", f"got {prompt_tokens}", "an integer >= 1")
    if output_tokens < 0:
        raise InvalidArgument("output_tokens", f"got {output_tokens}", "an integer >= 0")
    if batch_size is not None and batch_size < 1:
        raise InvalidArgument(
            "batch_size", f"got {batch_size}", "an integer >= 1, or omit it for the largest that fits"
        )
    if requests_per_second is not None and requests_per_second <= 0:
        raise InvalidArgument("requests_per_second", f"got {requests_per_second}", "a rate > 0, or omit it")
    if m.kind == "embedding":
        output_tokens = 0
    trace = Trace()
    par = Parallel(tensor_parallel, pipeline_parallel)
    fit = memory_fit(m, acc, prec, par, prompt_tokens + output_tokens, knobs, trace)
    if not fit.fits:
        raise InvalidArgument(
            "tensor_parallel",
            f"{m.id} in {prec.name} does not fit on {par.devices}× {acc.id} at TP={par.tp}, PP={par.pp} "
            f"({fit.weights_per_device / GB:.1f} GB weights per device, {fit.usable / GB:.1f} GB usable)",
            "a layout that fits: call memory_fit to find the smallest tensor_parallel / pipeline_parallel",
        )
    limit, why = min(knobs.max_num_seqs, fit.max_sequences), "KV-cache memory"
    if knobs.max_num_seqs <= fit.max_sequences:
        why = "max_num_seqs"
    if batch_size is not None:
        limit, why = batch_size, "given"
        if batch_size > fit.max_sequences and m.kind != "embedding":
            trace.assume(
                "batch beyond the KV cache",
                f"{batch_size} > {fit.max_sequences}",
                "the KV cache holds fewer sequences of this length: the engine would queue or preempt",
            )

    def bounds(e_eff: Efficiency, t: Trace) -> tuple[Bounds, float, float]:
        e = engine(m, acc, prec, par, fit, e_eff, t)
        ttft = prefill_s(e, prompt_tokens, t)
        cap = capacity(e, prompt_tokens, output_tokens, limit, ttft, t)
        one = decode_step(e, 1, prompt_tokens + output_tokens / 2)
        b = Bounds(
            ttft_ms=ttft * 1000,
            tpot_ms=cap.step.token_s * 1000,
            decode_bound=cap.step.bound,
            single_stream_tokens_per_s=0.0 if output_tokens == 0 else 1 / one.token_s,
            output_tokens_per_s_per_replica=cap.output_tokens_per_s,
            output_tokens_per_s_per_gpu=cap.output_tokens_per_s / par.devices,
            requests_per_s_per_replica=cap.requests_per_s,
            request_latency_s=cap.latency_s,
        )
        comm_prefill = next((f.value for f in t.formulas if f.name.startswith("prefill TP communication")), 0.0)
        comm_decode = next((f.value for f in t.formulas if f.name.startswith("decode TP communication")), 0.0)
        return b, comm_prefill, comm_decode

    expected, comm_prefill, comm_decode = bounds(eff, trace)
    ideal, _, _ = bounds(IDEAL, Trace())
    concurrency = None
    if requests_per_second is not None:
        concurrency = littles_law(requests_per_second, expected.request_latency_s, trace)
    return PerformanceResult(
        model=m.id,
        accelerator=acc.id,
        precision=prec.name,
        tensor_parallel=par.tp,
        pipeline_parallel=par.pp,
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        batch_size=limit,
        batch_limited_by=why,
        expected=expected,
        ideal=ideal,
        prefill_tp_communication_ms=comm_prefill * 1000,
        decode_tp_communication_ms=comm_decode * 1000,
        concurrency_littles_law=concurrency,
        **_workings(trace),  # type: ignore[arg-type]
    )


def catalog_report(cat: Catalog) -> CatalogResult:
    def acc_summary(a: Accelerator) -> str:
        rates = ", ".join(f"{k} {v:g}" for k, v in a.tflops.items())
        return f"{a.memory_gb:g} GB, {a.memory_bandwidth_gbs:g} GB/s, TFLOPS: {rates}; link {a.scale_up}"

    def model_summary(m: ModelArch) -> str:
        moe = f", MoE {m.experts}x top-{m.experts_per_token}, {m.active / 1e9:.1f}B active" if m.is_moe else ""
        return (
            f"{m.kind}, {m.parameters / 1e9:.2f}B params{moe}, {m.layers} layers, {m.kv_heads} KV heads × "
            f"{m.head_dim}, context {m.max_context}"
        )

    return CatalogResult(
        accelerators=[
            CatalogEntry(id=a.id, name=a.name, summary=acc_summary(a), source=a.source, origin=a.origin)
            for a in cat.accelerators
        ],
        models=[
            CatalogEntry(id=m.id, name=m.name, summary=model_summary(m), source=m.source, origin=m.origin)
            for m in cat.models
        ],
        precisions=list(PRECISIONS),
        user_catalog_dir=str(cat.user_dir) if cat.user_dir else "",
        user_files=cat.user_files,
    )
