"""Memory fit: weights, KV cache per token, activations and overhead, per device under tensor and
pipeline parallelism, and the number of sequences whose KV cache fits at a context length."""

from __future__ import annotations

import math
from dataclasses import dataclass

from serving_math.calc.precision import ACTIVATION_BYTES, Precision, kv_bytes, weight_bytes
from serving_math.calc.trace import Trace, g
from serving_math.catalog.schema import Accelerator, ModelArch
from serving_math.errors import InvalidArgument

GB = 1e9
GIB = 2**30


@dataclass(frozen=True)
class Knobs:
    """Engine settings the memory arithmetic depends on (vLLM's names and defaults)."""

    gpu_memory_utilization: float = 0.9  # vLLM --gpu-memory-utilization default
    overhead_gib: float | None = None  # None: 2 GiB on a GPU, 0.5 GiB on a CPU board
    max_batched_tokens: int | None = None  # tokens per forward pass; None: 8192 on a GPU, 512 on a CPU board
    max_num_seqs: int = 256  # vLLM --max-num-seqs default
    kv_cache_dtype: str = "fp16"


@dataclass(frozen=True)
class Parallel:
    tp: int = 1
    pp: int = 1

    @property
    def devices(self) -> int:
        return self.tp * self.pp


def check_parallel(model: ModelArch, acc: Accelerator, par: Parallel) -> None:
    """Tensor parallelism must split the heads evenly and stay inside one scale-up domain."""
    if par.tp < 1:
        raise InvalidArgument("tensor_parallel", f"{par.tp} is not a device count", "an integer >= 1")
    if par.pp < 1:
        raise InvalidArgument("pipeline_parallel", f"{par.pp} is not a stage count", "an integer >= 1")
    if model.attention_heads % par.tp:
        ok = [d for d in range(1, model.attention_heads + 1) if model.attention_heads % d == 0]
        raise InvalidArgument(
            "tensor_parallel",
            f"{par.tp} does not divide {model.id}'s {model.attention_heads} attention heads",
            "a divisor of the head count: " + ", ".join(map(str, ok[:12])),
        )
    if model.attention == "gqa" and par.tp > model.kv_heads and par.tp % model.kv_heads:
        raise InvalidArgument(
            "tensor_parallel",
            f"{par.tp} is above {model.id}'s {model.kv_heads} KV heads and not a multiple of them",
            f"a divisor of {model.kv_heads}, or a multiple of it (KV heads are then replicated)",
        )
    if par.tp > acc.max_per_node:
        raise InvalidArgument(
            "tensor_parallel",
            f"{par.tp} is more than the {acc.max_per_node} {acc.id} devices in one node",
            f"at most {acc.max_per_node}; span nodes with pipeline_parallel instead",
        )
    if par.pp > model.layers:
        raise InvalidArgument(
            "pipeline_parallel", f"{par.pp} stages for {model.layers} layers", f"at most {model.layers}"
        )


def kv_bytes_per_token(model: ModelArch, kv_dtype: str, trace: Trace) -> float:
    """KV cache bytes one token occupies across the whole model (0 for an embedding model)."""
    b = kv_bytes(kv_dtype)
    trace.assume("KV-cache dtype", kv_dtype, "vLLM --kv-cache-dtype (auto = the 16-bit model dtype)")
    if model.kind == "embedding":
        return trace.step("KV cache per token", "encoder: no KV cache", "-", 0.0, "bytes")
    if model.attention == "mla":
        assert model.kv_lora_rank and model.qk_rope_head_dim
        return trace.step(
            "KV cache per token",
            "layers × (kv_lora_rank + qk_rope_head_dim) × dtype_bytes  (MLA latent cache)",
            f"{model.layers} × ({model.kv_lora_rank} + {model.qk_rope_head_dim}) × {g(b)}",
            model.layers * (model.kv_lora_rank + model.qk_rope_head_dim) * b,
            "bytes",
        )
    return trace.step(
        "KV cache per token",
        "2 (K and V) × layers × kv_heads × head_dim × dtype_bytes",
        f"2 × {model.layers} × {model.kv_heads} × {model.head_dim} × {g(b)}",
        2 * model.layers * model.kv_heads * model.head_dim * b,
        "bytes",
    )


