"""Typed catalogue entries. Every entry carries its public `source`; `field_sources` overrides it
for single fields whose figure comes from elsewhere."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, model_validator

DataType = Literal["fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4", "fp4"]


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str
    aliases: tuple[str, ...] = ()
    source: str = Field(min_length=8, description="Where the figures come from (datasheet, config.json, paper).")
    field_sources: dict[str, str] = Field(default_factory=dict)
    origin: str = "shipped"  # "shipped" or the user file it came from; set by the loader

    def source_of(self, field: str) -> str:
        return self.field_sources.get(field, self.source)


class Accelerator(Entry):
    kind: Literal["gpu", "accelerator", "cpu"]
    memory_gb: PositiveFloat
    memory_bandwidth_gbs: PositiveFloat
    tflops: dict[DataType, PositiveFloat] = Field(min_length=1)
    scale_up: str = "none"
    scale_up_gbs: float = Field(default=0, ge=0)
    pcie_gbs: PositiveFloat = 32
    max_per_node: PositiveInt = 8
    scale_out_gbps: PositiveFloat = 100

    @model_validator(mode="after")
    def _has_a_half_precision_rate(self) -> Accelerator:
        if not {"fp16", "bf16", "fp32"} & set(self.tflops):
            raise ValueError("tflops needs at least one of fp16, bf16 or fp32")
        return self


class ModelArch(Entry):
    kind: Literal["decoder", "embedding"] = "decoder"
    parameters: PositiveInt
    active_parameters: PositiveInt | None = None
    layers: PositiveInt
    hidden_size: PositiveInt
    attention_heads: PositiveInt
    kv_heads: PositiveInt
    head_dim: PositiveInt
    intermediate_size: PositiveInt
    vocab_size: PositiveInt
    tied_embeddings: bool = False
    attention_bias: bool = False
    max_context: PositiveInt
    attention: Literal["gqa", "mla"] = "gqa"
    kv_lora_rank: PositiveInt | None = None
    qk_rope_head_dim: PositiveInt | None = None
    experts: PositiveInt | None = None
    experts_per_token: PositiveInt | None = None
    shared_experts: int = Field(default=0, ge=0)
    expert_intermediate_size: PositiveInt | None = None
    moe_layers: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> ModelArch:
        if self.kv_heads > self.attention_heads:
            raise ValueError("kv_heads cannot exceed attention_heads")
        if self.attention == "mla" and not (self.kv_lora_rank and self.qk_rope_head_dim):
            raise ValueError("attention = 'mla' needs kv_lora_rank and qk_rope_head_dim")
        moe = (self.experts, self.experts_per_token, self.expert_intermediate_size)
        if any(moe) and not all(moe):
            raise ValueError("a mixture of experts needs experts, experts_per_token and expert_intermediate_size")
        if self.experts and self.experts_per_token and self.experts_per_token > self.experts:
            raise ValueError("experts_per_token cannot exceed experts")
        if self.moe_layers > self.layers:
            raise ValueError("moe_layers cannot exceed layers")
        if self.active_parameters and self.active_parameters > self.parameters:
            raise ValueError("active_parameters cannot exceed parameters")
        return self

    @property
    def is_moe(self) -> bool:
        return bool(self.experts)

    @property
    def active(self) -> int:
        """Parameters that take part in one token's forward pass (all of them for a dense model)."""
        return self.active_parameters or self.parameters

    @property
    def embedding_parameters(self) -> int:
        """Input embedding plus LM head (one matrix when tied)."""
        return self.vocab_size * self.hidden_size * (1 if self.tied_embeddings else 2)
