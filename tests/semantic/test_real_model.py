"""Semantic search with the real all-MiniLM-L6-v2 (loaded once per session), and its failure modes."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from journal_mcp.core.config import Runtime, Settings
from journal_mcp.core.models import NewEntry
from journal_mcp.search.embeddings import load_embedder, packaged_model_path
from journal_mcp.search.indexing import model_id_for
from journal_mcp.search.onnx_embedder import OnnxEmbedder
from journal_mcp.service.journal import Journal
from journal_mcp.service.semantic import SemanticSearch, create_semantic
from tests.journal.helpers import ok

pytestmark = pytest.mark.real_model

TARGET = "Training crashed: the graphics card exhausted its VRAM after doubling batch size."
QUERY = "times I was stuck on GPU memory"
UNRELATED = [
    "Made a tomato and basil pasta sauce; simmering it longer helped the flavour.",
    "The user prefers tabs over spaces and short commit messages.",
    "Planted tulip bulbs in the garden before the first frost.",
    "git rebase -i lets you squash fixup commits before opening a pull request.",
    "Read a chapter about the history of the Roman empire.",
    "The meeting about the quarterly budget ran long.",
    "Postgres vacuum settings matter for tables with heavy updates.",
    "Learned that cats sleep up to sixteen hours a day.",
    "The README needs a section on installing from source.",
    "Went for a run along the river; the weather was lovely.",
    "Use pathlib instead of os.path for clearer file handling code.",
    "The user wants error messages to say how to fix the problem.",
    "Bought new running shoes with better arch support.",
    "Regular expressions with lookahead can match overlapping patterns.",
    "The project's CI takes twelve minutes; caching pip would cut it.",
    "Wrote a birthday card for my sister.",
    "Docker layer caching depends on the order of COPY instructions.",
    "The espresso machine needs descaling every month.",
    "HTTP 429 means the client is rate limited; back off and retry.",
    "Reorganised the bookshelf by colour instead of author.",
    "Type hints make refactoring large Python modules much safer.",
    "The cafe on the corner closes early on Sundays.",
    "Timezone bugs: store UTC, convert to local time only for display.",
    "Learned to bake sourdough; the starter needs daily feeding.",
    "Kubernetes liveness probes restart pods that hang.",
    "The user likes answers that start with the conclusion.",
    "A long walk in the forest cleared my head.",
    "JSON schema validation caught a missing field in the config.",
    "Painted the fence white over the weekend.",
    "Flaky tests often come from shared state between test cases.",
]


def start_service(settings: Settings, embedder: Any) -> tuple[Journal, SemanticSearch]:
    service = SemanticSearch(lambda: embedder, recheck_seconds=0.5)
    journal = Journal(settings, semantic=service)
    service.start(journal)
    assert service.wait_ready(60)
    return journal, service


def test_a_paraphrase_with_no_shared_word_is_found_first(settings: Settings, real_embedder: Any) -> None:
    words = lambda text: set(re.findall(r"\w+", text.lower()))  # noqa: E731
    assert not words(TARGET) & words(QUERY), "the test needs a query sharing no word with its entry"
    journal, service = start_service(settings, real_embedder)
    for text in UNRELATED[:15]:
        journal.write({"observations": text})
    target = journal.write({"technical_insights": TARGET}).entries[0].path
    for text in UNRELATED[15:]:
        journal.write({"observations": text})
    assert service.wait_idle(60)
    result = journal.search(QUERY)
    assert result.mode == "hybrid"
    assert result.hits[0].path == target
    assert result.hits[0].matched == ["semantic"]
    assert result.hits[0].score is not None and result.hits[0].score > 0.2
    service.stop()
    journal.close()


def test_a_selective_date_filter_still_returns_ten_hits_among_4000(settings: Settings, real_embedder: Any) -> None:
    """20 of 4,000 entries pass the filter; the other 3,980 are closer to the query (KNN-then-filter returns 0)."""
    close = [
        "GPU ran out of memory during training; lowered the batch size.",
        "CUDA OOM again: the model does not fit in 24 GB of VRAM.",
        "Memory fragmentation on the GPU; set PYTORCH_CUDA_ALLOC_CONF.",
        "vLLM KV cache took all GPU memory; reduced gpu-memory-utilization.",
    ]
    window = [
        f"Profiling kernel launch overhead on the accelerator, run {i}: many small CUDA kernels." for i in range(20)
    ]
    texts = close + window
    vectors = real_embedder.embed(texts)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    journal = Journal(settings)
    journal.write({"observations": "create the journal"})
    store = journal.store("user")
    assert store is not None
    entries: list[NewEntry] = []
    payload: dict[str, list[tuple[str, int, int, int, bytes]]] = {}
    for i in range(4000):
        in_window = 2000 <= i < 2020
        text_index = len(close) + (i - 2000) if in_window else i % len(close)
        entry = NewEntry(
            id=f"user/{(base + timedelta(hours=i)):%Y%m%d-%H%M%S-%f}-{i:06x}",
            journal="user",
            created_at=base + timedelta(hours=i),
            sections={"technical_insights": texts[text_index]},
            content_hash=f"h{i}",
        )
        entries.append(entry)
        payload[entry.id] = [("technical_insights", 0, 0, len(texts[text_index]), vectors[text_index].tobytes())]
    store.add_entries(entries)
    model_id = model_id_for(store, real_embedder.identity)
    assert model_id is not None
    store.save_embeddings(model_id, payload)
    journal.close()

    journal, service = start_service(settings, real_embedder)
    since = (base + timedelta(hours=2000)).isoformat()
    until = (base + timedelta(hours=2019, minutes=30)).isoformat()
    result = journal.search("GPU memory problems", since=since, until=until)
    assert result.mode == "hybrid"
    assert len(result.hits) == 10
    assert all("kernel launch" in h.excerpt for h in result.hits)
    unfiltered = journal.search("GPU memory problems")
    assert not any("kernel launch" in h.excerpt for h in unfiltered.hits)
    service.stop()
    journal.close()


def perturbed_model(tmp_path: Path) -> Path:
    """A copy of the packaged model with slightly different weights: same name and size, new fingerprint."""
    from safetensors.numpy import load_file, save_file

    source = packaged_model_path()
    assert source is not None
    copy = tmp_path / "model-v2"
    shutil.copytree(source, copy)
    tensors = load_file(str(copy / "model.safetensors"))
    name = next(k for k in tensors if k.endswith("word_embeddings.weight"))
    tensors[name] = tensors[name] * 1.05 + 0.01
    save_file(tensors, str(copy / "model.safetensors"), metadata={"format": "pt"})
    return copy


def runtime_of(embedder: Any) -> Runtime:
    return "onnx" if isinstance(embedder, OnnxEmbedder) else "sentence-transformers"


def test_a_changed_model_triggers_a_re_embed_and_old_vectors_are_not_used(
    settings: Settings, real_embedder: Any, tmp_path: Path, model_cache: Path
) -> None:
    journal, service = start_service(settings, real_embedder)
    for text in UNRELATED[:10]:
        journal.write({"observations": text})
    service.stop()
    journal.close()

    changed = load_embedder(str(perturbed_model(tmp_path)), runtime=runtime_of(real_embedder), cache_dir=model_cache)
    assert changed.identity.fingerprint != real_embedder.identity.fingerprint
    journal, service = start_service(settings, changed)
    assert service.wait_idle(60)
    store = journal.store("user")
    assert store is not None
    new_id = model_id_for(store, changed.identity)
    old_id = model_id_for(store, real_embedder.identity)
    assert new_id != old_id and new_id is not None
    assert store.count_missing_embeddings(new_id) == 0
    index = service.index_for(store)
    assert index is not None and index.model_id == new_id and index.size == 10
    hit = journal.search("cooking dinner").hits[0]
    assert "pasta sauce" in hit.excerpt
    new_cosine = float(changed.embed(["cooking dinner"])[0] @ changed.embed([UNRELATED[0]])[0])
    old_cosine = float(real_embedder.embed(["cooking dinner"])[0] @ real_embedder.embed([UNRELATED[0]])[0])
    assert abs(new_cosine - old_cosine) > 2e-3, "the perturbed model must score differently for this test to mean much"
    assert hit.similarity == pytest.approx(new_cosine, abs=1e-3)
    service.stop()
    journal.close()


@pytest.mark.parametrize("breakage", ["bad path", "corrupt weights"])
def test_a_model_that_fails_to_load_is_reported_and_keyword_search_keeps_working(
    journal_env: dict[str, str], tmp_path: Path, journal_log: list[str], breakage: str
) -> None:
    if breakage == "bad path":
        model = str(tmp_path / "no-such-model")
        os.makedirs(model)  # a directory, but not a model
        expected = "does not look like a sentence-transformers model"
    else:
        source = packaged_model_path()
        assert source is not None
        model = str(tmp_path / "corrupt")
        shutil.copytree(source, model)
        weights = Path(model) / "model.safetensors"
        data = weights.read_bytes()
        weights.write_bytes(data[:4096] + b"\x00garbage" * 100)
        expected = "Cannot load the embedding model"
    settings = Settings.from_env({**journal_env, "JOURNAL_MCP_SEMANTIC": "1", "JOURNAL_MCP_MODEL": model})
    service = create_semantic(settings)
    assert service is not None
    journal = Journal(settings, semantic=service)
    service.start(journal)
    assert service.wait_ready(120) is False
    assert "Semantic search unavailable" in "\n".join(journal_log) and expected in "\n".join(journal_log)
    written = [journal.write({"observations": f"still writing {i} while semantic search is down"}) for i in range(3)]
    result = journal.search("still writing")
    assert result.mode == "keyword" and len(result.hits) == 3
    assert result.notice is not None and result.notice.startswith("semantic search unavailable: ")
    assert expected in result.notice and result.notice.endswith("; keyword results only")
    assert {h.path for h in result.hits} == {w.entries[0].path for w in written}
    service.stop()
    journal.close()


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from journal_mcp.core.config import Settings
    from journal_mcp.service.journal import Journal
    from journal_mcp.service.semantic import create_semantic
    settings = Settings.from_env({"HOME": sys.argv[1], "CLAUDE_PROJECT_DIR": sys.argv[2], "JOURNAL_MCP_SEMANTIC": "1"})
    service = create_semantic(settings)
    journal = Journal(settings, semantic=service)
    service.start(journal)  # the model starts loading; the writes below do not wait for it
    for i in range(8):
        journal.write({"technical_insights": f"acknowledged entry {i}: the graphics card exhausted its VRAM"})
    print("acknowledged", flush=True)
    time.sleep(120)
""")


