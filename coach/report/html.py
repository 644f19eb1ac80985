"""The report as one self-contained HTML file: no script, no network, no external asset; prints to PDF.

The page is ``templates/page.html`` with ``templates/base.css`` inlined; the
tree is inline SVG (``coach.report.svg``). A Content-Security-Policy in the
page forbids loading anything, so even a mistake could not reach the network.
Every piece of text from an answer, a question, a tree or a note goes through
``h()`` (``html.escape``), so ``<script>`` in a transcript is shown as text.
"""

from __future__ import annotations

import html
from functools import lru_cache
from importlib import resources
from string import Template

from coach import regexes
from coach.overrides import coach_decisions
from coach.report.model import (
    STALE_FEEDBACK,
    STATUS_MARK,
    STATUS_WORD,
    Report,
    ReportSection,
    criterion_title,
    feedback_blocks,
)
from coach.report.svg import tree_svg
from coach.result import CriterionResult
from coach.rubric.model import Rubric
from coach.vocabulary import kind_words, verdict_label

_INVALID = regexes.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def h(text: object) -> str:
    """Text for HTML: control characters and bidi overrides removed, then escaped (quotes included)."""
    return html.escape(_INVALID.sub("", "" if text is None else str(text)), quote=True)


@lru_cache(maxsize=4)
def template(name: str) -> str:
    return (resources.files("coach.report") / "templates" / name).read_text(encoding="utf-8")


def page(title: str, body: str) -> str:
    """A whole HTML document around ``body`` (already escaped HTML)."""
    return Template(template("page.html")).substitute(title=h(title), css=template("base.css").strip(), body=body)


def _status_cell(c: CriterionResult) -> str:
    out = f'<td class="status {c.status}">{STATUS_MARK[c.status]} {STATUS_WORD[c.status]}'
    if c.prompted:
        out += ' <span class="tag prompted" title="met only after the interviewer\'s follow-up">prompted</span>'
    return out + "</td>"


def _by_cell(c: CriterionResult) -> str:
    if c.source == "coach":
        was = STATUS_WORD.get(c.auto_status or "", "")
        return f'<td><span class="tag coach">coach</span>{f"<br><small>auto: {h(was)}</small>" if was else ""}</td>'
    return '<td><span class="tag auto">auto</span></td>'


def _row(c: CriterionResult, rubric: Rubric | None) -> str:
    cell = []
    for quote in c.evidence[:3]:
        cell.append(f'<p class="evidence"><q>{h(quote)}</q></p>')
    if (c.status != "pass" or not c.evidence) and c.message:
        cell.append(f'<p class="why">{h(c.message)}</p>')
    if c.note:
        cell.append(f'<p class="note"><b>Coach\'s note:</b> {h(c.note)}</p>')
    core = ' <span class="tag core">core</span>' if c.core else ""
    cls = ' class="by-coach"' if c.source == "coach" else ""
    return (
        f'<tr{cls} data-criterion="{h(c.id)}" data-status="{c.status}" data-source="{c.source}">'
        f"<td><b>{h(criterion_title(c, rubric))}</b>{core}<br><small><code>{h(c.id)}</code></small></td>"
        f"{_status_cell(c)}{_by_cell(c)}<td>{''.join(cell)}</td></tr>"
    )


def _scorecard(criteria: list[CriterionResult], rubric: Rubric | None) -> str:
    rows = ['<table class="scorecard"><thead><tr><th>criterion</th><th>status</th><th>decided by</th>'
            "<th>evidence and notes</th></tr></thead><tbody>"]  # fmt: skip
    core = [c for c in criteria if c.core]
    extended = [c for c in criteria if not c.core]
    if core:
        rows.append('<tr class="group"><td colspan="4">Core criteria: these decide the verdict</td></tr>')
        rows += [_row(c, rubric) for c in core]
    if extended:
        rows.append('<tr class="group"><td colspan="4">Extended criteria: the score and coaching notes</td></tr>')
        rows += [_row(c, rubric) for c in extended]
    rows.append("</tbody></table>")
    return "\n".join(rows)


def feedback_html(text: str, heading_level: int) -> str:
    hx = f"h{min(heading_level, 6)}"
    out = []
    for kind, content in feedback_blocks(text):
        if kind == "heading":
            out.append(f"<{hx}>{h(content)}</{hx}>")
        elif kind in ("bullets", "numbered"):
            tag = "ul" if kind == "bullets" else "ol"
            out.append(f"<{tag}>" + "".join(f"<li>{h(item)}</li>" for item in content) + f"</{tag}>")
        else:
            out.append(f"<p>{h(content)}</p>")
    return "".join(out)


