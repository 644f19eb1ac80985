"""The report as Markdown: for a coach's notes, a pull request or a chat message.

Everything from an answer, a question or a note is escaped: ``<``, ``>`` and
``&`` become entities (so ``<script>`` renders as text in any Markdown
viewer) and Markdown's own punctuation is backslash-escaped (so ``**``,
``[link](…)``, ``|`` or a leading ``#`` stay literal and cannot break a table).
"""

from __future__ import annotations

import html
import re

from coach import regexes
from coach.overrides import coach_decisions
from coach.report.model import (
    STALE_FEEDBACK,
    Report,
    ReportSection,
    criterion_title,
    decided_by,
    feedback_blocks,
    status_text,
)
from coach.report.tree_export import LEGEND, outline
from coach.rubric.model import Rubric
from coach.vocabulary import verdict_label

_MD_PUNCT = regexes.compile(r"([\\`*_{}\[\]()#+!|~^])")
_LINE_START = regexes.compile(r"^(\s*)([-+>=]|\d+[.)])")
_CONTROL = regexes.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def md_inline(text: str) -> str:
    """One line of literal text: whitespace collapsed, HTML and Markdown syntax neutralised."""
    text = " ".join(_CONTROL.sub("", text or "").split())
    text = html.escape(text, quote=False)
    text = _MD_PUNCT.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def md_block(text: str) -> str:
    """Several lines of literal text; blank lines stay paragraph breaks, single breaks stay line breaks."""
    paras = re.split(r"\n\s*\n", (text or "").strip())
    out = []
    for para in paras:
        lines = [md_inline(line) for line in para.split("\n") if line.strip()]
        out.append("  \n".join(lines))
    return "\n\n".join(p for p in out if p)


def feedback_markdown(text: str, heading: str) -> list[str]:
    out: list[str] = []
    for kind, content in feedback_blocks(text):
        if kind == "heading":
            out += [f"{heading} {md_inline(str(content))}", ""]
        elif kind == "bullets":
            out += [f"- {md_inline(item)}" for item in content] + [""]
        elif kind == "numbered":
            out += [f"{i}. {md_inline(item)}" for i, item in enumerate(content, 1)] + [""]
        else:
            out += [md_block(str(content)), ""]
    return out


def tree_list(tree) -> list[str]:
    """The tree as a nested Markdown list (names escaped like any other text), then the legend."""
    out = []
    for _, depth, label in outline(tree):
        if depth < 0:
            out += ["", f"*{md_inline(label)}*", ""]
        else:
            out.append("  " * depth + "- " + md_inline(label))
    return [*out, "", f"*{md_inline(LEGEND)}*"]


def _section(sec: ReportSection, rubric: Rubric | None, level: str) -> list[str]:
    r = sec.result
    out: list[str] = []
    if sec.heading:
        out += [f"{level} {md_inline(sec.heading)}", ""]
    if r.question:
        where = f" (line {sec.line})" if sec.line else ""
        out += [f"**Question{where}:** {md_inline(r.question)}", ""]
    if r.scenario:
        out += [f"**Scenario:** `{r.scenario}`", ""]
    out += [f"**Verdict: {verdict_label(r.verdict)}** · score {r.score}/100", ""]
    if r.notice:
        out += [f"> **Notice:** {md_inline(r.notice)}", ""]
    out += ["| criterion | status | decided by | evidence and notes |", "|---|---|---|---|"]
    for group in ([c for c in r.criteria if c.core], [c for c in r.criteria if not c.core]):
        for c in group:
            name = md_inline(criterion_title(c, rubric)) + f" (`{c.id}`" + (", core)" if c.core else ")")
            cell: list[str] = [f"“{md_inline(q)}”" for q in c.evidence[:3]]
            if c.status != "pass" or not c.evidence:
                if c.message:
                    cell.append(md_inline(c.message))
            if c.note:
                cell.append(f"**Coach's note:** {md_inline(c.note)}")
            status = status_text(c)
            by = decided_by(c)
            if c.source == "coach":
                status, by = f"**{status}**", f"**{by}**"
            out.append(f"| {name} | {status} | {by} | {'<br>'.join(cell) or ' '} |")
    out.append("")
    decisions = coach_decisions(r)
    if decisions:
        out += [f"{level}# Coach's overrides and notes", ""]
        for c in decisions:
            what = f"{c.id}: {status_text(c)}" + (f" (the grader said {c.auto_status})" if c.source == "coach" else "")
            out.append(f"- {md_inline(what)}" + (f": {md_inline(c.note)}" if c.note else ""))
        out.append("")
    if sec.follow_ups:
        out += [f"{level}# Follow-ups asked", ""]
        for fu in sec.follow_ups:
            out.append(f"- **Interviewer:** {md_inline(fu.question)}")
            out.append(f"  **Candidate:** {md_inline(fu.answer) or '*(no answer)*'}")
        out.append("")
    out += [f"{level}# KPI tree", "", *tree_list(r.tree), ""]
    if r.feedback:
        out += [f"{level}# Feedback", ""]
        if any(c.source == "coach" for c in r.criteria):
            out += [f"*{md_inline(STALE_FEEDBACK)}*", ""]
        out += [*feedback_markdown(r.feedback, level + "##"), ""]
    return out


def render_markdown(report: Report, rubric: Rubric | None = None) -> str:
    out = [f"# {md_inline(report.title)}", ""]
    facts = []
    if report.source:
        facts.append(f"**Source:** {md_inline(report.source)}")
    if report.candidate:
        facts.append(f"**Candidate:** {md_inline(report.candidate)}")
    if facts:
        out += ["  \n".join(facts), ""]
    for notice in report.notices:
        out += [f"> **Notice:** {md_inline(notice)}", ""]
    level = "##" if len(report.sections) > 1 else "#"
    for sec in report.sections:
        out += _section(sec, rubric, level)
    return "\n".join(out).rstrip("\n") + "\n"