@pytest.mark.subprocess
def test_entries_left_pending_by_a_killed_writer_are_embedded_at_the_next_start(
    journal_env: dict[str, str], settings: Settings, real_embedder: Any
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, journal_env["HOME"], journal_env["CLAUDE_PROJECT_DIR"]],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "acknowledged"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    journal, service = start_service(settings, real_embedder)
    store = journal.store("user")
    assert store is not None and store.count_entries() == 8
    assert service.wait_idle(60)
    model_id = model_id_for(store, real_embedder.identity)
    assert model_id is not None and store.count_missing_embeddings(model_id) == 0
    hits = journal.search(QUERY, limit=20).hits
    assert len(hits) == 8 and all("semantic" in h.matched for h in hits)
    service.stop()
    journal.close()


@pytest.mark.subprocess
@pytest.mark.anyio
@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare to cut the network")
async def test_stdio_server_without_network_loads_the_model_and_searches_by_meaning(
    journal_env: dict[str, str],
) -> None:
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("unshare -rn is not permitted here")
    env = {**journal_env, "JOURNAL_MCP_SEMANTIC": "1"}
    params = StdioServerParameters(
        command="unshare",
        args=["-rn", sys.executable, "-m", "journal_mcp"],
        env=env,
        cwd=env["CLAUDE_PROJECT_DIR"],
    )
    with anyio.fail_after(180):
        async with Client(params, read_timeout_seconds=120) as client:
            target = ok(await client.call_tool("process_thoughts", {"technical_insights": TARGET}))["entries"][0]
            ok(await client.call_tool("process_thoughts", {"observations": UNRELATED[0]}))
            first = ok(await client.call_tool("search_journal", {"query": "graphics card VRAM"}))
            assert first["mode"] == "keyword"
            assert first["notice"] == (
                "semantic search unavailable: the embedding model is still loading; keyword results only"
            )
            assert first["hits"][0]["path"] == target["path"]
            while True:
                found = ok(await client.call_tool("search_journal", {"query": QUERY}))
                if found["mode"] == "hybrid":
                    break
                assert found["notice"].endswith("still loading; keyword results only"), found["notice"]
                await anyio.sleep(0.5)
            # Written before the model was ready, embedded since: found by meaning alone.
            with anyio.fail_after(60):
                while not found["hits"] or found["hits"][0]["path"] != target["path"]:
                    await anyio.sleep(0.5)
                    found = ok(await client.call_tool("search_journal", {"query": QUERY}))
            assert found["hits"][0]["matched"] == ["semantic"]