def kv_bytes_per_token_per_device(model: ModelArch, par: Parallel, kv_dtype: str, trace: Trace) -> float:
    """The share of one token's KV cache that the busiest device holds."""
    total = kv_bytes_per_token(model, kv_dtype, trace)
    if total == 0:
        return 0.0
    stage_layers = math.ceil(model.layers / par.pp)
    if model.attention == "mla":
        trace.assume("MLA cache under TP", "replicated", "the latent KV cache is not split by heads (vLLM)")
        return trace.step(
            "KV cache per token per device",
            "KV_per_token × ceil(layers/pp)/layers  (MLA latent replicated on every TP rank)",
            f"{g(total)} × {stage_layers}/{model.layers}",
            total * stage_layers / model.layers,
            "bytes",
        )
    heads_per_device = max(model.kv_heads / par.tp, 1)
    return trace.step(
        "KV cache per token per device",
        "KV_per_token × ceil(layers/pp)/layers × max(kv_heads/tp, 1)/kv_heads",
        f"{g(total)} × {stage_layers}/{model.layers} × {g(heads_per_device)}/{model.kv_heads}",
        total * stage_layers / model.layers * heads_per_device / model.kv_heads,
        "bytes",
    )


def overhead_bytes(acc: Accelerator, knobs: Knobs, trace: Trace) -> float:
    gib = knobs.overhead_gib
    if gib is None:
        gib = 0.5 if acc.kind == "cpu" else 2.0
        basis = (
            "operating system and runtime on a CPU board"
            if acc.kind == "cpu"
            else "CUDA/ROCm context, cuBLAS/NCCL workspaces and CUDA graphs (vLLM start-up logs show 1-3 GiB)"
        )
    else:
        basis = "given"
    trace.assume("framework overhead per device", f"{g(gib)} GiB", basis)
    return gib * GIB


def activation_bytes(model: ModelArch, acc: Accelerator, par: Parallel, knobs: Knobs, trace: Trace) -> float:
    """Peak activation memory of one forward pass of max_batched_tokens tokens, plus FP32 logits."""
    tokens = knobs.max_batched_tokens
    if tokens is None:
        tokens = 512 if acc.kind == "cpu" else 8192
        basis = (
            "llama.cpp's default micro-batch (n_ubatch 512) on a CPU board"
            if acc.kind == "cpu"
            else "vLLM --max-num-batched-tokens (8192); the activation peak scales with it"
        )
    else:
        basis = "given"
    trace.assume("tokens per forward pass", tokens, basis)
    ffn = model.intermediate_size
    if model.is_moe:
        assert model.expert_intermediate_size and model.experts_per_token
        ffn = max(ffn, model.expert_intermediate_size * (model.experts_per_token + model.shared_experts))
    width = 2 * model.hidden_size + (model.attention_heads + 2 * model.kv_heads) * model.head_dim / par.tp
    width += 2 * ffn / par.tp
    seqs = 1 if model.kind == "embedding" else knobs.max_num_seqs
    logits = 0 if model.kind == "embedding" else seqs * model.vocab_size / par.tp * 4
    return trace.step(
        "activations per device",
        "tokens_per_pass × (2·hidden + (heads + 2·kv_heads)·head_dim/tp + 2·ffn/tp) × 2 bytes "
        "+ max_num_seqs × vocab/tp × 4 bytes (FP32 logits)",
        f"{tokens} × {g(width)} × {ACTIVATION_BYTES} + {g(logits)}",
        tokens * width * ACTIVATION_BYTES + logits,
        "bytes",
    )


