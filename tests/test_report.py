"""Reports: Markdown and HTML escape everything from an answer; the SVG tree keeps link kinds apart."""

from __future__ import annotations

import html.parser
import re
import xml.dom.minidom

import pytest

from coach.report.html import render_html
from coach.report.markdown import md_inline, render_markdown
from coach.report.model import FollowUpQA, Report, ReportSection, feedback_blocks
from coach.report.svg import tree_svg, wrap_name
from coach.report.tree_export import export_tree, mermaid_text, to_dot, to_mermaid, to_text
from coach.result import CriterionResult, GradeResult
from coach.rubric.model import load_rubric
from coach.tree import Link, Node, Tree

RUBRIC = load_rubric()
EVIL = "<script>alert('x')</script> **bold** [link](javascript:alert(1)) | # <img src=x onerror=alert(2)>"

TREE = Tree(
    north_star="Weekly listening hours",
    nodes=[
        Node(name="Weekly listening hours", role="north_star"),
        Node(name="Active listeners"),
        Node(name="Hours per listener"),
        Node(name="New listeners"),
        Node(name="Retained listeners"),
        Node(name="Recommendation hit rate", role="ai_input"),
        Node(name=EVIL),
        Node(name="Early skip rate", role="guardrail"),
        Node(name="Premium churn", role="guardrail"),
    ],
    links=[
        Link(parent="Weekly listening hours", child="Active listeners", kind="math", operator="×"),
        Link(parent="Weekly listening hours", child="Hours per listener", kind="math", operator="×"),
        Link(parent="Active listeners", child="New listeners", kind="math", operator="+"),
        Link(parent="Active listeners", child="Retained listeners", kind="math", operator="+"),
        Link(parent="Hours per listener", child="Recommendation hit rate", kind="causal"),
        Link(parent="Retained listeners", child=EVIL, kind="unlabelled"),
    ],
)


def graded(**update) -> GradeResult:
    criteria = [
        CriterionResult(id="north_star", status="pass", core=True, evidence=[f"My north star is {EVIL}"]),
        CriterionResult(
            id="guardrails",
            status="pass",
            core=True,
            source="coach",
            auto_status="fail",
            note=f"named both after a nudge {EVIL}",
            prompted=True,
        ),
        CriterionResult(id="hierarchy", status="fail", core=True, message=f"too shallow {EVIL}"),
        CriterionResult(id="ai_layer", status="not_applicable", core=True),
        CriterionResult(id="owners", status="fail"),
    ]
    base = GradeResult(
        id="r1",
        verdict="hire",
        score=61,
        criteria=criteria,
        tree=TREE,
        feedback=f"## What worked\n- You said {EVIL}\n\n## What to fix\n1. Add depth.\n\nA closing {EVIL} line.",
        question=f"How would you measure success for {EVIL}?",
        notice=f"notice {EVIL}",
    )
    return base.model_copy(update=update)


def report() -> Report:
    section = ReportSection(
        graded(),
        heading="Question 1 of 1",
        line=3,
        answer=f"My answer {EVIL}",
        follow_ups=[FollowUpQA(f"What else {EVIL}?", f"Another guardrail {EVIL}")],
    )
    return Report([section], title=f"Report {EVIL}", source="mock.txt", candidate=f"Sam {EVIL}", notices=[EVIL])


class Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


def test_html_escapes_answer_text_everywhere_and_loads_nothing():
    page = render_html(report(), RUBRIC)
    parsed = Collector()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags  # no element came from the answer
    assert not any(name.startswith("on") for name, _ in parsed.attrs)  # no event handler attribute
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    # self-contained: no URL to fetch, and a policy that forbids fetching anyway
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", page)
    assert not re.search(r"url\((?!#)", page) and "@import" not in page  # only in-page references (#arrow)
    assert "default-src 'none'" in page
    # what the coach needs to see
    assert "<b>Coach's note:</b> named both after a nudge &lt;script&gt;" in page
    assert 'data-criterion="guardrails" data-status="pass" data-source="coach"' in page
    assert "auto: fail" in page and ">prompted<" in page
    assert page.count("<svg") == 1 and "Feedback" in page and "<h4>What worked</h4>" in page
    assert "<ol><li>Add depth.</li></ol>" in page


def test_markdown_escapes_answer_text_everywhere():
    md = render_markdown(report(), RUBRIC)
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    assert "\\*\\*bold\\*\\*" in md and "\\[link\\]\\(javascript:alert\\(1\\)\\)" in md
    # a pipe in the answer cannot break the scorecard table: every row has the same number of cells
    rows = [line for line in md.splitlines() if line.startswith("| ") and "`" in line]
    assert rows and all(len(re.split(r"(?<!\\)\|", r)) == 6 for r in rows)
    assert "| Two guardrail metrics (`guardrails`, core) | **✔ pass (prompted)** | **coach (auto: fail)** |" in md
    assert "**Coach's note:** named both after a nudge" in md
    assert "- **Interviewer:** What else &lt;script&gt;" in md
    assert "## What worked" in md and "1. Add depth." in md


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. item", "\\1. item"),
        ("a|b", "a\\|b"),
        ("<b>&", "&lt;b&gt;&amp;"),
        ("line\none", "line one"),
        ("bell\x07 esc\x1b[31m", "bell esc\\[31m"),
    ],
)
def test_md_inline(text, expected):
    assert md_inline(text) == expected