@pytest.mark.subprocess
def test_reindex_command_re_embeds_the_journal_offline(
    journal_env: dict[str, str], settings: Settings, real_embedder: Any
) -> None:
    journal = Journal(settings)
    for text in UNRELATED[:5]:
        journal.write({"observations": text, "project_notes": text})
    journal.close()
    proc = subprocess.run(
        ["unshare", "-rn", sys.executable, "-m", "journal_mcp", "reindex"]
        if shutil.which("unshare")
        else [sys.executable, "-m", "journal_mcp", "reindex"],
        env=journal_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "re-embedded 10 entries" in (proc.stdout + proc.stderr).lower()
    from journal_mcp.service.reindex import status

    journal = Journal(settings)
    report = status(journal, real_embedder.identity)
    assert [(s.entries, s.pending) for s in report.stores] == [(5, 0), (5, 0)]
    journal.close()


@pytest.mark.parametrize("runtime", ["onnx", "sentence-transformers"])
def test_loading_the_model_writes_no_progress_bars_to_a_servers_log(model_cache: Path, runtime: str) -> None:
    """A stdio server's stderr is the client's log (Claude Code keeps it): no tqdm bars there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_HUB_")}
    env["JOURNAL_MCP_CACHE_DIR"] = str(model_cache)
    code = f"from journal_mcp.search.embeddings import load_embedder; load_embedder(None, runtime={runtime!r})"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "it/s" not in proc.stderr and "Loading weights" not in proc.stderr, proc.stderr[-500:]