@dataclass(frozen=True)
class Fit:
    device_memory: float
    usable: float
    weights_total: float
    weights_per_device: float
    kv_per_token: float
    kv_per_token_per_device: float
    activations: float
    overhead: float
    kv_budget_per_device: float
    context_tokens: int
    max_sequences: int  # sequences of context_tokens whose KV cache fits (per replica)
    max_tokens: int  # KV-cache tokens per replica

    @property
    def weights_fit(self) -> bool:
        return self.weights_per_device + self.activations + self.overhead <= self.usable

    @property
    def fits(self) -> bool:
        return self.weights_fit and self.max_sequences >= 1


def memory_fit(
    model: ModelArch,
    acc: Accelerator,
    prec: Precision,
    par: Parallel,
    context_tokens: int,
    knobs: Knobs,
    trace: Trace,
) -> Fit:
    check_parallel(model, acc, par)
    if context_tokens < 1:
        raise InvalidArgument("context_tokens", f"got {context_tokens}", "an integer >= 1")
    if not 0 < knobs.gpu_memory_utilization <= 1:
        raise InvalidArgument(
            "gpu_memory_utilization", f"got {knobs.gpu_memory_utilization}", "a fraction in (0, 1], e.g. 0.9"
        )
    trace.cite(f"{model.id} architecture", model.source)
    trace.cite(f"{acc.id} memory", acc.source_of("memory_gb"))
    if context_tokens > model.max_context:
        trace.assume(
            "context beyond the model's window",
            f"{context_tokens} > {model.max_context}",
            f"{model.id}'s config.json max_position_embeddings is {model.max_context}; the figures are extrapolated",
        )
    trace.assume("device memory", f"{g(acc.memory_gb)} GB", "datasheet GB taken as 10^9 bytes (conservative)")
    memory = acc.memory_gb * GB
    trace.assume("usable memory fraction", knobs.gpu_memory_utilization, "vLLM --gpu-memory-utilization (default 0.9)")
    usable = trace.step(
        "usable memory per device",
        "memory × gpu_memory_utilization",
        f"{g(memory)} × {knobs.gpu_memory_utilization}",
        memory * knobs.gpu_memory_utilization,
        "bytes",
    )
    total = weight_bytes(model, prec, trace)
    trace.assume("weight split", "even", "weights divided evenly over tp × pp devices (vLLM shards the vocab too)")
    per_device = trace.step(
        "weights per device",
        "weights / (tp × pp)",
        f"{g(total)} / ({par.tp} × {par.pp})",
        total / par.devices,
        "bytes",
    )
    kv_token = kv_bytes_per_token(model, knobs.kv_cache_dtype, trace)
    kv_device = kv_bytes_per_token_per_device(model, par, knobs.kv_cache_dtype, trace)
    acts = activation_bytes(model, acc, par, knobs, trace)
    over = overhead_bytes(acc, knobs, trace)
    budget = trace.step(
        "KV-cache budget per device",
        "usable - weights_per_device - activations - overhead",
        f"{g(usable)} - {g(per_device)} - {g(acts)} - {g(over)}",
        usable - per_device - acts - over,
        "bytes",
    )
    max_seqs: float
    if kv_device == 0:
        max_tokens = knobs.max_num_seqs if budget > 0 else 0
        max_seqs = max_tokens
    else:
        max_tokens = max(0, math.floor(budget / kv_device))
        max_seqs = trace.step(  # a float in the trace; int() below
            "max concurrent sequences",
            "floor(KV_budget_per_device / (KV_per_token_per_device × context_tokens))",
            f"floor({g(budget)} / ({g(kv_device)} × {context_tokens}))",
            max(0, math.floor(budget / (kv_device * context_tokens))),
            "sequences",
        )
    return Fit(
        device_memory=memory,
        usable=usable,
        weights_total=total,
        weights_per_device=per_device,
        kv_per_token=kv_token,
        kv_per_token_per_device=kv_device,
        activations=acts,
        overhead=over,
        kv_budget_per_device=budget,
        context_tokens=context_tokens,
        max_sequences=int(max_seqs),
        max_tokens=int(max_tokens),
    )
