"""Seed 002's two test cases (evals/ai-model-inference-serving-architect), through the service and the tool."""

from __future__ import annotations

import pytest

from serving_math.calc.sla import Workload
from serving_math.catalog import Catalog
from serving_math.planning import sla_report
from tests.journal.helpers import ok


def test_llama3_70b_fp16_on_8x_a100_is_feasible_with_tensor_parallelism(catalog: Catalog) -> None:
    """1,000 requests/min, 500 ms TTFT, 8x A100 80GB: feasible, sharded with tensor parallelism."""
    r = sla_report(catalog, "Llama-3 70B", "A100 80GB", 8, Workload(1000 / 60, 230, 203, 0.5))
    assert r.feasible, r.verdict
    assert r.configuration is not None
    assert r.configuration.tensor_parallel > 1  # 141 GB of FP16 weights cannot sit on one 80 GB GPU
    assert r.configuration.gpus <= 8
    assert r.configuration.ttft_ms <= 500
    assert "tensor parallelism" in r.verdict
    assert {c.name for c in r.checks} >= {"throughput", "ttft", "headroom"}
    assert all(c.ok for c in r.checks if c.name != "headroom")
    # It is close to capacity: the tool says so instead of hiding it.
    assert r.binding_constraint in {"throughput", "ttft"}
    assert r.smallest_configuration is not None and r.smallest_configuration.utilization <= 0.8
    # Each assumption and formula behind it is named.
    names = {f.name for f in r.formulas}
    assert {"weights per device", "KV cache per token", "TTFT under load", "utilization per replica"} <= names
    assert any("ShareGPT" in a.basis for a in r.assumptions)
    assert "a100-80gb-sxm memory" in r.sources


def test_llama3_70b_on_one_raspberry_pi_is_infeasible_because_weights_exceed_memory(catalog: Catalog) -> None:
    """1,000,000 requests/s at 10 ms TTFT on a single 4 GB Raspberry Pi: the weights alone are 141 GB."""
    r = sla_report(catalog, "llama-3-70b", "Raspberry Pi", 1, Workload(1_000_000, 230, 203, 0.010))
    assert not r.feasible
    assert r.binding_constraint == "memory"
    memory = next(c for c in r.checks if c.name == "memory")
    assert memory.value == pytest.approx(141.1, abs=0.1) and memory.limit == pytest.approx(3.6)
    assert "weights" in r.verdict and "exceed" in r.verdict
    assert r.smallest_configuration is None  # no number of Pis prefills 230 tokens in 10 ms
    assert "prefill" in r.verdict
    assert r.alternatives, "infeasible answers point at hardware that could do it"
    assert all(a.ttft_ms <= 10 for a in r.alternatives)


@pytest.mark.anyio
async def test_seed_cases_through_the_tool(math_client) -> None:  # type: ignore[no-untyped-def]
    good = ok(
        await math_client.call_tool(
            "check_sla",
            {
                "model": "llama-3-70b",
                "accelerator": "a100-80gb-sxm",
                "gpu_count": 8,
                "requests_per_minute": 1000,
                "ttft_ms": 500,
            },
        )
    )
    assert good["feasible"] is True
    assert good["configuration"]["tensor_parallel"] > 1
    bad = await math_client.call_tool(
        "check_sla",
        {
            "model": "llama-3-70b",
            "accelerator": "raspberry-pi-5-4gb",
            "gpu_count": 1,
            "requests_per_second": 1_000_000,
            "ttft_ms": 10,
        },
    )
    data = ok(bad)
    assert data["feasible"] is False and data["binding_constraint"] == "memory"
    text = bad.content[0].text
    assert text.startswith("INFEASIBLE") and "Formulas:" in text and "Assumptions:" in text
