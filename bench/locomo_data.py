"""The LoCoMo retrieval task's data: dialogue turns as journal entries, questions with their evidence.

Reads `locomo-dev.json` (Maharana et al., ACL 2024; CC BY-NC 4.0) from `../shared/data/locomo/`
beside the repository, or from `--data` / `$LOCOMO_DATA`. The file is never copied into the
repository. See `shared/data/locomo/README.md` for the format and the task.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

DATA_NAME = "locomo-dev.json"
DATA_DIR = Path("shared") / "data" / "locomo"
# Category numbers in the data (identified from the paper's Table 5 counts); 5 (adversarial) has no
# answer in the dialogue and is left out of retrieval scores.
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
# The paper's Table 3 (DRAGON over dialogue turns), categories 1-4 weighted by question counts.
DRAGON = {5: 0.604, 10: 0.696, 25: 0.797}
_EVIDENCE = re.compile(r"D:?(\d+):(\d+)")


class DataMissingError(Exception):
    """The LoCoMo data file could not be found or read."""


@dataclass(frozen=True)
class Turn:
    dia_id: str  # D<session>:<turn>
    text: str  # the journal entry's text


@dataclass(frozen=True)
class Question:
    sample_id: str
    question: str
    category: int
    evidence: frozenset[str]


@dataclass(frozen=True)
class Conversation:
    sample_id: str
    turns: list[Turn]
    questions: list[Question]


def find_data(explicit: str | None, repo: Path) -> Path:
    """The data file: `explicit`, else $LOCOMO_DATA, else shared/data/locomo/ beside the repository (or above)."""
    given = explicit or os.environ.get("LOCOMO_DATA")
    if given:
        path = Path(given)
        if path.is_file():
            return path
        raise DataMissingError(f"LoCoMo data not found at {path} (from --data or $LOCOMO_DATA).")
    tried = [parent / DATA_DIR / DATA_NAME for parent in repo.resolve().parents]
    for path in tried:
        if path.is_file():
            return path
    raise DataMissingError(
        f"LoCoMo data not found: looked for {DATA_DIR / DATA_NAME} in every folder above {repo.resolve()} "
        f"(nearest: {tried[0]}). Pass --data PATH or set LOCOMO_DATA."
    )


def normalise_evidence(ids: list[str], known: set[str]) -> frozenset[str]:
    """Evidence ids as `D<session>:<turn>` ('D8:6; D9:17', 'D:11:26', 'D30:05' included); unknown turns dropped."""
    found = set()
    for raw in ids:
        for session, turn in _EVIDENCE.findall(raw):
            dia_id = f"D{int(session)}:{int(turn)}"
            if dia_id in known:
                found.add(dia_id)
    return frozenset(found)


def entry_text(date: str, turn: dict) -> str:
    """`<session date> — <speaker>: <text>`, plus ` [shares a photo: <caption>]` when the turn has one."""
    text = f"{date} — {turn['speaker']}: {turn['text']}"
    caption = turn.get("blip_caption")
    if caption:
        text += f" [shares a photo: {caption}]"
    return text


def load(path: Path) -> list[Conversation]:
    try:
        samples = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataMissingError(f"Cannot read the LoCoMo data at {path}: {exc}") from exc
    conversations = []
    for sample in samples:
        conv = sample["conversation"]
        sessions = sorted(
            (int(key.split("_")[1]), key)
            for key in conv
            if re.fullmatch(r"session_\d+", key) and isinstance(conv[key], list)
        )
        turns = []
        for _, key in sessions:
            date = conv.get(f"{key}_date_time", "")
            turns.extend(Turn(str(turn["dia_id"]), entry_text(date, turn)) for turn in conv[key])
        known = {turn.dia_id for turn in turns}
        questions = []
        for qa in sample["qa"]:
            category = int(qa["category"])
            if category not in CATEGORIES:
                continue
            evidence = normalise_evidence([str(e) for e in qa.get("evidence", [])], known)
            if evidence:
                questions.append(Question(sample["sample_id"], qa["question"], category, evidence))
        conversations.append(Conversation(sample["sample_id"], turns, questions))
    return conversations