def test_feedback_blocks_keep_structure_only():
    blocks = feedback_blocks("## Verdict\nHire.\n\n## What to fix\n1. One\n2. Two\n- a\n  continued\n\nEnd.")
    assert blocks == [
        ("heading", "Verdict"),
        ("para", "Hire."),
        ("heading", "What to fix"),
        ("numbered", ["One", "Two"]),
        ("bullets", ["a continued"]),
        ("para", "End."),
    ]


def test_svg_draws_math_solid_causal_dotted_unlabelled_dashed_and_marks_roles():
    svg = tree_svg(TREE, standalone=True)
    doc = xml.dom.minidom.parseString(svg.encode("utf-8"))  # well-formed XML, even with <script> in a name
    paths = {(p.getAttribute("data-parent"), p.getAttribute("data-child")): p for p in doc.getElementsByTagName("path")}
    math = paths[("Weekly listening hours", "Active listeners")]
    causal = paths[("Hours per listener", "Recommendation hit rate")]
    unlabelled = paths[("Retained listeners", EVIL)]
    assert math.getAttribute("class") == "edge math" and not math.hasAttribute("stroke-dasharray")
    assert causal.getAttribute("class") == "edge causal" and causal.getAttribute("stroke-dasharray")
    assert unlabelled.getAttribute("class") == "edge unlabelled" and unlabelled.getAttribute("stroke-dasharray")
    assert causal.getAttribute("stroke-dasharray") != unlabelled.getAttribute("stroke-dasharray")
    groups = {g.getAttribute("data-name"): g.getAttribute("class") for g in doc.getElementsByTagName("g")}
    assert groups["Weekly listening hours"] == "node north-star"
    assert groups["Early skip rate"] == "node guardrail" and groups["Premium churn"] == "node guardrail"
    assert groups["Recommendation hit rate"] == "node ai-input"
    texts = " ".join(t.toxml() for t in doc.getElementsByTagName("text"))
    assert "GUARDRAIL" in texts and "AI INPUT" in texts and "NORTH STAR" in texts
    assert "Legend" in texts and "causal (hypothesis to test)" in texts
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    # the north star is on top, its children below it, their children further down
    ys = {g.getAttribute("data-name"): float(g.getElementsByTagName("rect")[0].getAttribute("y"))
          for g in doc.getElementsByTagName("g") if g.getAttribute("data-name")}  # fmt: skip
    assert ys["Weekly listening hours"] < ys["Active listeners"] < ys["New listeners"] < ys[EVIL]


def test_svg_handles_cycles_lone_metrics_and_empty_trees():
    cyclic = Tree(
        north_star="A",
        nodes=[Node(name="A"), Node(name="B"), Node(name="C"), Node(name="Loose")],
        links=[
            Link(parent="A", child="B", kind="math"),
            Link(parent="B", child="C", kind="causal"),
            Link(parent="C", child="B", kind="causal"),
            Link(parent="C", child="C", kind="causal"),
        ],
    )
    svg = tree_svg(cyclic)
    assert svg.count('class="edge cycle"') == 2 and "closes a cycle" in svg
    assert "Not linked to any other metric" in svg
    assert "No metrics were found" in tree_svg(Tree())
    assert tree_svg(cyclic) == svg  # deterministic


def test_wrap_name_keeps_long_names_in_the_box():
    lines = wrap_name("a " * 200 + "Supercalifragilisticexpialidocious" * 3)
    assert len(lines) == 3 and all(len(line) <= 26 for line in lines) and lines[-1].endswith("…")


def test_tree_exports():
    mermaid = to_mermaid(TREE)
    assert mermaid.startswith("flowchart TD")
    assert '-->|"#215;"|' in mermaid or '-->|"×"|' in mermaid
    assert '-.->|"causal"|' in mermaid and '-.->|"?"|' in mermaid
    assert "<script>" not in mermaid and "#60;script#62;" in mermaid
    assert "class n7,n8 guardrail" in mermaid
    assert mermaid_text('a "quoted" #x') == "a #34;quoted#34; #35;x"

    dot = to_dot(TREE)
    assert "style=solid" in dot and "style=dotted" in dot and "style=dashed" in dot
    assert '"Early skip rate" [label="guardrail: Early skip rate"' in dot
    assert '  "say \\"hi\\"\\\\" [label="say \\"hi\\"\\\\"];' in to_dot(Tree(nodes=[Node(name='say "hi"\\')]))

    text = to_text(TREE)
    assert text.splitlines()[0] == "★ Weekly listening hours  (north star)"
    assert "├── = Active listeners  (math ×)" in text
    assert "┄ Recommendation hit rate [AI input]  (causal)" in text
    assert "Guardrails (held beside the tree):" in text and "  Early skip rate [guardrail]" in text
    assert export_tree(TREE, "svg").startswith("<?xml")
    with pytest.raises(ValueError):
        export_tree(TREE, "png")
