"""Data-driven rule tests: every case in tests/rules/*.yaml is graded and checked against the rubric.

Each YAML file is a list of cases (see ``Case``); a new rule gets its cases in a new file here.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from coach.grade import grade
from coach.result import GradeResult
from coach.rubric.context import Kind
from coach.rubric.model import load_rubric

RULES_DIR = Path(__file__).parent / "rules"
CRITERIA: frozenset[str] = frozenset(c.id for c in load_rubric().criteria)

Status = Literal["pass", "fail", "not_applicable"]


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    question: str
    kind: Kind | None = None
    ai_product: bool | None = None
    answer: str
    expect: dict[str, Status] = Field(min_length=1)
    evidence_contains: dict[str, str] = Field(default_factory=dict)


def _load() -> list[tuple[str, Case]]:
    cases: list[tuple[str, Case]] = []
    for path in sorted(RULES_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(raw, list), f"{path.name}: expected a list of cases"
        for item in raw:
            case = Case.model_validate(item)
            unknown = (set(case.expect) | set(case.evidence_contains)) - CRITERIA
            assert not unknown, f"{path.name}:{case.name}: unknown criteria {sorted(unknown)}"
            cases.append((path.stem, case))
    return cases


CASES = _load()
IDS = [f"{file}:{case.name}" for file, case in CASES]
_RESULTS: dict[str, GradeResult] = {}


def _graded(case_id: str, case: Case) -> GradeResult:
    if case_id not in _RESULTS:
        _RESULTS[case_id] = grade(case.answer, question=case.question, kind=case.kind, ai_product=case.ai_product)
    return _RESULTS[case_id]


def test_case_ids_are_unique() -> None:
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize(("file", "case"), CASES, ids=IDS)
def test_rule_case(file: str, case: Case) -> None:
    result = _graded(f"{file}:{case.name}", case)
    got = {cid: result.criterion(cid) for cid in case.expect}
    mismatched = {
        cid: f"expected {want}, got {got[cid].status if got[cid] else None}: {got[cid].message if got[cid] else ''}"
        for cid, want in case.expect.items()
        if got[cid] is None or got[cid].status != want
    }
    assert not mismatched, mismatched
    for cid, needle in case.evidence_contains.items():
        evidence = got[cid].evidence if got[cid] else []
        assert any(needle in quote for quote in evidence), f"{cid}: {needle!r} not in {evidence!r}"


@pytest.mark.parametrize(("file", "case"), CASES, ids=IDS)
def test_evidence_is_verbatim(file: str, case: Case) -> None:
    result = _graded(f"{file}:{case.name}", case)
    for criterion in result.criteria:
        for quote in criterion.evidence:
            assert quote in case.answer, f"{criterion.id}: {quote!r} is not a verbatim quote of the answer"


def test_every_criterion_has_a_passing_and_a_failing_case() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for _, case in CASES:
        for cid, status in case.expect.items():
            seen[cid].add(status)
    missing = {cid: sorted({"pass", "fail"} - seen[cid]) for cid in CRITERIA if not {"pass", "fail"} <= seen[cid]}
    assert not missing, missing


def _graded_walk(walk: str) -> GradeResult:
    """A walk after the same two-level tree, for the metric that moved."""
    answer = (
        "My top is weekly orders, the metric that moved. Weekly orders = active customers × orders per customer. "
        "Active customers = new + returning customers.\n" + walk
    )
    return grade(answer, question="Weekly orders dropped 10% last week. What would you do?")


@pytest.mark.parametrize(
    "walk",
    [
        "First I'd check whether active customers or orders per customer fell. If it's active customers, I'd split new vs returning, then cut returning by platform.",
        "Step 1: compare active customers vs orders per customer. Step 2: in whichever fell, segment by region and platform.",
        "I'd look at each component separately to see which one moved, then drill into that one by city and device.",
        "Diagnosis:\n1. customers vs orders per customer — which moved?\n2. inside the broken one: new vs returning\n3. cut by platform / region\n",
        "So I'd check the two branches, active customers and orders per customer. Say orders per customer fell; then I'd break it down by cohort and by app version.",
        "| step | what | why |\n|---|---|---|\n| 1 | active customers vs orders per customer | which factor moved |\n| 2 | new vs returning customers | inside customers |\n| 3 | by platform, region | isolate the break |\n",
        "i'd first see if its the customers or the orders per customer that dropped, and then if customers, look at new versus returning, and slice by ios and android",
        "To diagnose, I'd compare active customers with orders per customer week over week. Assuming active customers dropped, I'd decompose into new and returning customers and segment the returning ones by acquisition channel.",
        "Then go branch by branch. Orders per customer is probably flat. So the break should be in active customers: compare new customers vs returning customers, then split the returning ones by platform.",
        "Step 1: which factor fell? Step 2: inside the factor that fell, segment by platform and by region.",
    ],
)
def test_a_root_cause_walk_in_any_common_form_passes_rca(walk: str) -> None:
    graded = _graded_walk(walk)
    assert {c.id: c.status for c in graded.criteria}["rca"] == "pass"


D = "Weekly listeners = new + returning listeners. Guardrails: skip rate and churn."


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("I'd look at weekly listeners and also minutes per listener; both matter a lot. " + D, "fail"),
        ("Could be weekly listeners, could be minutes listened. Depends on the strategy. " + D, "fail"),
        ("The north star is engagement. " + D, "fail"),
        ("My north star is user happiness with podcasts. " + D, "fail"),
        ("I'd track weekly listeners, minutes listened, follows and shares. " + D, "fail"),
        ("For the north star, it's between weekly listeners and listening minutes. " + D, "fail"),
        (
            "My north star is weekly listeners. But listening minutes matters just as much, so really I'd run both "
            "side by side. " + D,
            "fail",
        ),
        (
            "I'd start with weekly listeners as the north star, though honestly minutes could be the north star too. "
            + D,
            "fail",
        ),
        ("I'd optimise for weekly listeners and listening minutes. " + D, "fail"),
        ("My north star is weekly listeners, or maybe listening minutes. Both work. " + D, "fail"),
        ("I'd go with weekly listeners. Or listening minutes. Honestly either. " + D, "fail"),
        ("Weekly listeners is a good north star, and so is listening minutes. " + D, "fail"),
        ("My north star would be weekly listeners, but I'd also report minutes at the same level. " + D, "fail"),
        ("I'd say the north star is making listeners successful. " + D, "fail"),
        ("I would choose weekly listeners as most important maybe, but also minutes is important. " + D, "fail"),
        ("I'd keep weekly listeners and listening minutes as co-headline metrics. " + D, "fail"),
        ("Honestly I keep going back and forth on what sits at the top here. " + D, "fail"),
        ("So, after going back and forth, the top metric I'm committing to is weekly listeners. " + D, "pass"),
        ("Memo — proposed north star for Spotify podcasts\n\nListener happiness is what matters. " + D, "fail"),
        ("I'll anchor on weekly listeners and treat minutes as downstream. " + D, "pass"),
        (
            "There are two candidates: weekly listeners and listening minutes. I'd go with weekly listeners. " + D,
            "pass",
        ),
        ("Weekly listeners or minutes? Minutes can be gamed by autoplay, so weekly listeners it is. " + D, "pass"),
        ("North star options: (a) weekly listeners, (b) minutes. I pick (a). " + D, "pass"),
        ("I'd steer by weekly podcast listeners. " + D, "pass"),
        (
            "The main thing I'd look at is whether people come back every week, so weekly returning listeners. " + D,
            "pass",
        ),
        ("Success for me is weekly listeners who play 10+ minutes. " + D, "pass"),
        ("We want more people listening each week, measured as weekly listeners with 10+ minutes. " + D, "pass"),
        ("Metric: weekly listeners (10+ min). " + D, "pass"),
        ("If I had to pick one it's weekly listeners. " + D, "pass"),
        (
            "Honestly I'd go for time spent listening, hmm, no, weekly listeners is better because time can be gamed. "
            + D,
            "pass",
        ),
    ],
)
def test_north_star_commits_chooses_or_hedges_in_any_common_form(answer: str, status: str) -> None:
    graded = grade(answer, question="How would you measure success for Spotify podcasts?")
    assert {c.id: c.status for c in graded.criteria}["north_star"] == status


G = " Guardrails: refund rate and courier wait time."


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (
            "Weekly orders = ordering customers × orders per customer. I'd check which factor fell, then cut the weaker one by city."
            + G,
            "pass",
        ),
        (
            "Orders are down 10%. I'd split orders into new and returning customers' orders and check which fell, then segment returning by platform."
            + G,
            "pass",
        ),
        ("Let's treat weekly orders as the top here. It breaks into customers times frequency." + G, "pass"),
        ("Starting from weekly orders: customers × orders per customer. Customers = new + returning." + G, "pass"),
        (
            "Orders fell 10%, probably a bug or a competitor promo. I'd look at the data and check with engineering."
            + G,
            "fail",
        ),
        (
            "Hmm, 10% is a lot. Maybe the app release broke something, maybe seasonality, maybe pricing. I'd check all three."
            + G,
            "fail",
        ),
        (
            "The top of my tree is the metric in the question, weekly orders. Orders = customers × frequency." + G,
            "pass",
        ),
        ("I'll work from weekly orders down. Weekly orders = ordering customers × orders per customer." + G, "pass"),
        ("Weekly orders is my starting node: it equals ordering customers times orders per customer." + G, "pass"),
    ],
)
def test_the_moved_metric_as_the_top_in_any_common_form(answer: str, status: str) -> None:
    graded = grade(answer, question="Weekly orders on our grocery app fell 10% last week. What would you do?")
    assert {c.id: c.status for c in graded.criteria}["north_star"] == status


@pytest.mark.parametrize(
    "tree_text",
    [
        "Weekly orders depends on two things: how many customers order and how often they order. How many customers order in turn depends on new customer acquisition and retention.",
        "It's driven by active customers and order frequency, and active customers are driven by acquisition and retention.",
        "Below weekly orders I'd put active customers and order frequency. Under active customers sit new customers and retained customers.",
        "The first level is active customers and order frequency. The second level under active customers is new customers and retained customers.",
        "Weekly orders comes from active customers times order frequency; active customers comes from new plus retained customers.",
        "Two drivers feed weekly orders: active customers and order frequency. Active customers itself has two inputs, new customers and retained customers.",
        "I'd break weekly orders into active customers and order frequency, then break active customers into new and retained customers.",
        "Active customers and order frequency roll up into weekly orders; new customers and retained customers roll up into active customers.",
        "Weekly orders <- active customers, order frequency. Active customers <- new customers, retained customers.",
        "Drivers of weekly orders: active customers (new + retained) and order frequency.",
        "Weekly orders comes from two places: ordering customers and orders per customer. Ordering customers in turn comes from new customers and returning customers.",
        "Weekly orders is driven by ordering customers and orders per customer, and ordering customers is itself new customers plus returning customers.",
        "Weekly orders = ordering customers × orders per customer; the customer side splits into new and returning customers.",
        "Weekly orders has two drivers, ordering customers and orders per customer. Underneath ordering customers are new customers and returning customers.",
        "Think of weekly orders as ordering customers times orders per customer. Ordering customers breaks into new and returning customers.",
        "Weekly orders depends on ordering customers and orders per customer; ordering customers depends on new customers and returning customers.",
        "Weekly orders ← ordering customers, orders per customer. Ordering customers ← new customers, returning customers.",
        "weekly orders: ordering customers x orders per customer. ordering customers: new + returning customers.",
        "Weekly orders is a function of ordering customers and orders per customer. Ordering customers is a function of new customers and returning customers.",
        "At level one, weekly orders splits into ordering customers and orders per customer; at level two, ordering customers splits into new customers and returning customers.",
        "I'd decompose weekly orders into ordering customers and orders per customer, and then decompose ordering customers into new customers and returning customers.",
        "Weekly orders rolls up from ordering customers and orders per customer. New customers and returning customers roll up into ordering customers.",
        "Ordering customers and orders per customer multiply to weekly orders; new customers and returning customers add up to ordering customers.",
        "Weekly orders: the product of ordering customers and orders per customer. Ordering customers: the sum of new customers and returning customers.",
        "so weekly orders is like ordering customers times how often they order, and the customers bit is new ones plus people coming back",
        "Weekly orders breaks down into ordering customers and orders per customer. The customer number itself is new customers plus returning customers.",
    ],
)
def test_a_two_level_tree_in_prose_passes_hierarchy(tree_text: str) -> None:
    graded = grade(
        "My north star is weekly orders. " + tree_text, question="How would you measure success for a grocery app?"
    )
    assert {c.id: c.status for c in graded.criteria}["hierarchy"] == "pass"


@pytest.mark.parametrize(
    "answer",
    [
        "Main metric for me is weekly orders. Weekly orders is equal customers multiply orders per customer. Customers is new customers plus old customers. I think fast delivery make orders per customer more, this need A/B test to know. Guardrail: cancel rate and refund rate not become bigger.",
        "I choose weekly orders like north star. It make from customers and orders per customer (customers x orders per customer). Customers = new + returning. My hypothesis: faster delivery give more orders per customer, we check with experiment. For guardrail I watch refund rate and courier earnings, they must not go down... refund must not go up.",
        "North star = weekly order. weekly order = active customer * order per customer; active customer = new customer + returning customer. hypothesis (need test): delivery time -> order per customer. guardrails: refund rate, app rating.",
    ],
)
def test_a_strong_answer_in_non_native_english_passes_the_core_criteria(answer: str) -> None:
    graded = grade(answer, question="How would you measure success for a food delivery app?")
    status = {c.id: c.status for c in graded.criteria}
    assert [status[k] for k in ("north_star", "hierarchy", "math_vs_causal", "guardrails")] == ["pass"] * 4


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "How would you measure success for a food delivery app?",
            "NS: wkly orders\nwkly orders = active custs x orders/cust\nactive custs = new + ret\n"
            "faster ETA -> orders/cust (hyp, A/B)\nGR: refund %, courier churn",
        ),
        (
            "Weekly orders fell 10%. Why?",
            "top = wkly orders (what moved)\n= custs × freq\ncusts = new + ret\nchk: custs vs freq\n"
            "if custs: new vs ret, then by city/platform\nhyp: app release broke checkout -> freq (A/B rollback)\n"
            "GR: refund %, CSAT",
        ),
    ],
)
def test_a_strong_answer_in_terse_notes_passes_every_core_criterion(question: str, answer: str) -> None:
    graded = grade(answer, question=question)
    core = {"north_star", "hierarchy", "math_vs_causal", "guardrails", "ai_layer", "rca"}
    judged = {c.id: c.status for c in graded.criteria if c.id in core and c.status != "not_applicable"}
    assert judged and set(judged.values()) == {"pass"}, judged


def test_a_ratio_guardrail_is_one_guardrail() -> None:
    graded = grade("NS: community health\nGR: reports / 1k msgs", question="What north star would you set for Discord?")
    assert {c.id: c.status for c in graded.criteria}["guardrails"] == "fail"


AI_BASE = (
    "My north star is weekly docs with an accepted suggestion. That equals weekly active writers times accepted "
    "suggestions per writer. I believe faster suggestions drive acceptance, which we'd A/B test. Guardrails: undo rate "
    "and complaint rate.\n"
)


@pytest.mark.parametrize(
    "model_layer",
    [
        "Under accepted suggestions per writer I'd put the model inputs: suggestion precision on an offline eval set and p95 latency.",
        "Model layer: hallucination rate and eval pass rate feed accepted suggestions per writer.",
        "Accepted suggestions per writer depends on model quality, measured as eval pass rate and factual error rate.",
        "- accepted suggestions per writer\n  - eval pass rate (offline)\n  - p95 latency\n",
        "Upstream of acceptance sit two model metrics: precision of suggestions and latency p95.",
        "I'd also track the model's thumbs-down rate as an input to accepted suggestions per writer.",
    ],
)
def test_a_model_layer_in_any_common_form_passes_ai_layer(model_layer: str) -> None:
    graded = grade(
        AI_BASE + model_layer, question="How would you measure success for an AI writing assistant in Google Docs?"
    )
    assert {c.id: c.status for c in graded.criteria}["ai_layer"] == "pass"


@pytest.mark.parametrize(
    "walk",
    [
        "I'd check active customers and orders per customer separately, and whichever fell I'd slice by city and device.",
        "Compare the two factors week over week; for the one that dropped, break it out by acquisition channel.",
        "First see if it's active customers or orders per customer. Then, within that branch, look per platform and per region.",
        "Which factor fell? Look at both. Then drill into the falling one across cities, platforms and customer tenure.",
        "I'd look at each of those separately to see which one fell, and then segment that one by cohort.",
        "Decompose the 10% into the contribution from active customers and from orders per customer, then split the bigger contributor by market.",
        "So the walk: active customers vs orders per customer first; then new vs returning inside customers; then iOS vs Android.",
    ],
)
def test_a_walk_that_names_its_cuts_in_prose_passes_rca(walk: str) -> None:
    graded = _graded_walk(walk)
    assert {c.id: c.status for c in graded.criteria}["rca"] == "pass"


def test_a_repeated_dimension_in_an_explanation_is_not_a_cut() -> None:
    answer = (
        "My top is weekly active seats. Weekly active seats = seats sold × weekly active share. "
        "Seats sold are up. The deals were sold on headcount, while HR teams roll out module by module and region by region."
    )
    graded = grade(
        answer, question="Seats sold are up 20%, but the share of seats active each week fell. What's going on?"
    )
    assert {c.id: c.status for c in graded.criteria}["rca"] == "fail"


def test_a_walk_in_a_conflicting_metric_question_that_checks_both_branches_then_cuts() -> None:
    answer = (
        "My top is weekly orders. Weekly orders = active customers × orders per customer. "
        "Since saves rose, customers probably didn't fall. I'd check both, then cut whichever fell by platform and "
        "by region."
    )
    graded = grade(
        answer, question="Saves per user are up 11% this quarter but weekly orders are down 7%. What would you do?"
    )
    assert {c.id: c.status for c in graded.criteria}["rca"] == "pass"


@pytest.mark.parametrize(
    "walk",
    [
        "I'd lay active customers and orders per customer side by side for the last eight weeks. If active customers is the one that fell, I'd then split it into new and returning customers.",
        "Which factor moved? Say active customers. Then: new vs returning customers, and inside returning, by platform.",
        "First compare the two factors. The drop is in active customers, so next I'd check new customers against returning customers.",
        "I'd check whether the drop sits in active customers or in orders per customer; whichever it is, I'd slice that one by region and by app version.",
        "Walk: (1) active customers vs orders per customer; (2) within the one that fell, new vs returning; (3) by city.",
        "Look at both components week over week. Suppose orders per customer is flat and active customers fell; I'd break active customers down by acquisition channel.",
        "My first cut is active customers versus orders per customer. If it's orders per customer, I'd look at it by customer tenure and by basket size.",
        "I'd see which of the two inputs dropped and then dig one level deeper into that input by segment: device, region, cohort.",
        "Diagnose by comparing active customers and orders per customer; then for the one that dropped, compare new and returning customers.",
        "So: which term moved, active customers or orders per customer? Then within that term I'd cut by platform and geography.",
        "It's either fewer customers or fewer orders each. I'd check both and then split whichever dropped by new versus returning and by city.",
        "Start at the top: is it active customers or orders per customer? Go one level down in that branch: new customers vs returning customers.",
        "I'd pull active customers and orders per customer. Active customers dropped, so I'd go one level deeper: new and returning customers, then segment returning by platform.",
        "Compare active customers with orders per customer; once I know which one moved, segment it by platform and country to find the break.",
        "I'd split the drop between active customers and orders per customer, then cut the bigger piece by channel.",
        "Split the drop: active customers ↓ or orders per customer ↓? Segment by acquisition source + platform.",
        "First, active customers vs orders per customer. I'd also segment by region and by app version.",
    ],
)
def test_a_root_cause_walk_in_more_everyday_forms_passes_rca(walk: str) -> None:
    graded = _graded_walk(walk)
    statuses = {c.id: c.status for c in graded.criteria}
    assert statuses["rca"] == "pass"
    assert graded.tree.north_star == "weekly orders"


@pytest.mark.parametrize(
    "model_layer",
    [
        "Under acceptance rate I'd put the model layer: hallucination rate and p95 latency, which I believe drive acceptance.",
        "Model inputs feeding acceptance rate: eval pass rate on our golden set, and thumbs-down rate.",
        "The bottom layer is model quality: groundedness score and p95 latency → acceptance rate.",
        "I'd add an input layer below acceptance rate — offline eval pass rate and online correction rate.",
        "Acceptance rate ⇐ hallucination rate (hypothesis, test by model A/B) and ⇐ latency p95.",
        "Offline: eval pass rate. Online: thumbs-down rate. Both sit upstream of acceptance rate.",
        "The model-side drivers of acceptance rate are recall on the golden set and the escalation rate.",
        "Below acceptance, the AI layer: factual error rate, p95 response time.",
        "I believe lower hallucination rate lifts acceptance rate; I'd test it with a model A/B.",
        "Inputs: precision and recall of the classifier, feeding acceptance rate.",
        "acceptance rate <- model quality: eval pass %, hallucination %",
    ],
)
def test_a_model_layer_in_more_everyday_forms_passes_ai_layer(model_layer: str) -> None:
    answer = (
        "My north star is weekly accepted drafts. Weekly accepted drafts = drafts shown × acceptance rate.\n"
        + model_layer
    )
    graded = grade(answer, question="How would you measure success for our AI email-drafting assistant?")
    assert {c.id: c.status for c in graded.criteria}["ai_layer"] == "pass"


@pytest.mark.parametrize(
    "answer",
    [
        "Weekly orders fell 10%. Weekly orders = active customers × orders per customer, so I'd first see which factor fell, then cut it by platform.",
        "Orders are down 10%. Orders break into active customers and orders per customer; I'd check both and then split the one that fell by region.",
        "ok so orders down ten percent. orders is customers times orders per customer. I'd look at which one dropped and then go by city.",
        "Let me decompose the drop: weekly orders = new customer orders + returning customer orders. I'd check both, then segment the one that fell by channel.",
        "Starting from weekly orders (the metric that dropped): it's active customers times orders per customer. Check which moved; then cut that by region.",
        "1. Weekly orders = customers × orders/customer. 2. Which fell? 3. Segment that one by platform and region.",
        "I'd treat the drop top-down. Weekly orders is the product of active customers and orders per customer; whichever fell, I'd break down by cohort.",
    ],
)
def test_working_down_from_the_moved_metric_names_it_and_walks_it(answer: str) -> None:
    graded = grade(answer, question="Weekly orders on our food delivery app dropped 10% last week. What would you do?")
    statuses = {c.id: c.status for c in graded.criteria}
    assert (statuses["north_star"], statuses["rca"]) == ("pass", "pass")


def test_a_walk_that_names_the_fallen_metric_by_its_head_word_is_about_it() -> None:
    answer = (
        "My top is habitual meditators. Habitual meditators = 30-day retained users × share reaching eight days. "
        "To diagnose the retention fall I'd first compare new cohorts with older ones, then segment the newer ones "
        "by reminder frequency and platform."
    )
    graded = grade(
        answer,
        question="Sessions started rose 14% after we added push reminders, but 30-day retention fell from 24% to 21%. How do you read this?",
    )
    assert {c.id: c.status for c in graded.criteria}["rca"] == "pass"
