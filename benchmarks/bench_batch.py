"""Throughput and memory of `coach batch` on synthetic answers.

    python benchmarks/bench_batch.py                 # N = 1000, 5000, 10000
    python benchmarks/bench_batch.py --sizes 200 --jobs 2 --keep /tmp/bench

Generates N answers of 50-450 words (fixed seed, so every run grades the same
text) into a temp JSONL, runs `coach batch` on it as a subprocess, and reports
answers per second and peak resident memory (the main process, the largest
worker, and the whole process tree) sampled from /proc every 20 ms.
Targets (issue 2): >= 300 answers/s on 2 cores, and memory flat as N grows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "How would you measure success for Spotify?",
    "Spotify's MAU dropped 8% last month. Walk me through how you'd find out why.",
    "How would you measure success for GitHub Copilot?",
    "Watch time on YouTube Shorts is up 9% but revenue per user is down 4%. What do you do?",
    "What should the north star be for Airbnb?",
    "Checkout conversion on our e-commerce app fell from 3.1% to 2.6%. What happened?",
    "How would you measure the success of an AI support chatbot for a B2B SaaS company?",
    "How would you measure success for Slack?",
]
NORTH_STARS = [
    "weekly listening hours",
    "weekly active users",
    "nights booked",
    "orders per week",
    "accepted suggestions per developer",
    "tickets resolved without a human",
    "monthly active listeners",
]
DRIVERS = [
    "new users",
    "retained users",
    "resurrected users",
    "sessions per user",
    "minutes per session",
    "conversion rate",
    "average order value",
    "search success rate",
    "activation rate",
    "D7 retention",
    "listings per host",
    "acceptance rate",
    "eval pass rate",
    "hallucination rate",
    "p95 latency",
    "thumbs-down rate",
    "escalation rate",
    "playlist follows",
    "onboarding completion",
    "invites sent",
]
GUARDS = [
    "skip rate",
    "churn",
    "refund rate",
    "support tickets",
    "time to first response",
    "complaint rate",
    "unsubscribe rate",
    "cancellation rate",
]
FILLER = (
    "so I think that the main thing here is to really understand what users value and how the team "
    "would act on it over the next quarter with the data we already have in the warehouse"
).split()


def sentence(rng: random.Random) -> str:
    ns, a, b, c, d = rng.choice(NORTH_STARS), *rng.sample(DRIVERS, 4)
    g1, g2 = rng.sample(GUARDS, 2)
    templates = [
        f"My north star is {ns}.",
        f"{ns} = {a} × {b}.",
        f"{a} equals {c} plus {d}.",
        f"I believe {c} drives {a}, a hypothesis we'd confirm with an A/B test.",
        f"Guardrails: {g1} and {g2} must not get worse.",
        f"If {ns} dropped I'd first check {a} and {b} separately, then segment {a} by platform and cohort.",
        f"- {a}\n  - {c}\n  - {d}",
        f"{b} -> {c} -> {d}.",
        f"Leading indicator: {c}; lagging: {ns}. The growth team owns {d}.",
    ]
    return rng.choice(templates)


def make_answer(rng: random.Random) -> str:
    target = rng.randint(50, 450)
    parts: list[str] = []
    words = 0
    while words < target:
        s = sentence(rng) if rng.random() < 0.7 else " ".join(rng.choices(FILLER, k=rng.randint(6, 20))) + "."
        parts.append(s)
        words += len(s.split())
    return " ".join(parts)


def generate(path: Path, n: int, seed: int = 20240601) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            row = {"id": f"s{i:06d}", "question": rng.choice(QUESTIONS), "answer": make_answer(rng)}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(k) for k in f.read().split()]
    except OSError:
        pass
    return kids


def coach_command() -> list[str]:
    script = Path(sys.executable).with_name("coach")
    return [str(script)] if script.exists() else [sys.executable, "-m", "coach"]


def run(src: Path, out: Path, jobs: int | None) -> dict:
    cmd = [*coach_command(), "batch", str(src), "--out", str(out), "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_main = peak_worker = peak_tree = 0
    while proc.poll() is None:
        main = _rss_kb(proc.pid)
        workers = [_rss_kb(k) for k in _children(proc.pid)]
        peak_main = max(peak_main, main)
        peak_worker = max([peak_worker, *workers])
        peak_tree = max(peak_tree, main + sum(workers))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"coach batch failed ({proc.returncode}):\n{stderr}")
    lines = sum(1 for _ in open(out, "rb"))
    errors = sum(1 for line in open(out, encoding="utf-8") if '"error"' in line[:200])
    return {
        "seconds": elapsed,
        "records": lines,
        "errors": errors,
        "peak_main_mb": peak_main / 1024,
        "peak_worker_mb": peak_worker / 1024,
        "peak_tree_mb": peak_tree / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    ap.add_argument("--jobs", type=int, default=None, help="passed to coach batch (default: its CPU count)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the generated files in this folder")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="coach-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"cpus={os.cpu_count()} jobs={args.jobs or 'default'} python={sys.version.split()[0]}")
    print(f"{'N':>7} {'seconds':>8} {'answers/s':>10} {'main MB':>8} {'worker MB':>10} {'tree MB':>8} {'errors':>7}")
    try:
        for n in args.sizes:
            src = work / f"answers-{n}.jsonl"
            if not src.exists():
                generate(src, n)
            out = work / f"graded-{n}.jsonl"
            out.unlink(missing_ok=True)
            r = run(src, out, args.jobs)
            assert r["records"] == n, f"expected {n} records, got {r['records']}"
            print(
                f"{n:>7} {r['seconds']:>8.2f} {n / r['seconds']:>10.0f} {r['peak_main_mb']:>8.1f} "
                f"{r['peak_worker_mb']:>10.1f} {r['peak_tree_mb']:>8.1f} {r['errors']:>7}"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
