"""Latency and throughput bounds: prefill as compute-bound, decode as memory-bandwidth-bound,
tensor-parallel all-reduces and pipeline hops over the device links, requests/s and Little's law."""

from __future__ import annotations

import math
from dataclasses import dataclass

from serving_math.calc.memory import Fit, Parallel
from serving_math.calc.precision import ACTIVATION_BYTES, Precision, compute_tflops
from serving_math.calc.trace import Trace, g
from serving_math.catalog.schema import Accelerator, ModelArch
from serving_math.errors import InvalidArgument


@dataclass(frozen=True)
class Efficiency:
    """Fractions of datasheet peaks that real kernels reach."""

    compute: float = 0.5  # TensorRT-LLM's published H100 FP8 Llama-3.1-8B runs reach ~46% of dense peak
    bandwidth: float = 0.8  # decode GEMV kernels typically stream weights at 70-85% of peak HBM bandwidth
    link: float = 0.8  # NCCL bus bandwidth vs the link's per-direction peak
    allreduce_latency_us: float | None = None  # None: 10 us scale-up link, 25 us PCIe, 50 us network

    def check(self) -> None:
        for name in ("compute", "bandwidth", "link"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise InvalidArgument(f"{name}_efficiency", f"got {value}", "a fraction in (0, 1], e.g. 0.5")
        if self.allreduce_latency_us is not None and self.allreduce_latency_us < 0:
            raise InvalidArgument(
                "allreduce_latency_us", f"got {self.allreduce_latency_us}", "a latency >= 0 microseconds"
            )


@dataclass(frozen=True)
class Link:
    name: str
    gbs_per_direction: float
    latency_s: float


def tp_link(acc: Accelerator, eff: Efficiency, trace: Trace) -> Link:
    if acc.scale_up_gbs > 0:
        link = Link(acc.scale_up, acc.scale_up_gbs / 2, 10e-6)
        trace.cite(f"{acc.id} scale-up link", acc.source_of("scale_up_gbs"))
    else:
        link = Link(f"PCIe ({g(acc.pcie_gbs)} GB/s bidirectional)", acc.pcie_gbs / 2, 25e-6)
        trace.cite(f"{acc.id} PCIe", acc.source_of("pcie_gbs"))
    return _with_latency(link, eff, trace, "tensor-parallel link")


def pp_link(acc: Accelerator, par: Parallel, eff: Efficiency, trace: Trace) -> Link:
    if par.devices <= acc.max_per_node:
        return tp_link(acc, eff, trace)
    trace.cite(f"{acc.id} scale-out network", acc.source_of("scale_out_gbps"))
    link = Link(f"network ({g(acc.scale_out_gbps)} Gb/s per device)", acc.scale_out_gbps / 8, 50e-6)
    return _with_latency(link, eff, trace, "pipeline link between nodes")


def _with_latency(link: Link, eff: Efficiency, trace: Trace, what: str) -> Link:
    if eff.allreduce_latency_us is not None:
        link = Link(link.name, link.gbs_per_direction, eff.allreduce_latency_us * 1e-6)
    trace.assume(
        what,
        f"{link.name}: {g(link.gbs_per_direction)} GB/s per direction, {g(link.latency_s * 1e6)} us per message",
        "datasheet bidirectional figure / 2; per-message latency: small-message NCCL / custom all-reduce",
    )
    trace.assume("link efficiency", eff.link, "achieved NCCL bus bandwidth vs the per-direction peak")
    return link


def allreduce_s(payload: float, tp: int, link: Link, eff: Efficiency) -> float:
    """Ring all-reduce: latency + 2·(tp-1)/tp · payload / bandwidth."""
    if tp == 1:
        return 0.0
    return link.latency_s + 2 * (tp - 1) / tp * payload / (link.gbs_per_direction * 1e9 * eff.link)


@dataclass(frozen=True)
class Engine:
    """Everything the latency arithmetic needs, resolved once."""

    model: ModelArch
    acc: Accelerator
    prec: Precision
    par: Parallel
    fit: Fit
    eff: Efficiency
    flops_per_s: float  # per device, at the stated efficiency
    bytes_per_s: float  # per device, at the stated efficiency
    tp_link: Link
    pp_link: Link


def engine(
    model: ModelArch, acc: Accelerator, prec: Precision, par: Parallel, fit: Fit, eff: Efficiency, trace: Trace
) -> Engine:
    eff.check()
    _, tflops = compute_tflops(acc, prec, trace)
    trace.assume("compute efficiency", eff.compute, "share of dense peak reached (MFU); TensorRT-LLM's H100 runs ~0.46")
    trace.assume(
        "bandwidth efficiency",
        eff.bandwidth,
        "share of peak memory bandwidth decode kernels reach (typically 0.7-0.85)",
    )
    trace.cite(f"{acc.id} memory bandwidth", acc.source_of("memory_bandwidth_gbs"))
    trace.assume("memory bandwidth", f"{g(acc.memory_bandwidth_gbs)} GB/s", f"{acc.name} datasheet")
    return Engine(
        model=model,
        acc=acc,
        prec=prec,
        par=par,
        fit=fit,
        eff=eff,
        flops_per_s=tflops * 1e12 * eff.compute,
        bytes_per_s=acc.memory_bandwidth_gbs * 1e9 * eff.bandwidth,
        tp_link=tp_link(acc, eff, trace),
        pp_link=pp_link(acc, par, eff, trace),
    )


def prefill_flops(model: ModelArch, tokens: int, trace: Trace) -> float:
    """2 FLOPs per active parameter per token, plus attention's quadratic term."""
    attn_width = model.attention_heads * model.head_dim
    if model.kind == "embedding":
        attn = 4 * model.layers * tokens**2 * attn_width
        form = "2 × active_params × tokens + 4 × layers × tokens² × heads × head_dim (bidirectional)"
    else:
        attn = 2 * model.layers * tokens**2 * attn_width
        form = "2 × active_params × tokens + 2 × layers × tokens² × heads × head_dim (causal)"
    return trace.step(
        f"prefill FLOPs ({tokens} tokens)",
        form,
        f"2 × {g(model.active)} × {tokens} + {g(attn)}",
        2 * model.active * tokens + attn,
        "FLOP",
    )


def prefill_s(e: Engine, tokens: int, trace: Trace) -> float:
    """Time to first token at zero load: compute-bound prefill, TP all-reduces, pipeline hops."""
    flops = prefill_flops(e.model, tokens, trace)
    par = e.par
    compute = trace.step(
        f"prefill compute ({tokens} tokens)",
        "prefill_FLOPs / (tp × peak × compute_efficiency)  (pipeline stages run one after another)",
        f"{g(flops)} / ({par.tp} × {g(e.flops_per_s / e.eff.compute)} × {e.eff.compute})",
        flops / (par.tp * e.flops_per_s),
        "s",
    )
    payload = tokens * e.model.hidden_size * ACTIVATION_BYTES
    comm = trace.step(
        f"prefill TP communication ({tokens} tokens)",
        "2 × layers × (latency + 2·(tp-1)/tp × tokens × hidden × 2 bytes / (link_GB/s × link_efficiency))",
        f"2 × {e.model.layers} × allreduce({g(payload)} bytes, tp={par.tp})",
        2 * e.model.layers * allreduce_s(payload, par.tp, e.tp_link, e.eff),
        "s",
    )
    hops = (par.pp - 1) * (e.pp_link.latency_s + payload / (e.pp_link.gbs_per_direction * 1e9 * e.eff.link))
    return trace.step(
        f"prefill time ({tokens} tokens)",
        "prefill_compute + prefill_TP_communication + (pp-1) × pipeline hop",
        f"{g(compute)} + {g(comm)} + {g(hops)}",
        compute + comm + hops,
        "s",
    )


def weight_bytes_touched(e: Engine, tokens: int) -> float:
    """Weight bytes one device reads in a decode step of `tokens` sequences. A MoE layer reads only
    the experts its tokens were routed to: E·(1-(1-k/E)^tokens) distinct experts in expectation."""
    m = e.model
    if not m.is_moe:
        return e.fit.weights_per_device
    assert m.experts and m.experts_per_token and m.expert_intermediate_size
    expert_params = 3 * m.hidden_size * m.expert_intermediate_size
    routed_total = m.moe_layers * m.experts * expert_params
    touched = m.experts * (1 - (1 - m.experts_per_token / m.experts) ** tokens)
    share = (m.parameters - routed_total + m.moe_layers * touched * expert_params) / m.parameters
    return e.fit.weights_per_device * min(1.0, share)


@dataclass(frozen=True)
class Step:
    stage_s: float  # one pipeline stage processing one micro-batch
    token_s: float  # time per output token seen by one sequence (TPOT)
    round_s: float  # time for every sequence in the batch to get one token
    bound: str  # "memory bandwidth" or "compute"


def decode_step(e: Engine, batch: int, context: float, trace: Trace | None = None) -> Step:
    """One decode step for `batch` sequences of average length `context` on one replica."""
    m, par = e.model, e.par
    micro = math.ceil(batch / par.pp)
    weights = weight_bytes_touched(e, micro)
    kv = micro * context * e.fit.kv_per_token_per_device
    mem_s = (weights + kv) / e.bytes_per_s
    attn_flops = 4 * m.layers * context * m.attention_heads * m.head_dim * micro
    comp_s = (2 * m.active * micro + attn_flops) / (par.devices * e.flops_per_s)
    payload = micro * m.hidden_size * ACTIVATION_BYTES
    comm_s = 2 * math.ceil(m.layers / par.pp) * allreduce_s(payload, par.tp, e.tp_link, e.eff)
    hop_s = 0.0 if par.pp == 1 else e.pp_link.latency_s + payload / (e.pp_link.gbs_per_direction * 1e9 * e.eff.link)
    stage = max(mem_s, comp_s) + comm_s
    step = Step(
        stage_s=stage,
        token_s=par.pp * stage + (par.pp - 1) * hop_s,
        round_s=par.pp * max(stage, hop_s),
        bound="memory bandwidth" if mem_s >= comp_s else "compute",
    )
    if trace is not None:
        trace.step(
            f"decode weight+KV read per device (batch {batch})",
            "weights_touched_per_device + micro_batch × avg_context × KV_per_token_per_device",
            f"{g(weights)} + {micro} × {g(context)} × {g(e.fit.kv_per_token_per_device)}",
            weights + kv,
            "bytes",
        )
        trace.step(
            f"decode memory time (batch {batch})",
            "bytes_read / (HBM_GB/s × bandwidth_efficiency)",
            f"{g(weights + kv)} / {g(e.bytes_per_s)}",
            mem_s,
            "s",
        )
        trace.step(
            f"decode compute time (batch {batch})",
            "(2 × active_params × micro_batch + 4 × layers × context × heads × head_dim × micro_batch) "
            "/ (tp × pp × peak × compute_efficiency)",
            f"{g(2 * m.active * micro + attn_flops)} / ({par.devices} × {g(e.flops_per_s)})",
            comp_s,
            "s",
        )
        trace.step(
            f"decode TP communication (batch {batch})",
            "2 × ceil(layers/pp) × (latency + 2·(tp-1)/tp × micro_batch × hidden × 2 bytes / link bandwidth)",
            f"2 × {math.ceil(m.layers / par.pp)} × allreduce({g(payload)} bytes, tp={par.tp})",
            comm_s,
            "s",
        )
        trace.step(
            f"time per output token (batch {batch})",
            "pp × (max(memory_time, compute_time) + TP_communication) + (pp-1) × hop",
            f"{par.pp} × ({g(max(mem_s, comp_s))} + {g(comm_s)}) + {par.pp - 1} × {g(hop_s)}",
            step.token_s,
            "s",
        )
    return step


@dataclass(frozen=True)
class Capacity:
    batch: int
    prefill_s: float
    step: Step
    requests_per_s: float  # per replica
    output_tokens_per_s: float  # per replica
    latency_s: float  # TTFT + output × TPOT at this batch, zero queueing


def capacity(
    e: Engine, prompt: int, output: int, batch: int, prefill_time: float, trace: Trace | None = None
) -> Capacity:
    """Steady-state requests/s of one replica that keeps `batch` sequences decoding (continuous batching).

    Each request costs its prefill (pipelined over the stages) plus `output` decode rounds shared by
    the batch: requests/s = 1 / (prefill_time/pp + output × round_time / batch).
    """
    if e.model.kind == "embedding" or output == 0:
        rps = e.par.pp / prefill_time
        step = Step(0.0, 0.0, 0.0, "compute")
        cap = Capacity(batch, prefill_time, step, rps, 0.0, prefill_time)
        if trace is not None:
            trace.step(
                "requests/s per replica",
                "pp / prefill_time  (prefill only)",
                f"{e.par.pp} / {g(prefill_time)}",
                rps,
                "req/s",
            )
        return cap
    context = prompt + output / 2
    step = decode_step(e, batch, context, trace)
    per_request = prefill_time / e.par.pp + output * step.round_s / batch
    rps = 1 / per_request
    if trace is not None:
        trace.step(
            f"requests/s per replica (batch {batch})",
            "1 / (prefill_time/pp + output_tokens × round_time/batch)",
            f"1 / ({g(prefill_time)}/{e.par.pp} + {output} × {g(step.round_s)}/{batch})",
            rps,
            "req/s",
        )
    return Capacity(batch, prefill_time, step, rps, rps * output, prefill_time + output * step.token_s)


def littles_law(arrival_per_s: float, latency_s: float, trace: Trace) -> float:
    return trace.step(
        "concurrent requests (Little's law)",
        "L = λ × W  (arrival rate × time each request spends in the system)",
        f"{g(arrival_per_s)} × {g(latency_s)}",
        arrival_per_s * latency_s,
        "requests",
    )
