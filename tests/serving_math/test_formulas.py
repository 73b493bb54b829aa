"""The formulas against hand calculations (numbers worked out here, independently of the code)."""

from __future__ import annotations

import math

import pytest

from serving_math.calc.memory import Knobs, Parallel, kv_bytes_per_token, memory_fit
from serving_math.calc.perf import (
    Efficiency,
    Engine,
    Link,
    allreduce_s,
    capacity,
    decode_step,
    engine,
    littles_law,
    prefill_flops,
    prefill_s,
    weight_bytes_touched,
)
from serving_math.calc.precision import precision, weight_bytes
from serving_math.calc.trace import Trace
from serving_math.catalog import Catalog

GIB = 2**30


def dense_params(m) -> int:  # type: ignore[no-untyped-def]
    """Parameter count of a Llama-style decoder from its config.json shapes."""
    q = m.hidden_size * m.attention_heads * m.head_dim
    kv = 2 * m.hidden_size * m.kv_heads * m.head_dim
    o = m.attention_heads * m.head_dim * m.hidden_size
    bias = (m.attention_heads + 2 * m.kv_heads) * m.head_dim if m.attention_bias else 0
    mlp = 3 * m.hidden_size * m.intermediate_size
    norms = 2 * m.hidden_size
    per_layer = q + kv + o + bias + mlp + norms
    return m.layers * per_layer + m.embedding_parameters + m.hidden_size


@pytest.mark.parametrize(
    "model_id",
    [
        "llama-3-8b",
        "llama-3-70b",
        "llama-3.1-405b",
        "llama-3.2-1b",
        "llama-3.2-3b",
        "mistral-7b",
        "qwen2.5-7b",
        "qwen2.5-72b",
    ],
)
def test_published_parameter_counts_match_the_architecture(catalog: Catalog, model_id: str) -> None:
    """The data file's shapes and its published parameter count agree exactly (catches typos)."""
    m = catalog.model(model_id)
    assert dense_params(m) == m.parameters


@pytest.mark.parametrize("model_id", ["mixtral-8x7b", "mixtral-8x22b"])
def test_moe_total_and_active_parameters_match_the_architecture(catalog: Catalog, model_id: str) -> None:
    m = catalog.model(model_id)
    attn = m.hidden_size * m.head_dim * (2 * m.attention_heads + 2 * m.kv_heads)
    expert = 3 * m.hidden_size * m.expert_intermediate_size
    router = m.hidden_size * m.experts
    rest = m.layers * (attn + router + 2 * m.hidden_size) + m.embedding_parameters + m.hidden_size
    assert rest + m.layers * m.experts * expert == m.parameters
    assert rest + m.layers * m.experts_per_token * expert == m.active_parameters


def test_deepseek_v3_active_parameters_follow_from_its_experts(catalog: Catalog) -> None:
    """671B total minus the 248 unrouted experts of 58 MoE layers is the paper's ~37B active."""
    m = catalog.model("deepseek-v3")
    unrouted = (256 - 8) * 3 * 7168 * 2048 * 58
    assert abs((m.parameters - unrouted) - m.active) / m.active < 0.02


def test_weight_bytes_by_precision(catalog: Catalog) -> None:
    m = catalog.model("llama-3-70b")
    p = 70_553_706_496
    assert weight_bytes(m, precision("fp16"), Trace()) == p * 2 == 141_107_412_992
    assert weight_bytes(m, precision("BF16"), Trace()) == p * 2
    assert weight_bytes(m, precision("fp8"), Trace()) == p
    assert weight_bytes(m, precision("int8"), Trace()) == p
    assert weight_bytes(m, precision("int4"), Trace()) == p / 2
    emb = 2 * 128256 * 8192
    assert weight_bytes(m, precision("awq"), Trace()) == pytest.approx((p - emb) * 4.15625 / 8 + emb * 2)
    assert weight_bytes(m, precision("gptq"), Trace()) == weight_bytes(m, precision("awq"), Trace())


