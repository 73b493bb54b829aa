"""What a sentence-transformers model directory says about how to embed: window, pooling, normalisation
and prefixes, read from its own files so every runtime embeds exactly as sentence-transformers would.

- `modules.json` lists the pipeline (Transformer, Pooling, optional Normalize);
- `sentence_bert_config.json` holds `max_seq_length` (the window, in tokens, special tokens included);
- `<pooling dir>/config.json` holds the pooling mode;
- `config_sentence_transformers.json` may hold `prompts` (query and document prefixes).

Some models document prefixes only on their model card (the e5 and bge families): for those the
card's prefixes are used when the config has none. A configured prefix beats both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Pooling = Literal["mean", "cls", "max", "mean_sqrt_len"]

# The model-card prefixes of models whose sentence-transformers config carries no prompts.
# Matched on the model's name (its directory or hub name), lower-cased.
BGE_QUERY = "Represent this sentence for searching relevant passages: "
CARD_PREFIXES: tuple[tuple[str, str, str], ...] = (
    # (name contains, query prefix, passage prefix)
    ("e5-small", "query: ", "passage: "),
    ("e5-base", "query: ", "passage: "),
    ("e5-large", "query: ", "passage: "),
    ("bge-small-en", BGE_QUERY, ""),
    ("bge-base-en", BGE_QUERY, ""),
    ("bge-large-en", BGE_QUERY, ""),
)
QUERY_PROMPT_KEYS = ("query",)
PASSAGE_PROMPT_KEYS = ("document", "passage", "corpus")


class UnsupportedPipeline(Exception):
    """The model's pipeline has a step only sentence-transformers itself can run."""


@dataclass(frozen=True)
class Prefixes:
    query: str = ""
    passage: str = ""


@dataclass(frozen=True)
class Pipeline:
    """How sentence-transformers embeds with this model."""

    max_seq_length: int
    pooling: Pooling
    normalize: bool
    prefixes: Prefixes


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def read_pipeline(directory: Path, *, name: str, query_prefix: str | None, passage_prefix: str | None) -> Pipeline:
    """The pipeline of the model in `directory`; raises UnsupportedPipeline for steps beyond pooling and Normalize."""
    modules = _read_json(directory / "modules.json")
    if not isinstance(modules, list):
        raise UnsupportedPipeline("no modules.json")
    pooling_dir: Path | None = None
    normalize = False
    for index, module in enumerate(modules):
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        if index == 0 and kind == "Transformer":
            continue
        if kind == "Pooling" and pooling_dir is None:
            pooling_dir = directory / str(module.get("path", ""))
        elif kind == "Normalize":
            normalize = True
        else:
            raise UnsupportedPipeline(f"module {index} is {kind or 'unnamed'}")
    if pooling_dir is None:
        raise UnsupportedPipeline("no Pooling module")
    return Pipeline(
        max_seq_length=_max_seq_length(directory),
        pooling=_pooling(_read_json(pooling_dir / "config.json") or {}),
        normalize=normalize,
        prefixes=read_prefixes(directory, name=name, query_prefix=query_prefix, passage_prefix=passage_prefix),
    )


def _max_seq_length(directory: Path) -> int:
    config = _read_json(directory / "sentence_bert_config.json") or {}
    window = config.get("max_seq_length")
    model = _read_json(directory / "config.json") or {}
    positions = int(model.get("max_position_embeddings", 512))
    # sentence-transformers falls back to the tokenizer's model_max_length; BERT's is its positions.
    return min(int(window), positions) if window else positions


def _pooling(config: dict[str, Any]) -> Pooling:
    modes: list[Pooling] = []
    if config.get("pooling_mode_cls_token"):
        modes.append("cls")
    if config.get("pooling_mode_mean_tokens"):
        modes.append("mean")
    if config.get("pooling_mode_max_tokens"):
        modes.append("max")
    if config.get("pooling_mode_mean_sqrt_len_tokens"):
        modes.append("mean_sqrt_len")
    others = [
        key for key, value in config.items() if key.startswith("pooling_mode_") and value and key[13:] not in _MODE_KEYS
    ]
    if len(modes) != 1 or others:
        raise UnsupportedPipeline(f"pooling {modes + others} (one of cls, mean, max, mean_sqrt_len is supported)")
    if config.get("include_prompt", True) is False:
        raise UnsupportedPipeline("pooling that excludes the prompt tokens")
    return modes[0]


_MODE_KEYS = {"cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens"}


def read_prefixes(directory: Path, *, name: str, query_prefix: str | None, passage_prefix: str | None) -> Prefixes:
    """The query and passage prefixes: configured (not None), else the model's prompts, else its card's."""
    prompts = (_read_json(directory / "config_sentence_transformers.json") or {}).get("prompts") or {}
    from_config = Prefixes(
        query=next((str(prompts[k]) for k in QUERY_PROMPT_KEYS if k in prompts), ""),
        passage=next((str(prompts[k]) for k in PASSAGE_PROMPT_KEYS if k in prompts), ""),
    )
    if not prompts:
        lowered = name.lower()
        for needle, card_query, card_passage in CARD_PREFIXES:
            if needle in lowered:
                from_config = Prefixes(card_query, card_passage)
                break
    return Prefixes(
        query=from_config.query if query_prefix is None else query_prefix,
        passage=from_config.passage if passage_prefix is None else passage_prefix,
    )
