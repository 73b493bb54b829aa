"""Realistic journal entries, as coding agents write them: several sections, real lengths, shared vocabulary.

The template bench (`synthetic.py`) writes one short sentence per entry. Real entries are longer
(~1,200 characters on average, from a few dozen to a few thousand) and mix sections: project notes
and technical insights most often, reflections, observations and user context often, feelings and
world knowledge now and then. They also reuse the same working vocabulary (payments, tests, deploys,
memory, the user), which is what makes a keyword bonus dangerous: many entries share a word with
any query. `realistic_entries(n, seed)` yields such entries, deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

COMPONENTS = [
    "the payments service",
    "the notifications worker",
    "the billing dashboard",
    "the search API",
    "the upload endpoint",
    "the auth middleware",
    "the GraphQL gateway",
    "the CSV importer",
    "the email digest job",
    "the feature-flag client",
    "the rate limiter",
    "the session store",
    "the metrics exporter",
    "the onboarding wizard",
    "the admin panel",
    "the invoice generator",
    "the mobile sync endpoint",
    "the recommendation model",
    "the data pipeline",
    "the CLI",
    "the plugin loader",
    "the config parser",
    "the job scheduler",
    "the audit log",
    "the websocket server",
    "the image resizer",
    "the pricing page",
    "the Terraform modules",
    "the Helm chart",
    "the test fixtures",
]
FILES = [
    "src/payments/charge.py",
    "app/models/order.rb",
    "internal/queue/worker.go",
    "web/src/hooks/useAuth.ts",
    "services/notify/handlers.py",
    "lib/config/loader.ts",
    "cmd/server/main.go",
    "tests/conftest.py",
    "docker-compose.yml",
    "pyproject.toml",
    ".github/workflows/ci.yml",
    "migrations/0042_add_index.sql",
    "src/api/routes/search.py",
    "frontend/components/Table.tsx",
    "scripts/backfill.py",
    "deploy/values.yaml",
]
TECH = [
    "Postgres",
    "Redis",
    "Kafka",
    "SQLite",
    "React",
    "Django",
    "FastAPI",
    "Celery",
    "Kubernetes",
    "Docker",
    "Terraform",
    "GitHub Actions",
    "pytest",
    "TypeScript",
    "Go",
    "Rust",
    "pandas",
    "PyTorch",
    "nginx",
    "OpenTelemetry",
    "Sentry",
    "S3",
    "gRPC",
    "Next.js",
    "SQLAlchemy",
    "mypy",
    "ruff",
    "webpack",
]
ACTIONS = [
    "split {c} into smaller modules",
    "added retries with backoff to {c}",
    "moved {c} behind a feature flag",
    "rewrote the error handling in {c}",
    "added structured logging to {c}",
    "cached the slow lookups in {c}",
    "removed the dead code paths from {c}",
    "added type hints throughout {c}",
    "made {c} idempotent",
    "wrote integration tests for {c}",
    "profiled {c} and fixed the hot loop",
    "upgraded the client library in {c}",
    "replaced the hand-rolled parser in {c} with the standard one",
    "documented the public API of {c}",
    "reduced the number of queries {c} makes per request",
    "added pagination to {c}",
]
RESULTS = [
    "All {n} tests pass locally and in CI.",
    "The p95 latency dropped from {a} ms to {b} ms.",
    "CI is green again after {n} runs.",
    "Two tests still fail on Windows; tracked in issue #{i}.",
    "Coverage went from {p}% to {q}%.",
    "The change is behind a flag until the next release.",
    "Review comments addressed; waiting for a second approval.",
    "Deployed to staging; production tomorrow.",
    "The benchmark shows {a} requests/s, up from {b}.",
    "The migration ran in {n} seconds on a copy of production.",
]
NEXT = [
    "Next: clean up the temporary logging.",
    "Next: ask the user whether the old endpoint can go.",
    "Next: write the changelog entry.",
    "Next: measure again under load.",
    "Next: split the pull request in two.",
    "Next: add a regression test for the edge case.",
    "Next: update the README's configuration section.",
    "Still open: what happens when the queue is full.",
    "Still open: whether we need a backfill.",
]
INSIGHTS = [
    "{t} does not release the connection until the iterator is exhausted, so half-read results hold it open.",
    "In {t}, a default argument is evaluated once; a mutable default leaks state between calls.",
    "{t} retries on 5xx by default but not on connection resets; those need an explicit policy.",
    "Batching inserts into one transaction in {t} made the import about {n} times faster.",
    "{t} reads its config from the environment before the CLI flags, which surprised me.",
    "Timeouts in {t} are per attempt, not total; with three retries the worst case is four times longer.",
    "The {t} docs are wrong about the default page size: it is {n}, not 100.",
    "Logging to stdout in a stdio server corrupts the protocol; {t} logs must go to stderr.",
    "{t} sorts strings by byte value, so uppercase names come before lowercase ones.",
    "An index on (user_id, created_at) lets {t} answer the recent-items query without a sort.",
    "{t} silently truncates fields longer than the column size unless strict mode is on.",
    "Running {t} with more workers than cores made it slower because of lock contention.",
    "{t} caches DNS lookups for the life of the process, so a moved host is never found again.",
    "Payments and notifications both go through {t}, so a slow consumer delays both.",
    "With {t}, the first request after a deploy is slow because the pool is empty; a warm-up helps.",
]
REFLECTIONS = [
    "I went down the wrong path for a while because I trusted the first stack trace.",
    "This went smoothly once I stopped guessing and read the actual error message.",
    "I am not fully confident in the fix; the root cause is still a hypothesis.",
    "It felt good to delete more code than I added today.",
    "I should have asked the user about the requirement before building the whole thing.",
    "The test suite gave me the confidence to refactor aggressively, which paid off.",
    "I rushed the first version and the review caught two real bugs.",
    "Reading the library source was faster than searching for answers online.",
    "I kept the change small on purpose, and it was easier to review because of that.",
    "I was frustrated by how long CI takes; most of my time today was waiting.",
    "The user's quick feedback made it easy to iterate on the design.",
    "I underestimated the migration; it touched far more code than I expected.",
]
OBSERVATIONS = [
    "The logs of {c} show a burst of errors every night around 02:00.",
    "Most of the notifications that fail are to addresses with typos.",
    "Users mostly open the dashboard on Monday mornings, judging by the traffic.",
    "The slow queries all come from the export feature, not from normal browsing.",
    "The payments retries account for about {n}% of the traffic to {c}.",
    "Half of the open issues are about the same confusing error message.",
    "The staging database is {n} GB, much larger than the fixtures suggest.",
    "The flaky tests all touch the filesystem or the clock.",
    "Nobody has changed {f} in two years, yet everything imports it.",
    "The new hires keep tripping over the same setup step in the README.",
]
USER_CONTEXT = [
    "{u} prefers small pull requests with a clear description of why.",
    "{u} wants the tests to run without network access.",
    "{u} asked me to stop adding comments that restate the code.",
    "{u} likes to see a plan before I start a large change.",
    "{u} is on call this week, so interruptions should be rare and short.",
    "{u} prefers the standard library over new dependencies when the difference is small.",
    "{u} reviews in the morning; pushing late in the day means waiting a day.",
    "{u} cares more about clear error messages than about speed here.",
    "{u} uses vim and dislikes tools that rewrite whole files.",
]
FEELINGS = [
    "A bit anxious about the release; there are too many moving parts.",
    "Relieved that the outage was not caused by my change.",
    "Tired but satisfied; the hardest part is done.",
    "Curious about why this ever worked in the first place.",
    "Slightly annoyed at myself for missing the obvious.",
]
WORLD = [
    "HTTP 429 responses often carry a Retry-After header worth honouring.",
    "Leap seconds are smeared by most cloud providers rather than inserted.",
    "The Unicode standard has more than one way to write many accented letters; normalise before comparing.",
    "Most CSV files from spreadsheets use the local decimal separator, not always a dot.",
    "Git stores file modes but not ownership or timestamps.",
]
USERS = ["Priya", "Marco", "the user", "Dana", "Kenji", "Sofia"]

# Section: (chance it appears, sentence pool, typical sentence count)
SECTIONS = {
    "project_notes": (0.65, None, 10),
    "technical_insights": (0.45, INSIGHTS, 6),
    "reflections": (0.4, REFLECTIONS, 5),
    "observations": (0.35, OBSERVATIONS, 5),
    "user_context": (0.2, USER_CONTEXT, 3),
    "feelings": (0.1, FEELINGS, 2),
    "world_knowledge": (0.08, WORLD, 2),
}


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        c=rng.choice(COMPONENTS),
        f=rng.choice(FILES),
        t=rng.choice(TECH),
        u=rng.choice(USERS),
        n=rng.randint(2, 90),
        a=rng.randint(10, 400),
        b=rng.randint(10, 400),
        i=rng.randint(100, 2000),
        p=rng.randint(40, 70),
        q=rng.randint(71, 95),
    )


def _project_sentence(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        action = _fill(rng, rng.choice(ACTIONS))
        return f"{action[0].upper()}{action[1:]} ({rng.choice(FILES)})."
    if roll < 0.65:
        return _fill(rng, rng.choice(RESULTS))
    if roll < 0.8:
        return rng.choice(NEXT)
    return _fill(rng, rng.choice(INSIGHTS + OBSERVATIONS))


def _sentences(rng: random.Random, typical: int) -> int:
    # Right-skewed: mostly a few sentences, now and then a long section (a real journal's long tail).
    return max(1, min(int(rng.lognormvariate(0, 0.6) * typical), typical * 5))


def realistic_sections(rng: random.Random) -> dict[str, str]:
    """One entry's sections (at least one), in the journal's section order."""
    sections: dict[str, str] = {}
    while not sections:
        for name, (chance, pool, typical) in SECTIONS.items():
            if rng.random() >= chance:
                continue
            count = _sentences(rng, typical)
            if pool is None:
                sentences = [_project_sentence(rng) for _ in range(count)]
            else:
                sentences = [_fill(rng, t) for t in rng.sample(pool, min(count, len(pool)))]
            sections[name] = " ".join(sentences)
    return sections


def realistic_entries(n: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """`n` entries' sections, deterministic for `seed`."""
    rng = random.Random(seed)
    for _ in range(n):
        yield realistic_sections(rng)
