"""The labelled sets and how a grader's results are compared with them (shared by tests and benchmarks/agreement.py).

The figures are the ones ``../shared/tools/agreement.py`` prints: per-criterion
agreement, verdict exact, and quadratic weighted kappa over the four verdicts.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from coach.result import GradeResult
from coach.rubric.model import CORE_IDS

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
VERDICTS = ("strong_no_hire", "no_hire", "hire", "strong_hire")

# name → file. The test split is never used to adjust code (tests/data/corpus/README.md).
SETS = {
    "test": CORPUS / "test.jsonl",
    "tune": CORPUS / "tune.jsonl",
    "tune2": CORPUS / "tune2.jsonl",
    "tune3": CORPUS / "tune3.jsonl",
    "test2": CORPUS / "test2.jsonl",
    "heldout": DATA / "heldout.jsonl",
    "heldout2": DATA / "heldout2.jsonl",
}


def rows(name: str) -> list[dict]:
    path = SETS[name]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def replies() -> dict[str, dict]:
    """The stored model replies to coach's parse prompt for every corpus answer (id → reply)."""
    out = {}
    for line in (CORPUS / "replies.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[row["id"]] = row["reply"]
    return out


@dataclass(frozen=True)
class Agreement:
    n: int
    verdict: float
    qwk: float
    criteria: dict[str, float]

    def line(self, name: str) -> str:
        crit = " ".join(f"{c} {v:.1%}" for c, v in self.criteria.items())
        return f"{name:9} n={self.n:3} verdict {self.verdict:.1%} QWK {self.qwk:.3f} | {crit}"


def agreement(labelled: list[dict], results: list[GradeResult]) -> Agreement:
    by_id = {r.id: r for r in results}
    pairs = []
    hits: Counter[str] = Counter()
    exact = 0
    for row in labelled:
        got = by_id[row["id"]]
        exact += got.verdict == row["verdict"]
        pairs.append((VERDICTS.index(row["verdict"]), VERDICTS.index(got.verdict)))
        for cid in CORE_IDS:
            hits[cid] += got.criterion(cid).status == row["labels"][cid]
    n = len(labelled)
    return Agreement(n, exact / n, qwk(pairs), {cid: hits[cid] / n for cid in CORE_IDS})


def majority(labelled: list[dict]) -> dict[str, float]:
    """What always answering each criterion's most common label would score."""
    out = {}
    for cid in CORE_IDS:
        counts = Counter(row["labels"][cid] for row in labelled)
        out[cid] = counts.most_common(1)[0][1] / len(labelled)
    return out


def qwk(pairs: list[tuple[int, int]], k: int = len(VERDICTS)) -> float:
    n = len(pairs)
    obs = [[0] * k for _ in range(k)]
    for a, b in pairs:
        obs[a][b] += 1
    row = [sum(obs[i]) for i in range(k)]
    col = [sum(obs[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            w = (i - j) ** 2 / (k - 1) ** 2
            num += w * obs[i][j]
            den += w * row[i] * col[j] / n
    return 1.0 - num / den if den else 1.0