def test_kv_cache_per_token(catalog: Catalog) -> None:
    assert kv_bytes_per_token(catalog.model("llama-3-70b"), "fp16", Trace()) == 2 * 80 * 8 * 128 * 2 == 327_680
    assert kv_bytes_per_token(catalog.model("llama-3-8b"), "fp16", Trace()) == 131_072
    assert kv_bytes_per_token(catalog.model("llama-3-8b"), "fp8", Trace()) == 65_536
    assert kv_bytes_per_token(catalog.model("qwen2.5-7b"), "fp16", Trace()) == 2 * 28 * 4 * 128 * 2
    # MLA: one 512-wide latent plus a 64-wide RoPE key per layer, not K and V per head.
    assert kv_bytes_per_token(catalog.model("deepseek-v3"), "fp16", Trace()) == 61 * (512 + 64) * 2 == 70_272
    assert kv_bytes_per_token(catalog.model("all-minilm-l6-v2"), "fp16", Trace()) == 0


def test_max_concurrent_sequences_by_hand(catalog: Catalog) -> None:
    """Llama-3-8B FP16 on one A100 80GB at 4096 tokens, vLLM defaults."""
    m, acc = catalog.model("llama-3-8b"), catalog.accelerator("a100-80gb-sxm")
    fit = memory_fit(m, acc, precision("fp16"), Parallel(), 4096, Knobs(), Trace())
    usable = 80e9 * 0.9
    weights = 8_030_261_248 * 2
    acts = 8192 * (2 * 4096 + (32 + 16) * 128 + 2 * 14336) * 2 + 256 * 128256 * 4
    budget = usable - weights - acts - 2 * GIB
    assert fit.kv_budget_per_device == pytest.approx(budget)
    assert fit.max_sequences == math.floor(budget / (131_072 * 4096)) == 98


def test_tensor_and_pipeline_parallel_split_weights_and_kv(catalog: Catalog) -> None:
    m, acc = catalog.model("llama-3-70b"), catalog.accelerator("a100-80gb-sxm")
    fit = memory_fit(m, acc, precision("fp16"), Parallel(tp=8), 8192, Knobs(), Trace())
    assert fit.weights_per_device == pytest.approx(141_107_412_992 / 8)
    assert fit.kv_per_token_per_device == 327_680 / 8
    fit = memory_fit(m, acc, precision("fp16"), Parallel(tp=4, pp=2), 8192, Knobs(), Trace())
    assert fit.kv_per_token_per_device == 327_680 / 4 / 2
    # TP above the KV-head count replicates heads: a Llama-3-8B (8 KV heads)... at TP=8 still one head each.
    fit = memory_fit(catalog.model("qwen2.5-7b"), acc, precision("fp16"), Parallel(tp=4), 4096, Knobs(), Trace())
    assert fit.kv_per_token_per_device == 57_344 / 4


def test_fp16_70b_does_not_fit_one_a100(catalog: Catalog) -> None:
    m, acc = catalog.model("llama-3-70b"), catalog.accelerator("a100-80gb-sxm")
    assert not memory_fit(m, acc, precision("fp16"), Parallel(tp=1), 4096, Knobs(), Trace()).fits
    assert not memory_fit(m, acc, precision("fp16"), Parallel(tp=2), 4096, Knobs(), Trace()).fits
    assert memory_fit(m, acc, precision("fp16"), Parallel(tp=4), 4096, Knobs(), Trace()).fits
    assert memory_fit(m, acc, precision("int4"), Parallel(tp=1), 4096, Knobs(), Trace()).fits


def _engine(catalog: Catalog, model: str, acc: str, prec: str, par: Parallel) -> Engine:
    m, a, p = catalog.model(model), catalog.accelerator(acc), precision(prec)
    fit = memory_fit(m, a, p, par, 4096, Knobs(), Trace())
    return engine(m, a, p, par, fit, Efficiency(), Trace())


