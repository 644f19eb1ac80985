"""Benchmark: 200 answers through a model with 16 concurrent jobs, then again from the cache.

Runs against the test suite's fake OpenAI server on 127.0.0.1 with 300 ms per
response (no network, no key). Targets: first run < 10 s, cached run < 2 s.

    .venv/bin/python benchmarks/bench_llm.py [--answers 200] [--jobs 16] [--delay 0.3]

Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai import FakeOpenAI, Reply, feedback_for_request, make_settings, node  # noqa: E402

PRODUCTS = ["a music app", "a food delivery marketplace", "a B2B analytics tool", "a language-learning app"]
STARS = ["weekly active listeners", "orders delivered per week", "weekly active teams", "lessons completed per week"]


def answers(n: int) -> list[str]:
    out = []
    for i in range(n):
        star = STARS[i % len(STARS)]
        out.append(
            f"For {PRODUCTS[i % len(PRODUCTS)]}, my north star is {star}. "
            f"{star.capitalize()} = new users + retained users. Retained users equals active users times "
            f"retention rate. I believe onboarding quality drives retention rate, a hypothesis to A/B test "
            f"(variant {i}). Guardrails: refund rate and support tickets must not get worse."
        )
    return out


def parse_reply(req) -> Reply:  # type: ignore[no-untyped-def]
    """A good model: the north star and two guardrails, each quoted verbatim from the answer."""
    answer = req.between("<<<CANDIDATE_ANSWER\n", "\nCANDIDATE_ANSWER>>>")
    star = next(s for s in STARS if s in answer)
    return Reply.json(
        {
            "north_star": star,
            "north_star_candidates": [],
            "nodes": [
                node(star, "north_star", f"my north star is {star}", level=0),
                node("new users", "driver", "new users", level=1),
                node("retained users", "driver", "retained users", level=1),
                node("refund rate", "guardrail", "refund rate"),
                node("support tickets", "guardrail", "support tickets must not get worse"),
            ],
            "links": [
                {
                    "parent": star,
                    "child": child,
                    "kind": "math",
                    "operator": "+",
                    "formula": None,
                    "hypothesis": None,
                    "quotes": ["new users + retained users"],
                }
                for child in ("new users", "retained users")
            ],
            "diagnosis": [],
            "decision_rule": None,
            "notes": [],
        }
    )


def run(n: int, jobs: int, settings) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    from coach.llm.batch import GradeRequest, iter_grade_many
    from coach.llm.session import RunStats

    reqs = [
        GradeRequest(a, question="How would you measure success?", answer_id=f"b{i}") for i, a in enumerate(answers(n))
    ]
    stats = RunStats()
    start = time.perf_counter()
    done = sum(1 for o in iter_grade_many(reqs, settings, jobs=jobs, stats=stats) if o.result is not None)
    elapsed = time.perf_counter() - start
    assert done == n, f"only {done} of {n} graded"
    return elapsed, stats


def serve(delay: float) -> None:
    """The fake server in its own process, so it does not share the client's interpreter lock."""
    with FakeOpenAI(delay=delay) as server:
        server.parse_default = parse_reply
        server.feedback_default = feedback_for_request
        print(server.base_url, flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin


class RemoteServer:
    def __init__(self, delay: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--delay", str(delay)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--delay", type=float, default=0.3)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.delay)
        return 0
    os.environ["COACH_HOME"] = tempfile.mkdtemp(prefix="coach-bench-")
    ok = True
    server = RemoteServer(args.delay)
    try:
        settings = make_settings(server, timeout=10.0, jobs=args.jobs)
        # As the CLI does before a run: check the model (this imports langchain and openai once).
        from coach.llm.client import check_model

        start = time.perf_counter()
        check_model(settings)
        print(f"check_model (imports langchain + openai): {time.perf_counter() - start:.2f} s")
        for label, target in (("first run", 10.0), ("cached run", 2.0)):
            elapsed, stats = run(args.answers, args.jobs, settings)
            verdict = "ok" if elapsed < target else "SLOW"
            ok &= elapsed < target
            print(
                f"{label}: {args.answers} answers, {args.jobs} jobs, {args.delay * 1000:.0f} ms/response: "
                f"{elapsed:.2f} s (target < {target:.0f} s) {verdict}; requests {stats.requests}, "
                f"cache hits {stats.cache_hits}, tokens {stats.tokens}, errors {stats.errors}, "
                f"fallbacks {stats.fallbacks}"
            )
    finally:
        server.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
