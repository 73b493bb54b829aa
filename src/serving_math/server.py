"""The MCP layer: four tools, each parse -> delegate to `service` / `planning` -> format.

Built by `build_server()`; the catalogue (shipped data plus the user's files) is loaded once in the
server's lifespan. Every number a tool returns comes with the assumptions, formulas and sources
behind it, in the text and in the structured result.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from serving_math import formatting, planning, results, service
from serving_math.calc.memory import Knobs
from serving_math.calc.perf import Efficiency
from serving_math.calc.sla import Workload
from serving_math.catalog import Catalog, load_catalog
from serving_math.errors import InvalidArgument, ServingMathError

SERVER_NAME = "serving-math"

INSTRUCTIONS = """\
Arithmetic for serving LLMs and embedding models, so sizing answers rest on numbers, not guesses.
Every result names its assumptions, formulas and sources (vendor datasheets, model config.json).
- check_sla: can this hardware meet this workload (requests/s, TTFT, optional TPOT)? Says feasible or
  not, which constraint binds (memory, ttft, tpot, throughput) and the smallest configuration that
  would meet it. Start here for "does X fit / can Y serve Z" questions.
- memory_fit: weights, KV cache per token, overhead and max concurrent sequences per device under
  tensor / pipeline parallelism.
- estimate_performance: prefill (TTFT), decode (TPOT), tokens/s and requests/s bounds for one layout.
- list_catalog: the accelerators, models and precisions known (ids to pass to the other tools).
Unknown names are errors that list the known ones; pass the closest id, or add yours to the user
catalogue directory that list_catalog prints."""

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)

T = TypeVar("T")

Model = Annotated[
    str,
    Field(
        description="Model id or name from list_catalog, e.g. 'llama-3-70b', 'Llama-3.1 8B', 'mixtral-8x7b', "
        "'deepseek-v3', 'all-minilm-l6-v2'."
    ),
]
AcceleratorName = Annotated[
    str,
    Field(
        description="Accelerator id or name from list_catalog, e.g. 'a100-80gb-sxm' ('A100 80GB'), 'h100-sxm', "
        "'h200', 'l4', 'mi300x', 'gaudi3', 'raspberry-pi-5-4gb'."
    ),
]
PrecisionName = Annotated[
    str,
    Field(description="Weight precision: fp16, bf16, fp8, int8, int4, awq, gptq (or fp32). Default fp16."),
]
TensorParallel = Annotated[int, Field(description="Tensor-parallel degree (devices sharing each layer). Default 1.")]
PipelineParallel = Annotated[int, Field(description="Pipeline-parallel stages (layers split across). Default 1.")]
KvDtype = Annotated[str, Field(description="KV-cache dtype: fp16 (default), bf16, fp8 or fp32.")]
MemUtil = Annotated[
    float, Field(description="Fraction of device memory the engine may use (vLLM --gpu-memory-utilization, 0.9).")
]
MaxSeqs = Annotated[int, Field(description="Most sequences decoded at once per replica (vLLM --max-num-seqs, 256).")]
Prompt = Annotated[
    int,
    Field(description="Prompt tokens per request. Default 230 (ShareGPT mean in vLLM's serving benchmark)."),
]
Output = Annotated[
    int,
    Field(description="Output tokens per request. Default 203 (ShareGPT mean in vLLM's serving benchmark)."),
]
ComputeEff = Annotated[
    float,
    Field(description="Share of dense peak FLOPS reached (MFU), 0-1. Default 0.5 (TensorRT-LLM H100 runs ~0.46)."),
]
BandwidthEff = Annotated[float, Field(description="Share of peak memory bandwidth decode reaches, 0-1. Default 0.8.")]


class MathServer(MCPServer):
    """An MCPServer whose argument-validation errors read as sentences, not pydantic dumps."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if not isinstance(exc.__cause__, ValidationError):
                raise
            raise ToolError(_explain(exc.__cause__, self._tool_input_schema(name) or {})) from exc.__cause__


def _explain(exc: ValidationError, schema: dict[str, Any]) -> str:
    """'gpu_count: Input should be a valid integer (got 'eight'); accepted: integer. How many ...'"""
    props = schema.get("properties", {})
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "arguments"
        got = "" if err["type"] == "missing" else f" (got {err.get('input')!r})"
        prop = props.get(str(err["loc"][0]) if err["loc"] else "", {})
        kinds = [prop["type"]] if "type" in prop else [a.get("type") for a in prop.get("anyOf", []) if a.get("type")]
        accepted = " or ".join(k for k in kinds if k != "null") or "see the tool's input schema"
        described = f". {prop['description']}" if prop.get("description") else ""
        parts.append(f"{field}: {err['msg']}{got}; accepted: {accepted}{described}")
    return " ".join(parts)