def _section(sec: ReportSection, rubric: Rubric | None, level: int) -> str:
    r = sec.result
    hn, hs = f"h{level}", f"h{level + 1}"
    out = [f'<section class="answer-section" data-verdict="{r.verdict}">']
    if sec.heading:
        out.append(f"<{hn}>{h(sec.heading)}</{hn}>")
    if r.question:
        where = f' <small class="where">(line {sec.line})</small>' if sec.line else ""
        out.append(f'<div class="question"><span class="label">Question{where}</span>{h(r.question)}</div>')
    facts = [f"<span>kind: {h(kind_words(r.kind))}</span>"]
    if r.scenario:
        facts.append(f"<span>scenario: <code>{h(r.scenario)}</code></span>")
    facts.append(f"<span>{'AI product' if r.ai_product else 'not an AI product'}</span>")
    facts.append(f"<span>parser: {h(r.parser)}</span>")
    out.append(f'<p class="meta">{"".join(facts)}</p>')
    out.append(
        f'<div class="headline"><span class="verdict {r.verdict}">{h(verdict_label(r.verdict))}</span>'
        f'<span class="score">{r.score}<small>/100</small></span>'
        f'<span class="scorebar" role="img" aria-label="score {r.score} of 100"><span style="width:{r.score}%"></span></span>'
        "</div>"
    )
    decisions = coach_decisions(r)
    if any(c.source == "coach" for c in decisions):
        out.append(
            '<p class="meta">The verdict and score are recomputed from the table with the coach\'s overrides.</p>'
        )
    if r.notice:
        out.append(f'<p class="notice">{h(r.notice)}</p>')
    out.append(f"<{hs}>Scorecard</{hs}>")
    out.append(_scorecard(r.criteria, rubric))
    if decisions:
        out.append(f"<{hs}>Coach's overrides and notes</{hs}>")
        out.append('<ul class="decisions">')
        for c in decisions:
            title = h(criterion_title(c, rubric))
            if c.source == "coach":
                what = f"{STATUS_WORD[c.status]} (the grader said {STATUS_WORD.get(c.auto_status or '', '?')})"
            else:
                what = f"{STATUS_WORD[c.status]} (as graded)"
            note = f": {h(c.note)}" if c.note else ""
            out.append(f"<li><b>{title}</b> (<code>{h(c.id)}</code>): {h(what)}{note}</li>")
        out.append("</ul>")
    out.append(f"<{hs}>KPI tree</{hs}>")
    out.append(f'<figure class="tree">{tree_svg(r.tree, title="KPI tree read from the answer")}')
    out.append(
        "<figcaption>Solid lines are mathematical links (identities), dotted lines causal hypotheses, grey dashed "
        "lines links the answer never labelled; arrows point from a driver to the metric it drives.</figcaption>"
        "</figure>"
    )
    if r.feedback:
        out.append(f"<{hs}>Feedback</{hs}>")
        if any(c.source == "coach" for c in r.criteria):
            out.append(f'<p class="meta">{h(STALE_FEEDBACK)}</p>')
        out.append(f'<div class="feedback">{feedback_html(r.feedback, level + 2)}</div>')
    if sec.answer is not None or sec.follow_ups:
        out.append(f"<{hs}>The interview</{hs}>")
        out.append('<dl class="qa">')
        if r.question:
            out.append(f"<dt>Interviewer</dt><dd>{h(r.question)}</dd>")
        if sec.answer is not None:
            out.append(f'<dt>Candidate</dt><dd class="answer">{h(sec.answer) or "<i>(no answer)</i>"}</dd>')
        for fu in sec.follow_ups:
            out.append(f'<dt>Interviewer <span class="tag prompted">follow-up</span></dt><dd>{h(fu.question)}</dd>')
            out.append(f'<dt>Candidate</dt><dd class="answer">{h(fu.answer) or "<i>(no answer)</i>"}</dd>')
        out.append("</dl>")
    out.append("</section>")
    return "\n".join(out)


def render_html(report: Report, rubric: Rubric | None = None) -> str:
    body = [f"<h1>{h(report.title)}</h1>"]
    facts = []
    if report.source:
        facts.append(f"<span>source: {h(report.source)}</span>")
    if report.candidate:
        facts.append(f"<span>candidate: {h(report.candidate)}</span>")
    if len(report.sections) > 1:
        facts.append(f"<span>{len(report.sections)} questions</span>")
    if facts:
        body.append(f'<p class="meta">{"".join(facts)}</p>')
    for notice in report.notices:
        body.append(f'<p class="notice">{h(notice)}</p>')
    level = 2
    for sec in report.sections:
        body.append(_section(sec, rubric, level))
    return page(report.title, "\n".join(body))
