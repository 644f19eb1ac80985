"""Whole-process time of `coach score`, and what it imports.

    python benchmarks/bench_score.py              # 20 runs
    python benchmarks/bench_score.py --runs 50 --scenario spotify-mau-drop

Runs `coach score ANSWER --question ...` (human output, then --json) as a fresh
process each time and reports the median, min and max wall time. Then runs it
once under `python -X importtime` and checks that textual, langchain and
openai are not imported, listing the slowest imports.
Target (issue 2): median under 0.5 s; none of those libraries imported.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ANSWER = """\
My north star is weekly listening hours, an output metric.
Mathematically, weekly listening hours = weekly active listeners × hours per listener.
Weekly active listeners = new listeners + retained listeners + resurrected listeners.
Hours per listener = sessions per listener × minutes per session.
I believe Discover Weekly hit rate drives minutes per session; that is a causal hypothesis we'd confirm with an A/B test.
If listening hours dropped I'd check active listeners and hours per listener separately, then segment by platform.
Guardrails: early skip rate must not get worse, and premium churn must not rise.
"""
HEAVY = ("textual", "langchain", "langchain_core", "langchain_openai", "openai")


def coach_command() -> list[str]:
    script = Path(sys.executable).with_name("coach")
    return [str(script)] if script.exists() else [sys.executable, "-m", "coach"]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.decode()}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--scenario", default=None, help="grade against this scenario instead of --question")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        answer = Path(tmp) / "answer.txt"
        answer.write_text(ANSWER, encoding="utf-8")
        target = (
            ["--scenario", args.scenario]
            if args.scenario
            else ["--question", "How would you measure success for Spotify?"]
        )
        base = [*coach_command(), "score", str(answer), *target]
        timed(base)  # warm the OS file cache and .pyc files
        ok = True
        for label, cmd in (("human", base), ("--json", [*base, "--json"])):
            times = [timed(cmd) for _ in range(args.runs)]
            median = statistics.median(times)
            ok &= median < 0.5
            print(
                f"coach score ({label}): median {median * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, "
                f"max {max(times) * 1000:.0f} ms over {args.runs} runs {'OK' if median < 0.5 else 'OVER 0.5 s'}"
            )

        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "coach", "score", str(answer), *target],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        rows = []
        for line in proc.stderr.splitlines():
            if line.startswith("import time:") and "|" in line and "cumulative" not in line:
                self_us, cum_us, name = line[len("import time:") :].split("|")
                rows.append((int(cum_us), int(self_us), name[1:]))
        heavy = sorted({n.strip() for _, _, n in rows if n.strip().split(".")[0] in HEAVY})
        top = [r for r in rows if not r[2].startswith(" ")]
        print(f"imports: {len(rows)} modules; heavy ones: {', '.join(heavy) if heavy else 'none'}")
        print("slowest top-level imports (cumulative ms):")
        for cum, _, name in sorted(top, reverse=True)[:8]:
            print(f"  {cum / 1000:7.1f}  {name}")
        ok &= not heavy
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
