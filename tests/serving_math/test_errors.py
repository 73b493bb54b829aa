"""Bad input is a clear error naming the argument and what is accepted; user catalogue files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from serving_math.calc.sla import Workload
from serving_math.catalog import Catalog, load_catalog
from serving_math.config import user_catalog_dir
from serving_math.errors import CatalogError, InvalidArgument, UnknownName
from serving_math.planning import sla_report
from serving_math.service import memory_fit_report, performance_report
from tests.journal.helpers import error_text, ok

pytestmark = pytest.mark.anyio

A100 = "a100-80gb-sxm"


def test_unknown_accelerator_lists_the_known_ones(catalog: Catalog) -> None:
    with pytest.raises(UnknownName) as err:
        memory_fit_report(catalog, "llama-3-70b", "A1000 80GB")
    message = str(err.value)
    assert message.startswith("accelerator: unknown accelerator 'A1000 80GB'")
    for known in ("a100-80gb-sxm", "h100-sxm", "raspberry-pi-5-4gb", "mi300x", "gaudi3"):
        assert known in message
    assert "did you mean" in message


def test_unknown_model_lists_the_known_ones(catalog: Catalog) -> None:
    with pytest.raises(UnknownName, match=r"model: unknown model 'llama-9-70b'.*llama-3-70b"):
        memory_fit_report(catalog, "llama-9-70b", A100)


def test_names_are_matched_loosely(catalog: Catalog) -> None:
    assert catalog.accelerator("NVIDIA A100 80GB").id == A100
    assert catalog.accelerator("a100_80gb").id == A100
    assert catalog.accelerator("H100 SXM").id == "h100-sxm"
    assert catalog.model("Meta-Llama-3-70B-Instruct").id == "llama-3-70b"
    assert catalog.model("Llama 3.3 70B").id == "llama-3.1-70b"


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: sla_report(c, "llama-3-8b", A100, 1, Workload(-5, 230, 203, 0.5)), "requests_per_second"),
        (lambda c: sla_report(c, "llama-3-8b", A100, 1, Workload(5, -1, 203, 0.5)), "prompt_tokens"),
        (lambda c: sla_report(c, "llama-3-8b", A100, 1, Workload(5, 230, -3, 0.5)), "output_tokens"),
        (lambda c: sla_report(c, "llama-3-8b", A100, 1, Workload(5, 230, 203, -0.5)), "ttft_ms"),
        (lambda c: sla_report(c, "llama-3-8b", A100, 1, Workload(5, 230, 203, 0.5, tpot_s=0)), "tpot_ms"),
        (lambda c: sla_report(c, "llama-3-8b", A100, 0, Workload(5, 230, 203, 0.5)), "gpu_count"),
        (
            lambda c: sla_report(c, "llama-3-8b", A100, 1, Workload(5, 230, 203, 0.5, max_utilization=1.5)),
            "max_utilization",
        ),
        (lambda c: memory_fit_report(c, "llama-3-8b", A100, "fp12"), "precision"),
        (lambda c: memory_fit_report(c, "llama-3-8b", A100, tensor_parallel=0), "tensor_parallel"),
        (lambda c: memory_fit_report(c, "llama-3-8b", A100, tensor_parallel=3), "tensor_parallel"),
        (lambda c: memory_fit_report(c, "llama-3-8b", A100, tensor_parallel=16), "tensor_parallel"),
        (lambda c: memory_fit_report(c, "llama-3-8b", A100, pipeline_parallel=-2), "pipeline_parallel"),
        (lambda c: memory_fit_report(c, "llama-3-8b", A100, context_tokens=-100), "context_tokens"),
        (lambda c: performance_report(c, "llama-3-8b", A100, batch_size=0), "batch_size"),
        (lambda c: performance_report(c, "llama-3-70b", A100, tensor_parallel=1), "tensor_parallel"),
    ],
)
def test_bad_numbers_name_the_argument_and_what_is_accepted(catalog: Catalog, call, argument: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument) as err:
        call(catalog)
    assert err.value.argument == argument
    assert str(err.value).startswith(f"{argument}: ") and "accepted: " in str(err.value)


def test_user_catalog_dir_resolution(tmp_path: Path) -> None:
    assert user_catalog_dir(env={"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "journal-agent-pack" / "serving-math"
    assert user_catalog_dir(env={"HOME": str(tmp_path)}) == tmp_path / ".config" / "journal-agent-pack" / "serving-math"
    assert user_catalog_dir(env={"SERVING_MATH_CONFIG_DIR": "/x", "XDG_CONFIG_HOME": "/y"}) == Path("/x")
    assert user_catalog_dir("/flag", env={"SERVING_MATH_CONFIG_DIR": "/x"}) == Path("/flag")
    assert not (tmp_path / ".config").exists()  # resolving creates nothing


USER_TOML = """
[[accelerator]]
id = "rtx-4090"
name = "NVIDIA GeForce RTX 4090"
aliases = ["4090"]
kind = "gpu"
memory_gb = 24
memory_bandwidth_gbs = 1008
tflops = { fp16 = 165.2, fp8 = 330.3 }
pcie_gbs = 64
source = "NVIDIA Ada Lovelace architecture whitepaper, RTX 4090 column"

