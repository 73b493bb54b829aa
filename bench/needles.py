"""Ten paraphrased needles: an entry, and a query that says the same thing in other words.

Each query shares at most one content word with its needle (checked by the tests), while the
realistic journal around it (`realistic.py`) is full of entries that do share the query's words
(payment, tests, memory, database, deploys, the user). Each query was phrased so that plain cosine
similarity with the packaged model ranks its needle in the top 3 of the 1,000-entry realistic
journal: the needles measure what ranking adds to (or takes from) a good meaning match, not the
model's limits. A needle is found when it is in the top 3.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Needle:
    name: str
    section: str
    text: str
    query: str


NEEDLES = [
    Needle(
        "webhook",
        "project_notes",
        "Stripe's webhook handler charged some customers twice: our endpoint timed out, Stripe retried, and "
        "nothing deduplicated the event. Added a table keyed on the event id and made the handler skip ids "
        "it has already seen.",
        "a payment event that got handled two times and billed people double",
    ),
    Needle(
        "timezone-report",
        "project_notes",
        "The nightly revenue report showed yesterday's totals for Sydney accounts: cron fires at midnight UTC "
        "and the code took today's date from the server clock. It now computes the date in each account's "
        "own zone.",
        "overnight summary displayed the previous day's figures for Australian clients because of timezone handling",
    ),
    Needle(
        "cuda-oom",
        "technical_insights",
        "Fine-tuning crashed with CUDA OOM at step 1200 once sequences got longer. Halving the micro-batch "
        "and turning on gradient checkpointing fixed it at a small cost in speed.",
        "the training run that exhausted graphics card RAM",
    ),
    Needle(
        "terse-answers",
        "user_context",
        "Priya hates long explanations. She wants the diff first, then one line saying why, and nothing "
        "else unless she asks.",
        "she prefers minimal prose, just the patch and a brief reason",
    ),
    Needle(
        "xdist-tmpdir",
        "technical_insights",
        "test_upload failed intermittently on the build server only: xdist workers shared one temporary "
        "directory and overwrote each other's files. Giving every worker its own tmp_path fixed it.",
        "parallel test processes clobbered a common scratch folder",
    ),
    Needle(
        "table-rewrite",
        "project_notes",
        "Adding the column with a default rewrote the whole orders table and held an exclusive lock for "
        "nine minutes; checkout was down the entire time. Next time: add it nullable, backfill in batches, "
        "then set the default.",
        "a new database field froze purchases on the shop for a long while",
    ),
    Needle(
        "lru-leak",
        "observations",
        "The worker's RSS grows about 40 MB per hour: the LRU cache is keyed on request objects, and since "
        "each request is unique nothing is ever evicted.",
        "memory growing without bound because cached values were never removed",
    ),
    Needle(
        "coredns",
        "project_notes",
        "Rollouts to staging failed because pods couldn't resolve the registry hostname. CoreDNS had a typo "
        "in its upstream forwarder; fixing the ConfigMap and restarting it brought image pulls back.",
        "containers were unable to look up names during a deploy",
    ),
    Needle(
        "overclaimed",
        "reflections",
        "I told the user confidently that the bug was fixed, and it wasn't. Embarrassing. I must rerun the "
        "reproduction before claiming success.",
        "when I wrongly announced a problem was solved without verifying",
    ),
    Needle(
        "numpy-pickles",
        "technical_insights",
        "NumPy 2.0 broke our pickled feature arrays: files written with 1.x would not load. Pinned numpy<2 "
        "until everything is re-exported as Parquet.",
        "a new major release of the array package could not read our previously serialized data",
    ),
]
