"""Published real-world figures fall inside the tool's bounds: at or under the ideal bound (100% of
every datasheet peak) and within a factor of it (the bound is not vacuous)."""

from __future__ import annotations

import pytest

from serving_math.calc.memory import Knobs
from serving_math.catalog import Catalog
from serving_math.service import performance_report

TRTLLM = "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md (commit 00f37686), Total Output Throughput"

# (model, accelerator, precision, TP, ISL, OSL, measured output tokens/s, source). TensorRT-LLM ran
# ModelOpt FP8 checkpoints, whose KV cache is FP8 too, at large batch (CUDA graphs up to 8192).
THROUGHPUT = [
    ("llama-3.1-8b", "h100-sxm", "fp8", 1, 128, 128, 28_312, TRTLLM),
    ("llama-3.1-8b", "h100-sxm", "fp8", 1, 2048, 128, 3_450, TRTLLM),
    ("llama-3.1-8b", "h100-sxm", "fp8", 1, 1000, 1000, 15_220, TRTLLM),
    ("llama-3.3-70b", "h100-sxm", "fp8", 2, 128, 128, 6_378, TRTLLM),
    ("llama-3.3-70b", "h100-sxm", "fp8", 2, 1000, 1000, 4_205, TRTLLM),
    ("llama-3.3-70b", "h200-sxm", "fp8", 1, 1000, 1000, 2_909, TRTLLM),
    ("llama-3.1-405b", "h100-sxm", "fp8", 8, 1000, 1000, 2_919, TRTLLM),
    ("llama-3.1-405b", "h100-sxm", "fp8", 8, 128, 2048, 4_340, TRTLLM),
]


@pytest.mark.parametrize(("model", "acc", "prec", "tp", "isl", "osl", "measured", "source"), THROUGHPUT)
def test_published_throughput_is_inside_the_bounds(
    catalog: Catalog, model: str, acc: str, prec: str, tp: int, isl: int, osl: int, measured: float, source: str
) -> None:
    r = performance_report(
        catalog, model, acc, prec, tp, 1, isl, osl, knobs=Knobs(max_num_seqs=2048, kv_cache_dtype="fp8")
    )
    ideal = r.ideal.output_tokens_per_s_per_replica
    assert measured <= ideal, f"{source}: measured {measured} above the ideal bound {ideal:.0f}"
    assert measured >= 0.3 * ideal, f"{source}: measured {measured} far under the bound {ideal:.0f}"


def test_a100_fp16_llama3_8b_throughput(catalog: Catalog) -> None:
    """TensorRT-LLM's A100 80GB SXM figure for Llama-3-8B FP16 at 128/128: 6,552.62 output tokens/s
    (quoted in NVIDIA/TensorRT-LLM issue #2648, where a user reached ~5,500)."""
    r = performance_report(
        catalog, "llama-3-8b", "a100-80gb-sxm", "fp16", 1, 1, 128, 128, knobs=Knobs(max_num_seqs=2048)
    )
    ideal = r.ideal.output_tokens_per_s_per_replica
    assert 0.3 * ideal <= 6552.62 <= ideal
    assert 0.3 * ideal <= 5500 <= ideal


def test_single_stream_70b_on_two_a100_pcie(catalog: Catalog) -> None:
    """vllm-project/vllm issue #7567: Llama 3.1 70B BF16 on 2x A100 PCIe, one request: ~17 tokens/s.
    Each GPU streams 70.6 GB of weights per token over 1,935 GB/s: at most ~27 tokens/s."""
    knobs = Knobs(gpu_memory_utilization=0.98, max_num_seqs=16, max_batched_tokens=2048)
    r = performance_report(
        catalog, "llama-3.1-70b", "a100-80gb-pcie", "bf16", 2, 1, 200, 200, batch_size=1, knobs=knobs
    )
    assert 0.3 * r.ideal.single_stream_tokens_per_s <= 17 <= r.ideal.single_stream_tokens_per_s
    assert r.ideal.single_stream_tokens_per_s == pytest.approx(1935e9 / (70_553_706_496 * 2 / 2), rel=0.05)


def test_single_stream_llama32_3b_on_a_raspberry_pi_5(catalog: Catalog) -> None:
    """geerlingguy/ai-benchmarks issue #24: Llama 3.2 3B (Ollama, 4-bit) on a Pi 500+ (the Pi 5's
    BCM2712 and LPDDR4X-4267): 5.55 tokens/s. 17.1 GB/s over ~1.6 GB of 4-bit weights: ~10.5 tokens/s."""
    r = performance_report(catalog, "llama-3.2-3b", "raspberry-pi-5-8gb", "int4", 1, 1, 50, 200, batch_size=1)
    assert 0.3 * r.ideal.single_stream_tokens_per_s <= 5.55 <= r.ideal.single_stream_tokens_per_s
