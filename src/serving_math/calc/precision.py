"""Weight precisions and KV-cache data types: storage bytes and which tensor-core rate they run at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from serving_math.calc.trace import Trace, g
from serving_math.catalog.schema import Accelerator, DataType, ModelArch
from serving_math.errors import InvalidArgument

PrecisionName = Literal["fp32", "fp16", "bf16", "fp8", "int8", "int4", "awq", "gptq"]
KvDtype = Literal["fp32", "fp16", "bf16", "fp8"]

GROUP_SIZE = 128  # AWQ / GPTQ quantisation group size (the common default of both tools)


@dataclass(frozen=True)
class Precision:
    name: str
    bits: float  # storage bits per quantised weight
    compute: tuple[DataType, ...]  # tensor-core rates to use, first that the accelerator has
    group_quantised: bool  # embeddings and LM head stay FP16; linear layers carry group scales
    note: str


PRECISIONS: dict[str, Precision] = {
    "fp32": Precision("fp32", 32, ("fp32",), False, "FP32 weights and math"),
    "fp16": Precision("fp16", 16, ("fp16", "bf16", "fp32"), False, "FP16 weights, FP16 tensor-core math"),
    "bf16": Precision("bf16", 16, ("bf16", "fp16", "fp32"), False, "BF16 weights, BF16 tensor-core math"),
    "fp8": Precision(
        "fp8",
        8,
        ("fp8", "fp16", "bf16", "fp32"),
        False,
        "FP8 weights; FP8 tensor-core math where the accelerator has it (W8A8), else weight-only FP8 "
        "dequantised to FP16 (as vLLM's Marlin kernels do on Ampere)",
    ),
    "int8": Precision(
        "int8",
        8,
        ("int8", "fp16", "bf16", "fp32"),
        False,
        "INT8 weights and activations (W8A8, SmoothQuant-style) on INT8 tensor cores where present, else FP16",
    ),
    "int4": Precision(
        "int4", 4, ("fp16", "bf16", "fp32"), False, "every weight at 4 bits, weight-only: the math runs in FP16"
    ),
    "awq": Precision(
        "awq",
        4 + 20 / GROUP_SIZE,
        ("fp16", "bf16", "fp32"),
        True,
        f"AWQ 4-bit, group size {GROUP_SIZE} (an FP16 scale and a 4-bit zero point per group = "
        f"{4 + 20 / GROUP_SIZE:.3f} bits per weight); embeddings and LM head stay FP16; math in FP16",
    ),
    "gptq": Precision(
        "gptq",
        4 + 20 / GROUP_SIZE,
        ("fp16", "bf16", "fp32"),
        True,
        f"GPTQ 4-bit, group size {GROUP_SIZE} (an FP16 scale and a 4-bit zero point per group = "
        f"{4 + 20 / GROUP_SIZE:.3f} bits per weight); embeddings and LM head stay FP16; math in FP16",
    ),
}

KV_BYTES: dict[str, float] = {"fp32": 4, "fp16": 2, "bf16": 2, "fp8": 1}

ACTIVATION_BYTES = 2  # activations and all-reduce payloads in 16-bit


def precision(name: str) -> Precision:
    key = name.strip().lower().replace("-", "").replace("_", "")
    aliases = {"float16": "fp16", "half": "fp16", "bfloat16": "bf16", "float32": "fp32", "w4a16": "int4"}
    key = aliases.get(key, key)
    if key not in PRECISIONS:
        raise InvalidArgument("precision", f"unknown precision {name!r}", "one of " + ", ".join(PRECISIONS))
    return PRECISIONS[key]


def kv_bytes(name: str) -> float:
    key = name.strip().lower()
    if key not in KV_BYTES:
        raise InvalidArgument("kv_cache_dtype", f"unknown KV-cache dtype {name!r}", "one of " + ", ".join(KV_BYTES))
    return KV_BYTES[key]


def weight_bytes(model: ModelArch, prec: Precision, trace: Trace) -> float:
    """Bytes of all weights at this precision."""
    trace.assume("precision", prec.name, prec.note)
    if prec.group_quantised:
        emb = model.embedding_parameters
        rest = model.parameters - emb
        return trace.step(
            "weights (total)",
            "(parameters - embedding_params) × bits/8 + embedding_params × 2",
            f"({g(model.parameters)} - {g(emb)}) × {prec.bits:.3f}/8 + {g(emb)} × 2",
            rest * prec.bits / 8 + emb * 2,
            "bytes",
        )
    return trace.step(
        "weights (total)",
        "parameters × bits/8",
        f"{g(model.parameters)} × {g(prec.bits)}/8",
        model.parameters * prec.bits / 8,
        "bytes",
    )


def compute_tflops(acc: Accelerator, prec: Precision, trace: Trace) -> tuple[str, float]:
    """The dense peak rate (TFLOPS) this precision runs at on this accelerator."""
    for dtype in prec.compute:
        if dtype in acc.tflops:
            rate = acc.tflops[dtype]
            trace.cite(f"{acc.id} {dtype} peak", acc.source_of("tflops"))
            trace.assume(
                "peak compute",
                f"{g(rate)} TFLOPS ({dtype} dense)",
                f"{acc.name} datasheet; {prec.name} math runs at the {dtype} rate",
            )
            return dtype, rate
    raise InvalidArgument(
        "precision",
        f"{acc.name} lists no rate for {prec.name} math ({', '.join(prec.compute)})",
        "a precision whose math the accelerator supports: " + ", ".join(sorted(acc.tflops)),
    )
