"""The structured results the tools return (their output schemas)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from serving_math.calc.trace import Assumption, Formula


class Workings(BaseModel):
    assumptions: list[Assumption] = Field(description="Every value the answer rests on that you did not give.")
    formulas: list[Formula] = Field(description="Each step of the arithmetic, with the numbers put in.")
    sources: dict[str, str] = Field(description="Where each hardware and model figure comes from.")


class MemoryFitResult(Workings):
    model: str
    accelerator: str
    precision: str
    tensor_parallel: int
    pipeline_parallel: int
    devices: int
    context_tokens: int
    fits: bool
    verdict: str
    weights_total_gb: float
    weights_per_device_gb: float
    kv_cache_per_token_kib: float
    kv_cache_per_token_per_device_kib: float
    activations_per_device_gb: float
    overhead_per_device_gb: float
    usable_memory_per_device_gb: float
    kv_budget_per_device_gb: float
    max_concurrent_sequences: int
    max_kv_tokens: int
    smallest_tensor_parallel_that_fits: int | None


class Bounds(BaseModel):
    ttft_ms: float = Field(description="Prefill time of one prompt at zero load (compute-bound).")
    tpot_ms: float = Field(description="Time per output token at the batch size (bandwidth- or compute-bound).")
    decode_bound: str
    single_stream_tokens_per_s: float
    output_tokens_per_s_per_replica: float
    output_tokens_per_s_per_gpu: float
    requests_per_s_per_replica: float
    request_latency_s: float


class PerformanceResult(Workings):
    model: str
    accelerator: str
    precision: str
    tensor_parallel: int
    pipeline_parallel: int
    prompt_tokens: int
    output_tokens: int
    batch_size: int
    batch_limited_by: str
    expected: Bounds = Field(description="At the stated efficiencies: what a well-tuned engine should reach.")
    ideal: Bounds = Field(description="At 100% of every datasheet peak: no real system exceeds these.")
    prefill_tp_communication_ms: float
    decode_tp_communication_ms: float
    concurrency_littles_law: float | None = Field(
        default=None, description="Requests in flight at requests_per_second (L = λ × W)."
    )


class Check(BaseModel):
    name: str
    value: float
    limit: float
    unit: str
    ok: bool


class Configuration(BaseModel):
    accelerator: str
    tensor_parallel: int
    pipeline_parallel: int
    replicas: int
    gpus: int
    utilization: float
    ttft_ms: float
    tpot_ms: float
    max_batch_per_replica: int
    batch_limited_by: str
    replica_requests_per_s: float


class SlaResult(Workings):
    feasible: bool
    verdict: str
    binding_constraint: str = Field(
        description="memory, ttft, tpot or utilization: the constraint that fails, or the tightest one that holds."
    )
    model: str
    accelerator: str
    gpu_count: int
    precision: str
    requests_per_second: float
    prompt_tokens: int
    output_tokens: int
    ttft_ms: float
    tpot_ms: float | None
    checks: list[Check]
    configuration: Configuration | None = Field(description="The best layout on the given hardware.")
    smallest_configuration: Configuration | None = Field(
        description="The fewest devices of this accelerator that meet the SLA (null: no count can)."
    )
    alternatives: list[Configuration] = Field(
        default_factory=list, description="When infeasible: the smallest configuration on other accelerators."
    )


class CatalogEntry(BaseModel):
    id: str
    name: str
    summary: str
    source: str
    origin: str


class CatalogResult(BaseModel):
    accelerators: list[CatalogEntry]
    models: list[CatalogEntry]
    precisions: list[str]
    user_catalog_dir: str
    user_files: list[str]
