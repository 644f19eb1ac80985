"""The cohort summary as HTML (charts as inline SVG), Markdown or JSON."""

from __future__ import annotations

import math
from typing import Any

from coach.report.cohort import Summary
from coach.report.html import h, page
from coach.report.markdown import md_inline
from coach.vocabulary import VERDICT, VERDICTS


def _pct(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def bar_chart(rows: list[tuple[str, float, str, str]], *, title: str, css_class: str, max_value: float = 1.0) -> str:
    """Horizontal bars: (label, value, the text shown at the bar's end, fill). Labels and values are text too."""
    label_w, bar_w, row_h = 230, 300, 24
    width, height = label_w + bar_w + 70, row_h * len(rows) + 12
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" aria-label="{h(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif">'
        f"<title>{h(title)}</title>"
    ]
    for i, (label, value, shown, fill) in enumerate(rows):
        y = 6 + i * row_h
        w = 0 if max_value <= 0 else max(0.0, min(1.0, value / max_value)) * bar_w
        out.append(
            f'<g class="bar" data-label="{h(label)}" data-value="{value:.4f}">'
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="12" fill="#1f2933">{h(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}" fill="#eef2f6"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{fill}" stroke="#1f2933" '
            f'stroke-width="0.5"/><text x="{label_w + w + 6:.1f}" y="{y + 15}" font-size="12" fill="#1f2933">'
            f"{h(shown)}</text></g>"
        )
    out.append("</svg>")
    return "".join(out)


def score_histogram(scores: list[int]) -> str:
    bins = [0] * 10
    for s in scores:
        bins[min(9, max(0, s) // 10)] += 1
    top = max(bins) or 1
    width, height, base = 420, 170, 140
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart scores" role="img" aria-label="score distribution" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif">'
        "<title>Scores, in bins of ten</title>"
        f'<line x1="20" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#1f2933"/>'
    ]
    step = (width - 40) / 10
    for i, count in enumerate(bins):
        bh = 110 * count / top
        x = 22 + i * step
        out.append(
            f'<rect class="bin" data-count="{count}" x="{x:.1f}" y="{base - bh:.1f}" width="{step - 4:.1f}" '
            f'height="{bh:.1f}" fill="#1d4ed8"/>'
        )
        if count:
            out.append(
                f'<text x="{x + step / 2 - 2:.1f}" y="{base - bh - 4:.1f}" text-anchor="middle" font-size="11">{count}</text>'
            )
        out.append(
            f'<text x="{x + step / 2 - 2:.1f}" y="{base + 14}" text-anchor="middle" font-size="10">{i * 10}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def render_cohort_html(summary: Summary, *, title: str = "coach cohort summary", source: str | None = None) -> str:
    s = summary
    body = [f"<h1>{h(title)}</h1>"]
    meta = [f"<span>{s.rows} graded answers</span>"]
    if source:
        meta.insert(0, f"<span>source: {h(source)}</span>")
    if s.errors:
        meta.append(f"<span>{len(s.errors)} error records left out</span>")
    body.append(f'<p class="meta">{"".join(meta)}</p>')
    body.append(
        '<div class="figures">'
        f"<div><b>{s.rows}</b>answers</div>"
        f"<div><b>{_num(s.mean_score, 0)}</b>mean score</div>"
        f"<div><b>{_pct(s.verdicts['strong_hire'] / s.rows if s.rows else None)}</b>strong hire</div>"
        + (f"<div><b>{_num(s.agreement.kappa)}</b>kappa (coach vs grader)</div>" if s.agreement else "")
        + "</div>"
    )
    total = s.rows or 1
    verdict_rows = [
        (VERDICT[v].label, s.verdicts[v] / total, f"{s.verdicts[v]} ({_pct(s.verdicts[v] / total)})", VERDICT[v].fill)
        for v in reversed(VERDICTS)
    ]
    body.append('<div class="grid"><div class="chart"><h2>Verdicts</h2>')
    body.append(bar_chart(verdict_rows, title="Verdict distribution", css_class="verdicts"))
    body.append('</div><div class="chart"><h2>Scores</h2>')
    body.append(score_histogram(s.scores))
    body.append("</div></div>")

    rated = [c for c in s.criteria if c.pass_rate is not None]
    body.append("<h2>Pass rate by criterion</h2>")
    body.append('<p class="meta">Over the answers where the criterion applies; core criteria first.</p>')
    body.append(
        bar_chart(
            [
                (
                    c.title + (" (core)" if c.core else ""),
                    c.pass_rate or 0.0,
                    f"{_pct(c.pass_rate)} of {c.applicable}",
                    "#1d4ed8" if c.core else "#7b8794",
                )
                for c in rated
            ],  # fmt: skip
            title="Pass rate by criterion",
            css_class="pass-rates",
        )
    )
    body.append('<h2>Weakest criteria</h2><table class="weakest"><thead><tr><th>criterion</th><th class="num">pass rate</th>'
                '<th class="num">applies to</th><th class="num">prompted</th><th class="num">decided by a coach</th></tr></thead><tbody>')  # fmt: skip
    for c in s.weakest:
        core = ' <span class="tag core">core</span>' if c.core else ""
        body.append(
            f'<tr data-criterion="{h(c.id)}"><td>{h(c.title)}{core}<br><small><code>{h(c.id)}</code></small></td>'
            f'<td class="num">{_pct(c.pass_rate)}</td><td class="num">{c.applicable}</td>'
            f'<td class="num">{c.prompted}</td><td class="num">{c.by_coach}</td></tr>'
        )
    body.append("</tbody></table>")

    a = s.agreement
    if a is not None:
        body.append("<h2>Coach and grader</h2>")
        body.append(
            f"<p class=\"meta\">The coach's label against the grader's own verdict (before any coach override), "
            f"over {a.n} labelled answers.</p>"
        )
        body.append(
            '<div class="figures">'
            f'<div class="exact"><b>{_pct(a.exact)}</b>exact agreement</div>'
            f'<div class="within"><b>{_pct(a.within_one)}</b>within one step</div>'
            f'<div class="kappa"><b>{_num(a.kappa)}</b>quadratic weighted kappa</div></div>'
        )
        body.append('<table class="matrix"><thead><tr><th>coach ↓ / grader →</th>')
        body += [f"<th>{h(VERDICT[v].label)}</th>" for v in VERDICTS]
        body.append("</tr></thead><tbody>")
        top = max((x for row in a.matrix for x in row), default=0) or 1
        for i, v in enumerate(VERDICTS):
            body.append(f"<tr><th>{h(VERDICT[v].label)}</th>")
            for j, count in enumerate(a.matrix[i]):
                shade = f"rgba(29,78,216,{0.08 + 0.5 * count / top:.2f})" if count else "transparent"
                cls = ' class="diag"' if i == j else ""
                body.append(f'<td{cls} style="background:{shade}">{count}</td>')
            body.append("</tr>")
        body.append("</tbody></table>")
        if a.disagreements:
            body.append('<h3>Disagreements</h3><table class="disagreements"><thead><tr><th>id</th><th>coach</th>'
                        "<th>grader</th><th class=\"num\">steps apart</th></tr></thead><tbody>")  # fmt: skip
            for rid, want, got in a.disagreements:
                gap = abs(VERDICT[want].rank - VERDICT[got].rank)
                body.append(
                    f"<tr><td>{h(rid)}</td><td>{h(VERDICT[want].label)}</td><td>{h(VERDICT[got].label)}</td>"
                    f'<td class="num">{gap}</td></tr>'
                )
            body.append("</tbody></table>")
        if a.unrecognised:
            listed = ", ".join(f"{rid} ({label})" for rid, label in a.unrecognised[:20])
            body.append(f'<p class="notice">Labels that are not a verdict, left out: {h(listed)}</p>')
    if s.errors:
        body.append("<h2>Error records</h2><ul>")
        body += [f"<li>line {e.line}: {h(e.id or '')} {h(e.error)}</li>" for e in s.errors[:50]]
        body.append("</ul>")
    return page(title, "\n".join(body))


def render_cohort_markdown(summary: Summary, *, title: str = "coach cohort summary", source: str | None = None) -> str:
    s = summary
    out = [f"# {md_inline(title)}", ""]
    if source:
        out += [f"**Source:** {md_inline(source)}  ", ""]
    out += [
        f"{s.rows} graded answers, mean score {_num(s.mean_score, 0)}"
        + (f", {len(s.errors)} error records" if s.errors else ""),
        "",
    ]
    out += ["## Verdicts", "", "| verdict | answers | share |", "|---|---:|---:|"]
    for v in reversed(VERDICTS):
        out.append(f"| {VERDICT[v].label} | {s.verdicts[v]} | {_pct(s.verdicts[v] / s.rows if s.rows else None)} |")
    out += ["", "## Pass rate by criterion", "", "| criterion | core | pass rate | applies to | prompted | by coach |",
            "|---|---|---:|---:|---:|---:|"]  # fmt: skip
    for c in s.criteria:
        out.append(
            f"| {md_inline(c.title)} (`{c.id}`) | {'yes' if c.core else ''} | {_pct(c.pass_rate)} | {c.applicable} "
            f"| {c.prompted} | {c.by_coach} |"
        )
    out += ["", "## Weakest criteria", ""]
    out += [
        f"{i}. {md_inline(c.title)} (`{c.id}`): {_pct(c.pass_rate)} of {c.applicable}"
        for i, c in enumerate(s.weakest, 1)
    ]
    a = s.agreement
    if a is not None:
        out += [
            "",
            "## Coach and grader",
            "",
            f"Over {a.n} labelled answers (the grader's verdict before overrides):",
            "",
        ]
        out += [f"- exact agreement: {_pct(a.exact)}", f"- within one step: {_pct(a.within_one)}",
                f"- quadratic weighted kappa: {_num(a.kappa)}", ""]  # fmt: skip
        out += [
            "| coach ↓ / grader → | " + " | ".join(VERDICT[v].abbrev for v in VERDICTS) + " |",
            "|---|" + "---:|" * len(VERDICTS),
        ]
        for i, v in enumerate(VERDICTS):
            out.append(f"| {VERDICT[v].label} | " + " | ".join(str(x) for x in a.matrix[i]) + " |")
        if a.disagreements:
            out += ["", "Disagreements:", ""]
            out += [f"- {md_inline(rid)}: coach {want}, grader {got}" for rid, want, got in a.disagreements]
    return "\n".join(out) + "\n"


def cohort_json(summary: Summary) -> dict[str, Any]:
    s = summary

    def num(x: float | None) -> float | None:
        return None if x is None or math.isnan(x) else round(x, 4)

    data: dict[str, Any] = {
        "answers": s.rows,
        "errors": len(s.errors),
        "verdicts": {v: s.verdicts[v] for v in VERDICTS},
        "mean_score": num(s.mean_score),
        "criteria": [
            {
                "id": c.id,
                "core": c.core,
                "pass_rate": num(c.pass_rate),
                "passed": c.passed,
                "failed": c.failed,
                "not_applicable": c.not_applicable,
                "prompted": c.prompted,
                "by_coach": c.by_coach,
            }
            for c in s.criteria
        ],  # fmt: skip
        "weakest": [c.id for c in s.weakest],
    }
    if s.agreement is not None:
        a = s.agreement
        data["agreement"] = {
            "n": a.n,
            "exact": num(a.exact),
            "within_one": num(a.within_one),
            "quadratic_weighted_kappa": num(a.kappa),
            "order": list(VERDICTS),
            "confusion_matrix": a.matrix,
            "disagreements": [{"id": i, "label": w, "verdict": g} for i, w, g in a.disagreements],
            "unrecognised_labels": [{"id": i, "label": lab} for i, lab in a.unrecognised],
        }
    return data
