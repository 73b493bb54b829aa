"""The semantic search service with the fake embedder: backfill, embed-on-write, notices, model changes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import ModelUnavailableError
from journal_mcp.search.indexing import model_id_for
from journal_mcp.search.ranking import MAX_SCORE
from journal_mcp.service.journal import Journal
from journal_mcp.service.reindex import reindex, status
from journal_mcp.service.semantic import SemanticSearch
from journal_mcp.store.storage import JournalStore
from tests.semantic.fakes import HashEmbedder


def user_store(journal: Journal) -> JournalStore:
    store = journal.store("user")
    assert store is not None
    return store


def missing(journal: Journal, embedder: HashEmbedder) -> int:
    store = user_store(journal)
    model_id = model_id_for(store, embedder.identity)
    assert model_id is not None
    return store.count_missing_embeddings(model_id)


def test_search_finds_by_meaning_and_reports_signals(semantic_journal: Journal) -> None:
    semantic_journal.write({"technical_insights": "gpu memory ran out while loading the model weights"})
    semantic_journal.write({"observations": "the user likes short commit messages"})
    result = semantic_journal.search("model weights memory")
    assert result.mode == "hybrid" and result.notice is None
    top = result.hits[0]
    assert "gpu memory" in top.excerpt
    assert top.matched == ["semantic", "keyword"]
    assert top.score is not None and 0.3 < top.score <= MAX_SCORE
    assert top.similarity is not None and top.similarity <= top.score


def test_semantic_only_hit_without_shared_keywords_for_fts(semantic_journal: Journal, fake: HashEmbedder) -> None:
    # FTS5 stems with porter; the fake embedder does not, so 'loading' vs 'load' match only one way.
    semantic_journal.write({"observations": "zzz qqq"})
    result = semantic_journal.search("qqq zzz")
    assert result.hits[0].matched == ["semantic", "keyword"]


def test_entries_written_before_the_model_is_ready_are_embedded_once_it_is(settings: Settings) -> None:
    gate = threading.Event()
    fake = HashEmbedder()

    def slow_load() -> HashEmbedder:
        gate.wait(10)
        return fake

    service = SemanticSearch(slow_load, recheck_seconds=0.2)
    journal = Journal(settings, semantic=service)
    service.start(journal)
    for i in range(40):
        journal.write({"observations": f"entry number {i} about vllm batching"})
    early = journal.search("vllm batching")
    assert early.mode == "keyword"
    assert early.notice == "semantic search unavailable: the embedding model is still loading; keyword results only"
    assert len(early.hits) == 10
    assert missing(journal, fake) == 40
    gate.set()
    assert service.wait_ready(10) and service.wait_idle(10)
    assert missing(journal, fake) == 0
    later = journal.search("vllm batching")
    assert later.mode == "hybrid" and later.hits[0].score is not None
    service.stop()
    journal.close()


def test_writes_after_ready_are_embedded_by_the_worker_exactly_once(
    semantic_journal: Journal, fake: HashEmbedder
) -> None:
    semantic_journal.write({"observations": "first", "project_notes": "project side"})
    assert semantic_journal.semantic is not None and semantic_journal.semantic.await_writes()
    assert missing(semantic_journal, fake) == 0
    project = semantic_journal.store("project")
    assert project is not None
    pid = model_id_for(project, fake.identity)
    assert pid is not None and project.count_missing_embeddings(pid) == 0
    before = fake.texts_embedded
    assert semantic_journal.semantic is not None
    semantic_journal.semantic.backfill(semantic_journal)
    assert fake.texts_embedded == before  # nothing embedded twice
    store = user_store(semantic_journal)
    assert store.vector_stats(model_id_for(store, fake.identity) or 0)[0] == 1


def test_a_model_that_cannot_load_leaves_keyword_search_working(settings: Settings, journal_log: list[str]) -> None:
    def broken() -> HashEmbedder:
        raise ModelUnavailableError("JOURNAL_MCP_MODEL='/nope' is not a directory")

    service = SemanticSearch(broken)
    journal = Journal(settings, semantic=service)
    service.start(journal)
    assert service.wait_ready(10) is False
    assert "Semantic search unavailable" in "\n".join(journal_log) and "/nope" in "\n".join(journal_log)
    journal.write({"observations": "keyword search still works"})
    result = journal.search("keyword works")
    assert result.mode == "keyword" and len(result.hits) == 1
    assert result.notice == (
        "semantic search unavailable: JOURNAL_MCP_MODEL='/nope' is not a directory; keyword results only"
    )
    assert service.status().state == "unavailable"
    service.stop()
    journal.close()


def test_a_changed_model_re_embeds_everything_and_ignores_old_vectors(settings: Settings) -> None:
    old = HashEmbedder(fingerprint="v1")
    first = SemanticSearch(lambda: old, recheck_seconds=0.2)
    journal = Journal(settings, semantic=first)
    first.start(journal)
    assert first.wait_ready(10)
    for i in range(25):
        journal.write({"observations": f"note {i} on tokenizers"})
    first.stop()
    journal.close()

    new = HashEmbedder(fingerprint="v2")  # same name and size, other weights: vectors differ
    second = SemanticSearch(lambda: new, recheck_seconds=0.2)
    journal = Journal(settings, semantic=second)
    second.start(journal)
    assert second.wait_ready(10) and second.wait_idle(10)
    store = user_store(journal)
    old_id, new_id = model_id_for(store, old.identity), model_id_for(store, new.identity)
    assert old_id != new_id
    assert new.texts_embedded >= 25
    assert store.count_missing_embeddings(new_id or 0) == 0
    index = second.index_for(store)
    assert index is not None and index.model_id == new_id and index.size == 25
    result = journal.search("note 3 tokenizers")
    assert result.mode == "hybrid"
    # The score is the new model's cosine (old vectors would give a different number).
    query = new.embed(["note 3 tokenizers"])[0]
    doc = new.embed(["note 3 on tokenizers"])[0]
    assert result.hits[0].similarity == pytest.approx(float(query @ doc), abs=1e-3)
    second.stop()
    journal.close()


def test_repeated_queries_hit_the_cache(semantic_journal: Journal, fake: HashEmbedder) -> None:
    semantic_journal.write({"observations": "caching query vectors"})
    service = semantic_journal.semantic
    assert service is not None
    semantic_journal.search("query vectors")
    calls = service.query_embeddings
    for _ in range(5):
        semantic_journal.search("query vectors")
    assert service.query_embeddings == calls
    semantic_journal.search("something else")
    assert service.query_embeddings == calls + 1


def test_min_score_applies_to_every_hit_keyword_matches_included(semantic_journal: Journal) -> None:
    semantic_journal.write({"observations": "alpha beta gamma delta"})
    found = semantic_journal.search("alpha", min_score=0.0).hits
    assert found and "keyword" in found[0].matched
    assert found[0].score is not None
    assert semantic_journal.search("alpha", min_score=min(MAX_SCORE, found[0].score + 0.01)).hits == []
    assert semantic_journal.search("zeta").hits == []


def test_filters_apply_to_semantic_hits(semantic_journal: Journal) -> None:
    semantic_journal.write({"observations": "memory leak in the server", "project_notes": "memory leak fixed"})
    user_only = semantic_journal.search("memory leak", type="user")
    assert {h.type for h in user_only.hits} == {"user"}
    section = semantic_journal.search("memory leak", sections=["Project Notes"])
    assert [h.type for h in section.hits] == ["project"]
    assert semantic_journal.search("memory leak", since="2999-01-01").hits == []


def test_long_entries_score_by_their_best_chunk(settings: Settings) -> None:
    fake = HashEmbedder(max_tokens=20)
    service = SemanticSearch(lambda: fake)
    journal = Journal(settings, semantic=service)
    service.start(journal)
    assert service.wait_ready(10)
    filler = " ".join(f"filler{i}" for i in range(200))
    journal.write({"observations": f"{filler} the kubernetes pod crashlooped {filler}"})
    assert service.await_writes()
    store = user_store(journal)
    assert store.vector_stats(model_id_for(store, fake.identity) or 0)[0] > 10
    hit = journal.search("kubernetes crashlooped pod").hits[0]
    assert hit.score is not None and hit.score > 0.3
    assert "kubernetes" in hit.excerpt
    service.stop()
    journal.close()


def test_reindex_re_embeds_all_and_reports_progress_and_status(semantic_journal: Journal) -> None:
    for i in range(70):
        semantic_journal.write({"observations": f"entry {i}", "project_notes": f"project {i}"})
    assert semantic_journal.semantic is not None
    # As when `journal-mcp reindex` runs with no server using this model: let the worker finish first.
    assert semantic_journal.semantic.wait_idle(10)
    semantic_journal.semantic.stop()
    newer = HashEmbedder(fingerprint="v9")
    seen: list[tuple[int, int]] = []
    count = reindex(semantic_journal, newer, lambda done, total: seen.append((done, total)), batch_size=16)
    assert count == 140
    assert seen[0] == (0, 140) and seen[-1] == (140, 140)
    report = status(semantic_journal, newer.identity)
    assert [(s.entries, s.embedded, s.pending) for s in report.stores] == [(70, 70, 0), (70, 70, 0)]
    for store_report in report.stores:
        assert [m.fingerprint for m in store_report.models if m.vectors] == ["v9"]


def test_killed_writer_leaves_pending_entries_that_the_next_start_embeds(tmp_path: Path, settings: Settings) -> None:
    # Entries stored without vectors (what a process killed before embedding leaves behind).
    plain = Journal(settings)
    for i in range(12):
        plain.write({"observations": f"pending entry {i}"})
    plain.close()
    fake = HashEmbedder()
    service = SemanticSearch(lambda: fake)
    journal = Journal(settings, semantic=service)
    service.start(journal)
    assert service.wait_ready(10) and service.wait_idle(10)
    assert missing(journal, fake) == 0
    service.stop()
    journal.close()


def test_words_too_common_to_identify_an_entry_give_no_keyword_signal(
    semantic_journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journal_mcp.search import candidates

    monkeypatch.setattr(candidates, "KEYWORD_POSTINGS_BUDGET", 5)
    for i in range(10):
        semantic_journal.write({"observations": f"common word filler{i}"})
    rare = semantic_journal.write({"observations": "common xylophone"}).entries[0].path
    hits = semantic_journal.search("common xylophone").hits
    assert hits[0].path == rare and hits[0].matched == ["semantic", "keyword"]
    assert len(hits) == 10 and all("keyword" not in h.matched and "semantic" in h.matched for h in hits[1:])


def test_a_running_server_embeds_entries_another_process_left_unembedded(
    semantic_journal: Journal, settings: Settings, fake: HashEmbedder
) -> None:
    import time

    semantic_journal.write({"observations": "the server's own entry"})
    other = Journal(settings)  # another process with semantic search off, sharing the journal files
    for i in range(5):
        other.write({"observations": f"written elsewhere {i}"})
    other.close()
    deadline = time.monotonic() + 10
    while missing(semantic_journal, fake) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert missing(semantic_journal, fake) == 0  # the periodic re-check (0.2 s in this fixture) found them
    hits = semantic_journal.search("written elsewhere").hits
    assert all("semantic" in h.matched for h in hits if "elsewhere" in h.excerpt)
    assert all(h.matched == ["context"] for h in hits if "elsewhere" not in h.excerpt)


def test_a_shared_servers_client_projects_are_embedded_and_searched_with_one_model(
    settings: Settings, tmp_path: Path
) -> None:
    """serve --http: each client's project journal shares the base journal's model, stores and backfill."""
    from journal_mcp.service.projects import ProjectJournals, project_settings

    other = tmp_path / "other-project"
    other.mkdir()
    # Entries in that project written by a server with no model (e.g. a stdio session): pending.
    plain = Journal(project_settings(settings, other))
    plain.write({"project_notes": "the graphics card ran out of memory"})
    plain.close()
    fake = HashEmbedder()
    service = SemanticSearch(lambda: fake)
    base = Journal(settings, semantic=service)
    service.start(base)
    assert service.wait_ready(10)
    routed = ProjectJournals(base).for_project(str(other))
    assert routed.semantic is service and ProjectJournals(base).for_project(None) is base
    store = routed.store("project")
    assert store is not None and store in base.open_stores()  # one connection per database, shared
    service.backfill(base)  # the periodic backfill now covers the client's project too
    model_id = model_id_for(store, fake.identity)
    assert model_id is not None and store.count_missing_embeddings(model_id) == 0
    routed.write({"project_notes": "memory of the graphics card again"})
    result = routed.search("graphics card memory", type="project")
    assert result.mode == "hybrid" and len(result.hits) == 2
    assert base.search("graphics card", type="project").hits == []  # the base project is another one
    service.stop()
    base.close()
