"""bench/bench_locomo.py: clear failure without the data, and a small real run through the server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bench.locomo_data import DataMissingError, find_data, load, normalise_evidence

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench" / "bench_locomo.py"


def test_loose_evidence_ids_are_normalised_and_unknown_turns_dropped() -> None:
    known = {"D8:6", "D9:17", "D11:26", "D30:5"}
    assert normalise_evidence(["D8:6; D9:17", "D:11:26", "D30:05", "D", "D99:1"], known) == frozenset(known)


def test_the_bench_exits_with_a_message_naming_the_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "locomo-dev.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--data", str(missing)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert str(missing) in result.stderr and "not found" in result.stderr
    with pytest.raises(DataMissingError, match="--data PATH or set LOCOMO_DATA"):
        find_data(None, tmp_path / "repo")


@pytest.mark.real_model
@pytest.mark.subprocess
def test_a_small_run_through_the_server_reports_recall_for_every_group(tmp_path: Path) -> None:
    try:
        data = find_data(None, REPO)
    except DataMissingError as exc:
        pytest.skip(str(exc))
    assert len(load(data)) == 5
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--conversations", "1", "--max-turns", "60", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "DRAGON" in result.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    for method in ("server", "cosine", "bm25"):
        overall = results[method]["overall"]
        assert overall["n"] > 5
        assert 0.0 <= overall["R@10"] <= 1.0
    server = results["server"]["overall"]
    assert server["R@5"] <= server["R@10"] <= server["R@25"]
    assert server["R@10"] > 0.3  # far above chance (10 of 60 turns) on questions about these turns
    stats = results["stats"]
    assert stats["entries_written"] == 60
    assert stats["negative_scores"] == 0
    assert stats["search_p50_ms"] > 0