@dataclass
class AppState:
    catalog: Catalog


def _catalog(ctx: Context[Any, Any]) -> Catalog:
    state: AppState = ctx.request_context.lifespan_context
    return state.catalog


def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run the arithmetic; its errors become tool errors the model reads (argument + accepted values)."""
    try:
        return fn(*args, **kwargs)
    except ServingMathError as exc:
        raise ToolError(str(exc)) from exc


def _result(text: str, data: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=data.model_dump(mode="json")
    )


def _knobs(kv_cache_dtype: str, gpu_memory_utilization: float, max_num_seqs: int) -> Knobs:
    if max_num_seqs < 1:
        raise ToolError(str(InvalidArgument("max_num_seqs", f"got {max_num_seqs}", "an integer >= 1, e.g. 256")))
    return Knobs(
        gpu_memory_utilization=gpu_memory_utilization, max_num_seqs=max_num_seqs, kv_cache_dtype=kv_cache_dtype
    )


def build_server(catalog: Catalog | None = None, user_dir: Path | None = None) -> MCPServer:
    """Create the MCP server. `catalog` lets tests inject one; otherwise it is loaded at start-up
    from the shipped data and `user_dir`."""

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[AppState]:
        yield AppState(catalog=catalog if catalog is not None else load_catalog(user_dir))

    server = MathServer(SERVER_NAME, instructions=INSTRUCTIONS, version=_version(), lifespan=lifespan)

    @server.tool(annotations=READ_ONLY, title="Check a serving SLA against hardware")
    def check_sla(
        ctx: Context,
        model: Model,
        accelerator: AcceleratorName,
        gpu_count: Annotated[int, Field(description="How many of the accelerator you have in total, e.g. 8.")],
        ttft_ms: Annotated[float, Field(description="Time-to-first-token target in milliseconds, e.g. 500.")],
        requests_per_second: Annotated[
            float | None, Field(description="Arrival rate. Give this or requests_per_minute (1000/min = 16.67/s).")
        ] = None,
        requests_per_minute: Annotated[float | None, Field(description="Arrival rate per minute, e.g. 1000.")] = None,
        tpot_ms: Annotated[
            float | None, Field(description="Optional time-per-output-token target in ms (e.g. 50 = 20 tok/s).")
        ] = None,
        prompt_tokens: Prompt = 230,
        output_tokens: Output = 203,
        precision: PrecisionName = "fp16",
        max_utilization: Annotated[
            float, Field(description="Burst headroom: size replicas to be at most this busy (0-1). Default 0.8.")
        ] = 0.8,
        compute_efficiency: ComputeEff = 0.5,
        bandwidth_efficiency: BandwidthEff = 0.8,
        kv_cache_dtype: KvDtype = "fp16",
        gpu_memory_utilization: MemUtil = 0.9,
        max_num_seqs: MaxSeqs = 256,
    ) -> Annotated[CallToolResult, results.SlaResult]:
        """Decide whether a model can meet a latency/throughput SLA on the given hardware, and why.

        Returns feasible (true/false), the binding constraint (memory: the weights do not fit;
        ttft: prefill is too slow even at zero load, or queueing pushes it over; tpot; throughput:
        the replicas saturate), the best tensor x pipeline x replica layout on your devices, the
        smallest configuration of this accelerator that meets the SLA with burst headroom, and (when
        infeasible) the smallest configurations on other accelerators. Example: "Llama-3 70B FP16 on
        8x A100 80GB at 1,000 requests/min with a 500 ms TTFT" -> model='llama-3-70b',
        accelerator='a100-80gb-sxm', gpu_count=8, requests_per_minute=1000, ttft_ms=500. State the
        prompt/output lengths when you know them: throughput scales with them.
        """
        if (requests_per_second is None) == (requests_per_minute is None):
            raise ToolError(
                "requests_per_second / requests_per_minute: give exactly one; accepted: a rate > 0, "
                "e.g. requests_per_minute=1000 (= 16.67 requests per second)."
            )
        rate = requests_per_second if requests_per_second is not None else (requests_per_minute or 0) / 60
        wl = Workload(
            requests_per_s=rate,
            prompt_tokens=prompt_tokens,
            output_tokens=output_tokens,
            ttft_s=ttft_ms / 1000,
            tpot_s=None if tpot_ms is None else tpot_ms / 1000,
            max_utilization=max_utilization,
        )
        result = _call(
            planning.sla_report,
            _catalog(ctx),
            model,
            accelerator,
            gpu_count,
            wl,
            precision,
            knobs=_knobs(kv_cache_dtype, gpu_memory_utilization, max_num_seqs),
            eff=Efficiency(compute=compute_efficiency, bandwidth=bandwidth_efficiency),
        )
        return _result(formatting.sla_text(result), result)

    @server.tool(annotations=READ_ONLY, title="Memory fit of a model on accelerators")
    def memory_fit(
        ctx: Context,
        model: Model,
        accelerator: AcceleratorName,
        precision: PrecisionName = "fp16",
        tensor_parallel: TensorParallel = 1,
        pipeline_parallel: PipelineParallel = 1,
        context_tokens: Annotated[
            int | None,
            Field(
                description="Tokens per sequence (prompt + output) to size the KV cache for. Default min(max, 8192)."
            ),
        ] = None,
        kv_cache_dtype: KvDtype = "fp16",
        gpu_memory_utilization: MemUtil = 0.9,
        max_num_seqs: MaxSeqs = 256,
    ) -> Annotated[CallToolResult, results.MemoryFitResult]:
        """Does the model fit, and how many sequences does the KV cache hold? Per device: weights at
        the precision (FP16/BF16 2 bytes per parameter, FP8/INT8 1, INT4 0.5, AWQ/GPTQ ~0.52 plus FP16
        embeddings), KV cache per token (2 x layers x KV heads x head dim x dtype bytes; MLA latent
        for DeepSeek), activations and framework overhead, under tensor and pipeline parallelism.
        Example: model='llama-3-70b', accelerator='a100-80gb-sxm', tensor_parallel=8,
        context_tokens=4096 -> 17.6 GB weights per GPU, 320 KiB KV cache per token.
        """
        result = _call(
            service.memory_fit_report,
            _catalog(ctx),
            model,
            accelerator,
            precision,
            tensor_parallel,
            pipeline_parallel,
            context_tokens,
            _knobs(kv_cache_dtype, gpu_memory_utilization, max_num_seqs),
        )
        return _result(formatting.fit_text(result), result)

    @server.tool(annotations=READ_ONLY, title="Latency and throughput bounds")
    def estimate_performance(
        ctx: Context,
        model: Model,
        accelerator: AcceleratorName,
        precision: PrecisionName = "fp16",
        tensor_parallel: TensorParallel = 1,
        pipeline_parallel: PipelineParallel = 1,
        prompt_tokens: Prompt = 230,
        output_tokens: Output = 203,
        batch_size: Annotated[
            int | None, Field(description="Sequences decoded together. Default: the most that fit (≤ max_num_seqs).")
        ] = None,
        requests_per_second: Annotated[
            float | None, Field(description="Optional arrival rate, for the Little's-law concurrency.")
        ] = None,
        compute_efficiency: ComputeEff = 0.5,
        bandwidth_efficiency: BandwidthEff = 0.8,
        kv_cache_dtype: KvDtype = "fp16",
        gpu_memory_utilization: MemUtil = 0.9,
        max_num_seqs: MaxSeqs = 256,
    ) -> Annotated[CallToolResult, results.PerformanceResult]:
        """Latency and throughput of one layout, as an expected value (stated efficiencies) and an
        ideal bound (100% of every datasheet peak; no real system exceeds it). Prefill is
        compute-bound: FLOPs / (TP x TFLOPS x efficiency); decode is bandwidth-bound: bytes read per
        step / HBM bandwidth (or compute-bound at large batch); tensor-parallel all-reduces over
        NVLink/PCIe are added; tokens/s per GPU and requests/s follow for the prompt/output lengths.
        Example: model='llama-3.1-8b', accelerator='h100-sxm', precision='fp8', prompt_tokens=128,
        output_tokens=128.
        """
        result = _call(
            service.performance_report,
            _catalog(ctx),
            model,
            accelerator,
            precision,
            tensor_parallel,
            pipeline_parallel,
            prompt_tokens,
            output_tokens,
            batch_size,
            requests_per_second,
            _knobs(kv_cache_dtype, gpu_memory_utilization, max_num_seqs),
            Efficiency(compute=compute_efficiency, bandwidth=bandwidth_efficiency),
        )
        return _result(formatting.performance_text(result), result)

    @server.tool(annotations=READ_ONLY, title="List known accelerators and models")
    def list_catalog(ctx: Context) -> Annotated[CallToolResult, results.CatalogResult]:
        """The accelerators (memory, bandwidth, TFLOPS, links), model architectures (parameters, layers,
        KV heads, MoE active parameters) and precisions the other tools accept, each with its source,
        and the directory where your own additions (*.toml / *.json) are read from."""
        result = _call(service.catalog_report, _catalog(ctx))
        return _result(formatting.catalog_text(result), result)

    return server


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("journal-agent-pack")
    except PackageNotFoundError:
        return "0"