[[accelerator]]
id = "a100-80gb-sxm"
name = "A100 80GB SXM (my lab's, measured)"
kind = "gpu"
memory_gb = 80
memory_bandwidth_gbs = 1800
tflops = { fp16 = 312 }
scale_up_gbs = 600
source = "our own STREAM-style measurement, 2026-11"
"""


def test_user_files_add_and_override_entries(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(USER_TOML, encoding="utf-8")
    (tmp_path / "models.json").write_text(
        json.dumps(
            {
                "model": [
                    {
                        "id": "tiny-7b",
                        "name": "Our 7B",
                        "parameters": 7_000_000_000,
                        "layers": 32,
                        "hidden_size": 4096,
                        "attention_heads": 32,
                        "kv_heads": 8,
                        "head_dim": 128,
                        "intermediate_size": 11008,
                        "vocab_size": 32000,
                        "max_context": 4096,
                        "source": "our config.json",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    cat = load_catalog(tmp_path)
    assert cat.accelerator("4090").origin == str(tmp_path / "mine.toml")
    assert cat.accelerator("a100-80gb-sxm").memory_bandwidth_gbs == 1800  # the user's figure wins
    assert cat.accelerator("A100 80GB").id == "a100-80gb-sxm"  # shipped aliases still lead to it
    r = memory_fit_report(cat, "tiny-7b", "rtx-4090", "fp16")
    assert r.fits and r.sources["tiny-7b architecture"] == "our config.json"
    assert len(cat.user_files) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[accelerator]]\nid = 'x'\n", "accelerator x: "),
        ("[[gpu]]\nid = 'x'\n", "unknown section(s) gpu"),
        ("not toml at all [", "not valid TOML"),
        (USER_TOML.replace("memory_gb = 24", "memory_gb = -24"), "memory_gb: Input should be greater than 0"),
        (USER_TOML.replace('source = "NVIDIA Ada', 'sourc = "NVIDIA Ada'), "source: Field required"),
    ],
)
def test_bad_user_files_are_clear_errors(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert str(tmp_path / "bad.toml") in str(err.value)
    assert expected in str(err.value)


async def test_tool_errors_are_readable_sentences(math_client) -> None:  # type: ignore[no-untyped-def]
    text = error_text(
        await math_client.call_tool(
            "check_sla",
            {"model": "llama-3-70b", "accelerator": "A1000", "gpu_count": 8, "requests_per_second": 5, "ttft_ms": 500},
        )
    )
    assert "accelerator: unknown accelerator 'A1000'" in text and "a100-80gb-sxm" in text
    text = error_text(
        await math_client.call_tool(
            "check_sla",
            {"model": "llama-3-70b", "accelerator": A100, "gpu_count": 8, "requests_per_second": -5, "ttft_ms": 500},
        )
    )
    assert "requests_per_second: got -5" in text and "accepted: a rate > 0" in text
    text = error_text(
        await math_client.call_tool(
            "check_sla", {"model": "llama-3-70b", "accelerator": A100, "gpu_count": 8, "ttft_ms": 500}
        )
    )
    assert "give exactly one" in text
    text = error_text(
        await math_client.call_tool("memory_fit", {"model": "llama-3-70b", "accelerator": A100, "tensor_parallel": 3})
    )
    assert "tensor_parallel: 3 does not divide" in text
    assert "validation error" not in text.lower()
    data = ok(
        await math_client.call_tool("memory_fit", {"model": "llama-3-70b", "accelerator": A100, "tensor_parallel": 8})
    )
    assert data["fits"] is True