def test_prefill_is_compute_bound_by_hand(catalog: Catalog) -> None:
    flops = prefill_flops(catalog.model("llama-3-70b"), 1024, Trace())
    assert flops == 2 * 70_553_706_496 * 1024 + 2 * 80 * 1024**2 * 64 * 128
    e = _engine(catalog, "llama-3-70b", "a100-80gb-sxm", "fp16", Parallel(tp=8))
    t = Trace()
    total = prefill_s(e, 1024, t)
    compute = next(f.value for f in t.formulas if f.name.startswith("prefill compute"))
    assert compute == pytest.approx(flops / (8 * 312e12 * 0.5))
    payload = 1024 * 8192 * 2
    comm = 2 * 80 * (10e-6 + 2 * 7 / 8 * payload / (300e9 * 0.8))
    assert total == pytest.approx(compute + comm)


def test_decode_is_bandwidth_bound_at_batch_one(catalog: Catalog) -> None:
    e = _engine(catalog, "llama-3-8b", "h100-sxm", "fp16", Parallel())
    step = decode_step(e, 1, 1000)
    assert step.bound == "memory bandwidth"
    assert step.token_s == pytest.approx((8_030_261_248 * 2 + 1000 * 131_072) / (3350e9 * 0.8))


def test_decode_becomes_compute_bound_at_large_batch(catalog: Catalog) -> None:
    e = _engine(catalog, "llama-3-8b", "h100-sxm", "fp16", Parallel())
    assert decode_step(e, 1024, 100).bound == "compute"


def test_ring_allreduce_by_hand() -> None:
    nvlink = Link("NVLink 3", 300, 10e-6)
    eff = Efficiency()
    assert allreduce_s(16e6, 1, nvlink, eff) == 0
    assert allreduce_s(16e6, 8, nvlink, eff) == pytest.approx(10e-6 + 2 * 7 / 8 * 16e6 / (300e9 * 0.8))
    pcie = Link("PCIe", 32, 25e-6)
    assert allreduce_s(16e6, 2, pcie, eff) > allreduce_s(16e6, 2, nvlink, eff) * 5


def test_moe_decode_reads_only_routed_experts(catalog: Catalog) -> None:
    """One token through Mixtral touches 2 of 8 experts: the bytes read are the active share."""
    e = _engine(catalog, "mixtral-8x7b", "h100-sxm", "fp16", Parallel(tp=2))
    m = catalog.model("mixtral-8x7b")
    assert weight_bytes_touched(e, 1) / e.fit.weights_per_device == pytest.approx(m.active / m.parameters)
    assert weight_bytes_touched(e, 256) == pytest.approx(e.fit.weights_per_device)  # every expert is hit


def test_requests_per_second_and_littles_law_by_hand(catalog: Catalog) -> None:
    e = _engine(catalog, "llama-3-8b", "h100-sxm", "fp16", Parallel())
    cap = capacity(e, 512, 256, 64, prefill_time=0.05)
    step = decode_step(e, 64, 512 + 128)
    assert cap.requests_per_s == pytest.approx(1 / (0.05 + 256 * step.round_s / 64))
    assert cap.output_tokens_per_s == pytest.approx(cap.requests_per_s * 256)
    assert littles_law(10, 2.5, Trace()) == 25


def test_pipeline_parallel_adds_no_prefill_speed_but_adds_throughput(catalog: Catalog) -> None:
    one = _engine(catalog, "llama-3-70b", "h100-sxm", "fp8", Parallel(tp=1, pp=1))
    two = _engine(catalog, "llama-3-70b", "h100-sxm", "fp8", Parallel(tp=1, pp=2))
    assert prefill_s(two, 512, Trace()) >= prefill_s(one, 512, Trace())
    # One sequence still streams every layer's weights in turn: single-stream TPOT does not improve...
    assert decode_step(two, 1, 600).token_s >= decode_step(one, 1, 600).token_s
    # ...but a big batch gains: each stage reads only its own layers' KV cache.
    assert decode_step(two, 256, 600).round_s < decode_step(one, 256, 600).round_s
