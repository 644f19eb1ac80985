"""The summary printed after a batch: counts, verdicts and pass rates."""

from __future__ import annotations

from collections import Counter

from coach.batch.resume import Plan, Tally
from coach.vocabulary import VERDICTS


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def print_summary(console, in_path, out_path, before: Tally, new: Tally, plan: Plan, existing, elapsed, rubric) -> None:
    from rich.table import Table
    from rich.text import Text

    total = Tally(before.criteria)
    for t in (before, new):
        total.verdicts.update(t.verdicts)
        total.errors += t.errors
        for cid, c in t.statuses.items():
            total.statuses.setdefault(cid, Counter()).update(c)
    rate = new.graded / elapsed if elapsed > 0 and new.graded else 0.0
    lines = [
        f"{new.graded} graded and {new.errors} errors in {elapsed:.1f} s ({rate:.0f} answers/s)",
    ]
    if plan.skipped:
        skipped = f"{plan.skipped} rows already in {out_path} were skipped"
        if plan.skipped_errors:
            skipped += f" ({plan.skipped_errors} of them error records; --retry-errors grades them again)"
        lines.append(skipped)
    if existing.dropped_errors:
        lines.append(f"{existing.dropped_errors} earlier error records were dropped to be retried")
    if plan.duplicates:
        lines.append(f"duplicate ids: {plan.duplicates}")
    console.print(Text("\n".join(lines)), soft_wrap=True)

    records = total.graded + total.errors
    verdicts = Table(title=f"Verdicts in {out_path}", title_justify="left")
    verdicts.add_column("verdict")
    verdicts.add_column("count", justify="right")
    verdicts.add_column("share", justify="right")
    for v in reversed(VERDICTS):
        verdicts.add_row(v, str(total.verdicts.get(v, 0)), _pct(total.verdicts.get(v, 0), records))
    verdicts.add_row("error", str(total.errors), _pct(total.errors, records))
    console.print(verdicts)

    crit = Table(title="Criteria (pass rate where applicable)", title_justify="left")
    crit.add_column("criterion")
    crit.add_column("core")
    crit.add_column("pass", justify="right")
    crit.add_column("fail", justify="right")
    crit.add_column("n/a", justify="right")
    crit.add_column("pass rate", justify="right")
    for spec in rubric.criteria:
        c = total.statuses.get(spec.id, Counter())
        applicable = c["pass"] + c["fail"]
        crit.add_row(
            spec.id,
            "yes" if spec.core else "",
            str(c["pass"]),
            str(c["fail"]),
            str(c["not_applicable"]),
            _pct(c["pass"], applicable),
        )
    console.print(crit)
