"""The model's tree: quotes grounded in the answer, spans filled, reconciled with the offline parse."""

from __future__ import annotations

import pytest
from fake_openai import SAMPLE_ANSWER, link, node, sample_tree
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from coach.llm.quotes import locate
from coach.llm.reconcile import reconcile
from coach.llm.schema import LLMTree, to_tree, tree_json_schema
from coach.tree import Evidence, Link, Node, Tree


def test_locate_exact_and_forgiving():
    text = "Guardrails: skip  rate and\nthe “churn” – rate."
    assert locate(text, "skip  rate") == (12, 22)
    s, e = locate(text, "Skip rate and the")  # case and whitespace
    assert text[s:e] == "skip  rate and\nthe"
    s, e = locate(text, '"churn" - rate.')  # straight quotes and dash for curly ones
    assert text[s:e] == "“churn” – rate."
    assert locate(text, "'skip  rate'") == (12, 22)  # quoted quote
    assert locate(text, "retention") is None
    assert locate(text, "a") is None  # too short to be evidence


@given(st.text(min_size=1, max_size=80), st.data())
def test_any_substring_is_found_verbatim(answer, data):
    i = data.draw(st.integers(0, len(answer) - 1))
    j = data.draw(st.integers(i + 1, len(answer)))
    quote = answer[i:j]
    span = locate(answer, quote)
    if len(quote.strip()) < 2:
        return
    assert span is not None
    s, e = span
    assert 0 <= s < e <= len(answer)


def test_schema_is_strict_mode_friendly():
    schema = tree_json_schema()

    def walk(obj):
        if isinstance(obj, dict):
            if obj.get("type") == "object":
                assert obj.get("additionalProperties") is False
                assert set(obj["required"]) == set(obj["properties"])
            assert "default" not in obj
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(schema)


def test_good_tree_converts_with_spans():
    tree, dropped = to_tree(LLMTree.model_validate(sample_tree()), SAMPLE_ANSWER)
    assert dropped == []
    assert tree.north_star == "weekly listening hours"
    for item in [*tree.nodes, *tree.links]:
        assert item.evidence
        for ev in item.evidence:
            assert SAMPLE_ANSWER[ev.start : ev.end] == ev.quote


def test_invented_quotes_and_metrics_are_dropped():
    data = sample_tree()
    data["nodes"].append(node("revenue per user", "guardrail", "ARPU must stay flat"))
    data["nodes"].append(node("listening hours", "driver", "invented words"))  # its name is in the answer
    data["links"].append(link("weekly listening hours", "revenue per user", "math", "hours = revenue per user"))
    data["links"].append(link("hours per listener", "skip rate", "causal", "skips drive hours, per our test"))
    data["diagnosis"] = [{"quote": "I'd segment by platform", "metrics": [], "segments": ["platform"]}]
    data["notes"] = ["skip rate leads, hours lag"]
    tree, dropped = to_tree(LLMTree.model_validate(data), SAMPLE_ANSWER)
    names = {n.name for n in tree.nodes}
    assert "revenue per user" not in names
    assert "listening hours" in names  # grounded by its name
    assert ("hours per listener", "skip rate") not in {(lk.parent, lk.child) for lk in tree.links}
    assert tree.diagnosis == [] and tree.notes == []
    text = "\n".join(dropped)
    for bit in ("ARPU must stay flat", "revenue per user", "skips drive hours", "segment by platform", "lag"):
        assert bit in text


def test_a_dropped_north_star_leaves_none():
    data = sample_tree()
    data["north_star"] = "Revenue"
    data["nodes"][0] = node("Revenue", "north_star", "revenue is king", level=0)
    data["links"] = [lk for lk in data["links"] if lk["parent"] != "weekly listening hours"]
    tree, dropped = to_tree(LLMTree.model_validate(data), SAMPLE_ANSWER)
    assert tree.north_star is None and any("north star" in d for d in dropped)


def test_references_resolve_case_insensitively_or_fail_validation():
    data = sample_tree()
    data["links"][0]["parent"] = "Weekly Listening Hours"
    assert LLMTree.model_validate(data).links[0].parent == "weekly listening hours"
    data["links"][0]["child"] = "no such node"
    with pytest.raises(ValidationError, match="not the name of a node"):
        LLMTree.model_validate(data)
    data = sample_tree()
    data["nodes"].append(data["nodes"][1])
    with pytest.raises(ValidationError, match="unique"):
        LLMTree.model_validate(data)


def _ev(text: str) -> list[Evidence]:
    s = SAMPLE_ANSWER.index(text)
    return [Evidence(quote=text, start=s, end=s + len(text))]


def test_reconcile_records_who_found_what():
    llm, _ = to_tree(LLMTree.model_validate(sample_tree()), SAMPLE_ANSWER)
    offline = Tree(
        north_star="Weekly listening hours",
        nodes=[
            Node(name="Weekly listening hours", role="north_star", evidence=_ev("weekly listening hours")),
            Node(name="resurrected listeners", evidence=_ev("resurrected listeners")),
            Node(name="active listeners", evidence=_ev("active listeners")),
            Node(name="skip rate", role="guardrail", timing="leading", evidence=_ev("skip rate")),
        ],
        links=[
            Link(parent="active listeners", child="resurrected listeners", kind="math", evidence=_ev("sum of")),
            # would close a cycle through the model's tree: ignored
            Link(parent="active listeners", child="Weekly listening hours", evidence=_ev("Listening hours")),
        ],
    )
    tree, prov = reconcile(llm, offline)
    assert tree.north_star == "weekly listening hours" and prov.north_star == "both"
    assert prov.nodes["weekly listening hours"] == "both"
    assert prov.nodes["resurrected listeners"] == "offline"
    assert prov.nodes["playlist quality"] == "llm"
    assert prov.links["active listeners <- resurrected listeners"] == "offline"
    assert "active listeners <- weekly listening hours" not in prov.links
    assert tree.node("skip rate").timing == "leading"  # filled from the offline parse
    assert "found by both" in prov.summary()


def test_reconcile_with_an_empty_model_tree_is_the_offline_tree():
    offline = Tree(nodes=[Node(name="skip rate", role="guardrail", evidence=_ev("skip rate"))])
    tree, prov = reconcile(Tree(), offline)
    assert tree == offline and prov.nodes == {"skip rate": "offline"}
