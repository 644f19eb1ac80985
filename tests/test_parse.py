"""The offline parser: each way candidates write a tree becomes the same structure, and no text crashes it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.parse.offline import parse_answer
from coach.tree import Tree


def links(tree: Tree) -> set[tuple[str, str, str]]:
    return {(link.parent, link.child, link.kind) for link in tree.links}


def children(tree: Tree, parent: str) -> list[str]:
    return [link.child for link in tree.links if link.parent == parent]


def test_symbol_identity_with_north_star_declaration() -> None:
    tree = parse_answer(
        "North star: weekly riders.\nWeekly riders = new riders + returning riders + reactivated riders"
    )
    assert tree.north_star == "weekly riders"
    assert children(tree, "weekly riders") == ["new riders", "returning riders", "reactivated riders"]
    assert all(link.kind == "math" and link.operator == "+" for link in tree.links)


def test_identity_in_words_with_products_and_shared_head_noun() -> None:
    tree = parse_answer(
        "The metric I'd optimise is monthly bookings. Bookings equals visitors multiplied by booking conversion. "
        "Visitors is the sum of new, returning and referred visitors."
    )
    assert tree.north_star == "monthly bookings"
    assert ("monthly bookings", "visitors", "math") in links(tree)
    assert children(tree, "visitors") == ["new visitors", "returning visitors", "referred visitors"]
    ops = {link.child: link.operator for link in tree.links if link.parent == "monthly bookings"}
    assert ops == {"visitors": "×", "booking conversion": "×"}


def test_subtraction_and_division_operators() -> None:
    tree = parse_answer(
        "NS: net revenue.\nnet revenue = gross bookings − refunds\ncancel rate = cancelled orders / placed orders"
    )
    ops = {(link.parent, link.child): link.operator for link in tree.links}
    assert ops[("net revenue", "refunds")] == "-"
    assert ops[("cancel rate", "placed orders")] == "÷"


def test_causal_statements_are_labelled_and_unlabelled_ones_are_not() -> None:
    tree = parse_answer(
        "Top: weekly rides. I believe shorter pickup times drive weekly rides; that's a hypothesis for an A/B test. "
        "Driver supply drives pickup times."
    )
    kinds = {(link.parent, link.child): link.kind for link in tree.links}
    # "shorter" says which way the lever moves; the metric is the pickup time.
    assert kinds[("weekly rides", "pickup times")] == "causal"
    assert kinds[("pickup times", "Driver supply")] == "unlabelled"


def test_made_up_of_is_a_split_but_not_an_identity() -> None:
    tree = parse_answer("I'd anchor on paying teams. It's made up of new teams and renewing teams.")
    assert tree.north_star == "paying teams"
    assert {(p, c, k) for p, c, k in links(tree)} == {
        ("paying teams", "new teams", "unlabelled"),
        ("paying teams", "renewing teams", "unlabelled"),
    }


def test_indented_outline_with_leading_arrows() -> None:
    answer = "Top: weekly orders.\nweekly orders\n  -> demand\n       -> sessions\n       -> conversion\n  -> supply\n       -> open stores\n"
    tree = parse_answer(answer)
    assert children(tree, "weekly orders") == ["demand", "supply"]
    assert children(tree, "demand") == ["sessions", "conversion"]
    assert children(tree, "supply") == ["open stores"]


def test_dotted_arrows_are_causal_and_chains_point_up() -> None:
    tree = parse_answer(
        "NS: activated teams.\nactivated teams ⇠ invites sent, templates used\nseat price -> upgrade rate -> paid seats"
    )
    assert ("activated teams", "invites sent", "causal") in links(tree)
    assert ("paid seats", "upgrade rate", "unlabelled") in links(tree)
    assert ("upgrade rate", "seat price", "unlabelled") in links(tree)


def test_same_metric_written_two_ways_is_one_node() -> None:
    tree = parse_answer(
        "North star: D7 retention rate.\nD7 retention = onboarding completion × first-week habit rate\n"
        "Monthly active users (MAU) = new + returning. MAU is the base."
    )
    names = [n.name for n in tree.nodes]
    assert "D7 retention" not in names and tree.north_star == "D7 retention rate"
    assert children(tree, "D7 retention rate") == ["onboarding completion", "first-week habit rate"]
    mau = tree.node("Monthly active users")
    assert mau is not None and "MAU" in mau.aliases


def test_guardrails_in_many_forms() -> None:
    answer = (
        "Guardrails: refund rate and support tickets per order.\n"
        "Delivery time must not get worse, because faster promises tempt us to cut corners.\n"
        "Courier churn I treat as a guardrail, along with app rating."
    )
    tree = parse_answer(answer)
    assert [n.name for n in tree.guardrails()] == [
        "refund rate",
        "support tickets per order",
        "Delivery time",
        "Courier churn",
        "app rating",
    ]


def test_the_one_thing_protected_is_a_guardrail_not_the_top() -> None:
    for text in (
        "Bookings = bookers x bookings per booker. The one thing I'd protect is studio payout per booking.",
        "Bookings = bookers x bookings per booker. The one thing I'd keep an eye on so it doesn't go wrong "
        "is studio payout per booking, which can't go down.",
    ):
        tree = parse_answer(text)
        assert tree.north_star != "studio payout per booking", text
        assert [n.name for n in tree.guardrails()] == ["studio payout per booking"], text


def test_identities_spelled_with_defined_as_and_equals_the_product_of() -> None:
    tree = parse_answer(
        "My north star is lesson completion rate, defined as lessons completed divided by lessons started. "
        "Lessons completed equals the product of lessons started and the pass-through rate."
    )
    assert links(tree) >= {
        ("lesson completion rate", "lessons completed", "math"),
        ("lesson completion rate", "lessons started", "math"),
        ("lessons completed", "pass-through rate", "math"),
    }


def test_guardrail_lists_with_an_aside_or_a_verb_before_a_unit() -> None:
    aside = parse_answer(
        "Guardrails, um, designer seat churn shouldn't go up — if companies move engineers off full seats that's a "
        "cannibalization thing — and page load time on big files."
    )
    assert [n.name for n in aside.guardrails()] == ["designer seat churn", "page load time on big files"]
    verb = parse_answer("So two guardrails: vulnerabilities flagged per 1k lines, and revert rate of merged PRs.")
    assert [n.name for n in verb.guardrails()] == ["vulnerabilities flagged per 1k lines", "revert rate of merged PRs"]


def test_guardrails_watched_one_by_one_or_announced_by_count() -> None:
    watched = parse_answer(
        "Then guardrails, i'd watch return rate on those orders so we're not pushing bad purchases, and I'd watch "
        "overall search conversion so the assistant isn't just stealing orders from search."
    )
    assert [n.name for n in watched.guardrails()] == ["return rate on those orders", "overall search conversion"]
    counted = parse_answer(
        "I'd protect two things while we work: 30-day retention and paid conversion must not decline."
    )
    assert [n.name for n in counted.guardrails()] == ["30-day retention", "paid conversion"]


def test_an_announced_guardrail_list_in_the_sentences_after() -> None:
    enumerated = parse_answer(
        "Two guardrails sit beside the tree. First, course completion rate: if the app turns into a place for "
        "snacking, we've lost. Second, push-notification opt-out rate, because reminders are easy to abuse."
    )
    assert [n.name for n in enumerated.guardrails()] == ["course completion rate", "push-notification opt-out rate"]
    bare = parse_answer("Guardrails. Contribution margin per box; delivery on-time rate; contacts per 1,000 boxes.")
    assert [n.name for n in bare.guardrails()] == [
        "Contribution margin per box",
        "delivery on-time rate",
        "contacts per 1,000 boxes",
    ]
    prose = parse_answer("Guardrails. Then we ship the fix and see what happens.")
    assert prose.guardrails() == []


def test_guardrail_lists_with_fillers_and_bracketed_reasons() -> None:
    spoken = parse_answer("guardrails, um, i'd hold CSAT and repeat contact rate, because you can hide the button.")
    assert [n.name for n in spoken.guardrails()] == ["CSAT", "repeat contact rate"]
    bracketed = parse_answer(
        "We must not make worse two things: the rate of people who switch off notifications, and the rate of "
        "sessions completed (we don't want starts that people stop after 20 seconds)."
    )
    assert [n.name for n in bracketed.guardrails()] == [
        "rate of people who switch off notifications",
        "rate of sessions completed",
    ]


def test_guardrail_bullets_under_a_heading() -> None:
    tree = parse_answer("## Guardrails\n- Host cancellation rate\n- Review score\n")
    assert [n.name for n in tree.guardrails()] == ["Host cancellation rate", "Review score"]


def test_two_top_metrics_without_a_choice() -> None:
    tree = parse_answer("I have two candidates and I'd keep both: weekly active users, and revenue per user.")
    assert tree.north_star is None
    assert tree.north_star_candidates == ["weekly active users", "revenue per user"]


def test_diagnosis_steps_keep_metrics_and_segments() -> None:
    answer = (
        "North star: trips. Trips = riders × trips per rider.\n"
        "Diagnosis: I'd check riders and trips per rider separately, then segment the one that fell by city and platform."
    )
    tree = parse_answer(answer)
    step = tree.diagnosis[-1]
    assert {"riders", "trips per rider"} <= set(step.metrics)
    assert any(s.endswith("by") or "city" in s for s in step.segments)


def test_every_evidence_quote_is_verbatim_with_its_span() -> None:
    answer = "So, um, the north star is weekly listeners.\nWeekly listeners = new listeners + returning listeners.\n"
    tree = parse_answer(answer)
    quotes = [e for n in tree.nodes for e in n.evidence] + [e for link in tree.links for e in link.evidence]
    assert quotes
    for ev in quotes:
        assert ev.start is not None and ev.end is not None
        assert answer[ev.start : ev.end] == ev.quote


def test_a_cycle_is_kept_not_fatal() -> None:
    tree = parse_answer("Top: orders.\norders <- selection\nselection <- restaurants\nrestaurants <- orders\n")
    assert ("restaurants", "orders", "unlabelled") in links(tree)
    assert ("orders", "selection", "unlabelled") in links(tree)


def test_empty_and_metricless_answers_give_an_empty_tree() -> None:
    assert parse_answer("") == Tree()
    assert parse_answer("I would look at the data and talk to the team.").links == []


def test_tree_round_trips_through_json() -> None:
    tree = parse_answer(
        "North star: weekly riders.\nWeekly riders = new riders + returning riders\nGuardrails: ETA and cancellations."
    )
    assert Tree.model_validate_json(tree.model_dump_json()) == tree


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_parser_never_crashes_on_any_text(text: str) -> None:
    tree = parse_answer(text)
    for ev in [e for n in tree.nodes for e in n.evidence]:
        assert text[ev.start : ev.end] == ev.quote


_PIECES = st.sampled_from(
    [
        "North star:",
        "NS:",
        "=",
        "+",
        "×",
        "->",
        "<-",
        "⇠",
        "(math)",
        "[causal]",
        "Guardrails:",
        "must not rise",
        "I believe",
        "drives",
        "is driven by",
        "\n",
        "\n  ",
        "- ",
        "## ",
        "MAU",
        "new users",
        "retention",
        ",",
        ".",
        " and ",
        "(",
        ")",
        ":",
        "it equals",
        "the sum of",
        "Diagnosis:",
        "by platform",
        "both",
        "L2 under MAU:",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_parser_never_crashes_on_structure_fragments(pieces: list[str]) -> None:
    text = " ".join(pieces)
    tree = parse_answer(text)
    names = {n.name for n in tree.nodes}
    assert all(link.parent in names and link.child in names for link in tree.links)


def test_north_star_phrasings() -> None:
    cases = {
        "So the north star I'd hold the ranking team to is 7-day retention, with CTR as a diagnostic.": "7-day retention",
        "I'd set the north star as the share of trips rated five stars by riders within a day of the ride.": "share of trips rated five stars by riders",
        "Top node here is weekly basket value, since that's what moved.": "weekly basket value",
        "I'll make booked nights my top metric.": "booked nights",
        "Orders is the metric I'd anchor on.": "Orders",
        "so what I'd steer by is, like, weekly trips checked out on a cart, across all stores.": "weekly trips checked out on a cart",
        "Bookings is what moved, so okay, bookings stays my top and everything hangs under it.": "bookings",
        "I'd be clear that what I'm looking at is completed rides, and that equals requests times completion rate.": "completed rides",
    }
    for text, expected in cases.items():
        assert parse_answer(text).north_star == expected, text


def test_scope_opened_by_for_x_and_a_group_count_is_not_a_metric() -> None:
    said = parse_answer(
        "I'd anchor on weekly orders. For weekly orders, you've got ordering customers and orders per customer."
    )
    assert set(children(said, "weekly orders")) == {"ordering customers", "orders per customer"}
    counted = parse_answer(
        "I'd anchor on weekly orders. Under weekly orders there are basically two halves, "
        "ordering customers and orders per customer."
    )
    assert set(children(counted, "weekly orders")) == {"ordering customers", "orders per customer"}


def test_identity_forms_with_a_pointer_an_aside_or_a_sum_over_segments() -> None:
    pointer = parse_answer(
        "Weekly active teams is the right headline. The figure is the sum of three flows: "
        "new teams, retained teams, and dormant teams that came back."
    )
    assert set(children(pointer, "Weekly active teams")) == {
        "new teams",
        "retained teams",
        "dormant teams that came back",
    }
    aside = parse_answer(
        "My north star is resolution rate. The rate is retrieval hit rate – did it pull a relevant article – "
        "times answer correctness, times follow-through rate."
    )
    assert set(children(aside, "resolution rate")) == {
        "retrieval hit rate",
        "answer correctness",
        "follow-through rate",
    }
    summed = parse_answer(
        "My north star is resolution rate. Resolution is the sum over categories of category share times "
        "category resolution."
    )
    assert set(children(summed, "resolution rate")) == {"category share", "category resolution"}


def test_a_how_many_term_keeps_its_verb_and_answers_to_its_noun() -> None:
    tree = parse_answer(
        "Active listings is how many sellers are listing times listings per seller. "
        "And sellers you can split into professional sellers plus private sellers."
    )
    assert set(children(tree, "Active listings")) == {"how many sellers are listing", "listings per seller"}
    assert set(children(tree, "how many sellers are listing")) == {"professional sellers", "private sellers"}


def test_if_its_a_branch_puts_the_branch_in_focus() -> None:
    tree = parse_answer(
        "MAM equals retained merchants plus newly activated merchants plus reactivated merchants. "
        "If it's new merchants, that's a funnel: signups times activation rate. "
        "If it's concentrated in free teams, my hypothesis is that pricing broke the habit."
    )
    assert {"signups", "activation rate"} <= set(children(tree, "newly activated merchants"))
    assert not any("concentrated" in n.name for n in tree.nodes)


def test_a_hypothesis_after_an_aside_names_its_cause() -> None:
    tree = parse_answer("I'm treating MAM as the top here. My suspicion, and it's just a suspicion, is micro sellers.")
    assert links(tree) == {("MAM", "micro sellers", "causal")}


def test_under_x_with_a_bare_list_and_terms_with_a_clause() -> None:
    tree = parse_answer(
        "My north star is repeat rate, and it's repeat buyers divided by the first-time-buyer cohort it's measured on. "
        "Repeat buyers equals the share we reach for a reorder times conversion. "
        "And under conversion, autoship enrolment, reminder emails delivered, stock-outs on the top SKUs."
    )
    assert set(children(tree, "repeat rate")) == {"repeat buyers", "first-time-buyer cohort"}
    assert set(children(tree, "repeat buyers")) == {"share we reach for a reorder", "conversion"}
    assert set(children(tree, "conversion")) == {
        "autoship enrolment",
        "reminder emails delivered",
        "stock-outs on the top SKUs",
    }


def test_those_are_my_guardrails_takes_what_was_watched() -> None:
    tree = parse_answer(
        "Whatever the fix is I'd keep an eye on contribution margin per order so we don't discount our way back, "
        "and on email unsubscribe rate so we don't spam people. Those are my two guardrails."
    )
    assert [n.name for n in tree.guardrails()] == ["contribution margin per order", "email unsubscribe rate"]


def test_under_a_quoted_name_i_put_and_a_sum_of_a_bracketed_product() -> None:
    tree = parse_answer(
        "My north star is good FCR. Good FCR = resolution rate × share with rating 4-5. "
        "Under 'share with rating 4-5' I put answer accuracy and hallucination rate on policy facts. "
        "Resolution rate = sum of (share of ticket type × resolution of that type)."
    )
    assert set(children(tree, "share with rating 4-5")) == {"answer accuracy", "hallucination rate on policy facts"}
    assert set(children(tree, "resolution rate")) == {"share of ticket type", "resolution of that type"}
    product = parse_answer(
        "CSAT is a product of two things: the share of tickets resolved the first time, "
        "multiplied by how satisfied customers are when resolved."
    )
    assert len(children(product, "CSAT")) == 2


def test_top_with_children_underneath_and_separate_a_from_b() -> None:
    tree = parse_answer(
        "So activated team workspaces per week is my top metric, with new team workspaces and the funnel steps "
        "underneath it."
    )
    assert tree.north_star == "activated team workspaces per week"
    assert set(children(tree, "activated team workspaces per week")) == {"new team workspaces", "funnel steps"}
    apart = parse_answer(
        "My north star is weekly active seats. Weekly active seats equal organisations times the share of purchased "
        "seats that are weekly active. Under the active share, I'd separate activation, meaning a seat whose "
        "developer signed in, from week-over-week retention of activated developers."
    )
    assert set(children(apart, "share of purchased seats that are weekly active")) == {
        "activation",
        "week-over-week retention of activated developers",
    }


def test_spoken_under_x_without_a_comma() -> None:
    tree = parse_answer(
        "My top is weekly minutes. Weekly minutes equals starts times minutes per start. "
        "so under minutes per start i'd split it into episode length times percent played. "
        "and under starts it's weekly listeners times starts per listener"
    )
    assert set(children(tree, "minutes per start")) == {"episode length", "percent played"}
    assert set(children(tree, "starts")) == {"weekly listeners", "starts per listener"}


def test_hypotheses_stated_as_supposing_believing_or_under_a_causal_label() -> None:
    labelled = parse_answer(
        "My north star is resolution rate. Resolution rate = resolved / handled.\n"
        "- Causal: I think retrieval precision is the link that broke – needs an offline replay to confirm."
    )
    assert ("resolution rate", "retrieval precision", "causal") in links(labelled)
    believed = parse_answer(
        "My north star is active teams. Active teams = paying teams × weekly team activity rate.\n"
        "- Weekly team activity rate: I believe teams who set up the brand kit have higher activity."
    )
    assert any(p == "weekly team activity rate" and k == "causal" for p, _, k in links(believed))


def test_a_link_named_as_a_hypothesis_is_causal() -> None:
    tree = parse_answer(
        "My north star is pipeline dollars. Pipeline dollars equal flagged leads times conversion of flagged leads. "
        "I'd expect the conversion of flagged leads to depend on precision. "
        "I'd treat the precision-to-conversion link as a hypothesis and check it with a holdout."
    )
    assert ("conversion of flagged leads", "precision", "causal") in links(tree)
    spelled = parse_answer(
        "My north star is orders. Orders = sessions × conversion. "
        "I would test the link from ETA accuracy to conversion with an A/B test."
    )
    assert ("conversion", "ETA accuracy", "causal") in links(spelled)


def test_a_drawn_connector_labelled_causal_labels_the_link_below_it() -> None:
    tree = parse_answer(
        "completion rate\n"
        "  = lessons completed ÷ lessons started\n"
        "  └── lessons completed\n"
        "        = lessons started × pass-through\n"
        "              ┊ causal (hypothesis; test with a holdback)\n"
        "              ┊\n"
        "        model quality inputs\n"
        "          │\n"
        "          ├── eval pass rate\n"
        "          └── p95 latency per turn\n"
    )
    assert ("lessons completed", "model quality inputs", "causal") in links(tree)
    assert ("model quality inputs", "eval pass rate", "unlabelled") in links(tree)


def test_a_self_posed_question_names_the_top_and_depends_on_is_not_a_hedge() -> None:
    assert parse_answer("Which metric matters? Completion rate.\nWhy? It went down.").north_star == "Completion rate"
    tree = parse_answer(
        "The thing I'd run the team on is summaries opened per week. "
        "My bet is that open rate depends on whether past summaries were any good."
    )
    assert tree.north_star == "summaries opened per week"
    assert tree.north_star_candidates == []


def test_letters_the_answer_defines_stand_for_their_metrics() -> None:
    answer = (
        "Let W = weekly active boards. W = N + R + D, where N is boards created this week, R is boards retained, "
        "and D is dormant boards revived.\n"
        "R = W(t−1) × r, where r is week-over-week board retention.\n"
        "N = U × b, with U = users creating boards and b = boards per creating user."
    )
    tree = parse_answer(answer)
    assert set(children(tree, "weekly active boards")) == {
        "boards created this week",
        "boards retained",
        "dormant boards revived",
    }
    assert set(children(tree, "boards retained")) == {"week-over-week board retention"}
    assert set(children(tree, "boards created this week")) == {"users creating boards", "boards per creating user"}
    for ev in [e for n in tree.nodes for e in n.evidence]:
        assert answer[ev.start : ev.end] == ev.quote


def test_idioms_that_look_like_cues_do_not_name_or_open_metrics() -> None:
    assert parse_answer("My north star is orders. By definition it equals visits × conversion.").links
    on_top = parse_answer(
        "Top: weekly uploads. My hypothesis: indoor uploads fell among cyclists, on top of a holiday base effect."
    )
    assert on_top.north_star == "weekly uploads"
    for_me = parse_answer("So for me success for this is really about trust. That's the top thing.")
    assert not any(n.name.lower().startswith(("for me", "me ")) for n in for_me.nodes)
    about = parse_answer(
        "My north star is resolution rate. The way I think about resolution rate is it comes from retrieval."
    )
    assert not any(n.name.startswith("about") for n in about.nodes)


def test_the_numerator_and_denominator_point_at_the_last_ratio() -> None:
    tree = parse_answer(
        "My north star is response coverage. Response coverage is replied emails divided by received emails. "
        "The numerator splits into replies after a summary plus unprompted replies. "
        "The denominator breaks into work emails and newsletters."
    )
    assert set(children(tree, "replied emails")) == {"replies after a summary", "unprompted replies"}
    assert set(children(tree, "received emails")) == {"work emails", "newsletters"}


def test_a_sum_written_with_sigma_and_drive_as_a_noun() -> None:
    sigma = parse_answer(
        "My north star is weekly active seats. Weekly active seats = seats sold × active share. "
        "Active share = Σ over cohorts of (cohort seats × cohort active share) ÷ total seats."
    )
    assert set(children(sigma, "active share")) == {"cohort seats", "cohort active share", "total seats"}
    legs = parse_answer(
        "My north star is on-time rate. Actual time equals merchant wait plus drive to the store plus drive to the "
        "customer plus the extra stops."
    )
    assert set(children(legs, "Actual time")) == {
        "merchant wait",
        "drive to the store",
        "drive to the customer",
        "extra stops",
    }
    assert legs.north_star == "on-time rate"


def test_a_plan_heading_and_an_unnamed_branch_are_not_metrics() -> None:
    tree = parse_answer(
        "So I'll define the top line as new streamers with 2+ streams in their first 30 days.\n"
        "To read it properly:\n"
        "- If even the legacy ones dropped, I'd go one level down.\n"
    )
    assert tree.north_star == "new streamers with 2+ streams in their first 30 days"
    assert {n.name for n in tree.nodes} == {"new streamers with 2+ streams in their first 30 days"}
    by_identity = parse_answer("The top of my tree is weekly active seats. By identity that number is seats × share.")
    assert set(children(by_identity, "weekly active seats")) == {"seats", "share"}


def test_a_drill_down_path_of_dimensions_is_a_chain_of_cuts() -> None:
    from coach.parse.build import segments_in

    assert segments_in("in the higher one: reason codes → category → size questions") == ["reason codes", "category"]
    assert segments_in("Likely the new pricing page → fewer signups.") == []


def test_a_statement_about_the_top_is_not_a_new_top() -> None:
    tree = parse_answer(
        "My north star is weekly edits. I believe the main metric is driven by the quality of the model, so I put "
        "two model metrics connected directly to the main metric: suggestion precision and p95 latency."
    )
    assert tree.north_star == "weekly edits"
    assert {("weekly edits", "suggestion precision", "causal"), ("weekly edits", "p95 latency", "causal")} <= links(
        tree
    )


def test_a_bullet_label_that_names_no_metric_lists_children_of_the_row_above() -> None:
    tree = parse_answer(
        "Acceptance rate\n"
        " - accepted drafts\n"
        " - upstream from the model: eval pass rate on test set, hallucination rate (wrong names), latency p95\n"
    )
    assert set(children(tree, "Acceptance rate")) == {
        "accepted drafts",
        "eval pass rate on test set",
        "hallucination rate",
        "latency p95",
    }


@pytest.mark.parametrize(
    ("text", "top"),
    [
        ("The number I'd hold the team accountable for is weekly paying riders.", "weekly paying riders"),
        ("I'd pick weekly paying riders as the north star.", "weekly paying riders"),
        ("North star → weekly paying riders.", "weekly paying riders"),
        ("NSM: weekly paying riders", "weekly paying riders"),
        ("My primary success metric would be weekly paying riders.", "weekly paying riders"),
        ("I'd measure success by weekly paying riders.", "weekly paying riders"),
        ("The one metric I'd watch above all is weekly paying riders.", "weekly paying riders"),
        ("If I could only track one thing it would be weekly paying riders.", "weekly paying riders"),
        ("Weekly paying riders would be my north star.", "weekly paying riders"),
        ("I'd anchor everything on weekly paying riders.", "weekly paying riders"),
        ("Let me go with weekly paying riders as the top-line.", "weekly paying riders"),
        ("So my answer is weekly paying riders.", "weekly paying riders"),
        ("The KPI I'd optimise is weekly paying riders.", "weekly paying riders"),
        ("Our goal metric: weekly paying riders.", "weekly paying riders"),
        ("I'd define success as weekly paying riders.", "weekly paying riders"),
        ("Top of the tree: weekly paying riders.", "weekly paying riders"),
        ("I think the best north star is weekly paying riders, because it captures value.", "weekly paying riders"),
        ("north star metric = weekly paying riders", "weekly paying riders"),
        ("**North Star:** weekly paying riders", "weekly paying riders"),
        ("# North star\nWeekly paying riders\n", "Weekly paying riders"),
        ("i would say the north star is, um, weekly paying riders i guess", "weekly paying riders"),
        ("For me the key metric is weekly paying riders.", "weekly paying riders"),
        ("The metric that best captures value is weekly paying riders.", "weekly paying riders"),
        ("I'd use weekly paying riders as my main KPI.", "weekly paying riders"),
        ("What I'd optimise for is weekly paying riders.", "weekly paying riders"),
        ("I'll focus on weekly paying riders.", "weekly paying riders"),
        ("The guiding metric should be weekly paying riders.", "weekly paying riders"),
        ("My NS: weekly paying riders (riders with ≥1 paid trip/wk).", "weekly paying riders"),
        ("I'd steer the team by weekly paying riders.", "weekly paying riders"),
        ("The north star I'd propose is weekly paying riders.", "weekly paying riders"),
        ("Main metric — weekly paying riders.", "weekly paying riders"),
        ("I choose weekly paying riders as north star metric.", "weekly paying riders"),
        ("In my opinion, north star should be the weekly paying riders.", "weekly paying riders"),
        ("Weekly paying riders is the metric I'd commit to.", "weekly paying riders"),
        ("I'd rally the team around weekly paying riders.", "weekly paying riders"),
        ("Headline metric: weekly paying riders.", "weekly paying riders"),
        ("We should track weekly paying riders as our north star.", "weekly paying riders"),
        ("The best single measure of success is weekly paying riders.", "weekly paying riders"),
        ("I'd judge the launch on weekly paying riders.", "weekly paying riders"),
    ],
)
def test_a_north_star_stated_in_any_common_form(text: str, top: str) -> None:
    assert (parse_answer(text).north_star or "").lower() == top.lower()


@pytest.mark.parametrize(
    "text",
    [
        "Guardrails: refund rate and support tickets per order.",
        "Counter-metrics: refund rate, support tickets per order.",
        "I'd keep an eye on refund rate and support tickets per order so we don't trade quality for volume.",
        "refund rate and support tickets per order must not get worse.",
        "I wouldn't want refund rate or support tickets per order to go up.",
        "Two guardrails: refund rate, and support tickets per order.",
        "As guardrails I'd track refund rate and support tickets per order.",
        "We have to make sure refund rate and support tickets per order don't regress.",
        "Health metrics would be refund rate and support tickets per order.",
        "On the guardrail side, refund rate and support tickets per order.",
        "Guardrail metrics:\n- refund rate\n- support tickets per order\n",
        "The counter metrics I'd watch are refund rate and support tickets per order.",
        "To keep us honest I'd monitor refund rate and support tickets per order.",
        "I'd put two guardrails in place: refund rate and support tickets per order.",
        "Things that shouldn't move: refund rate, support tickets per order.",
        "Meanwhile refund rate should stay flat and support tickets per order can't increase.",
        "guardrails would be like refund rate and um support tickets per order",
        "Guardrails → refund rate; support tickets per order.",
        "And we need guardrails, for example refund rate and support tickets per order.",
        "I'd also set two tripwires: refund rate and support tickets per order.",
        "The do-no-harm metrics are refund rate and support tickets per order.",
        "We should not hurt refund rate or support tickets per order while doing this.",
        "Protect refund rate and support tickets per order.",
        "Balancing metrics: refund rate and support tickets per order.",
        "For guardrails I'd choose refund rate and also support tickets per order.",
        "I'll watch refund rate and support tickets per order as guardrails.",
        "and guardrails, so while we do that I'd watch, uh, refund rate because refunds get expensive, and support tickets per order, because people complain.",
        "I'd set two guardrails: we're pushing volume, so refund rate must not rise, and we shouldn't overload support, so support tickets per order must not rise.",
        "and guardrails — if we fix it with more prompts, I'd watch refund rate and I'd watch support tickets per order. those shouldn't get worse.",
        "guardrails, I'd watch two. one is refund rate. two is, um, whether people get annoyed, so I'd watch support tickets per order so we're not just pushing the cost elsewhere.",
        "GR (must not regress while fixing): refund rate, support tickets per order",
        "Guardrails: I wouldn't want refund rate or support tickets per order to get worse while we chase orders.",
        "tripwires either way — refund rate, because refunds cost us, and support tickets per order, that must not climb.",
        "I'd make sure we're not creating problems — I'd watch refund rate, because it costs us, and I'd watch support tickets per order; those shouldn't get worse.",
        "and then what i'd make sure doesn't get worse, first one, refund rate, if people send things back that's awful, second one, support tickets per order",
    ],
)
def test_two_guardrails_stated_in_any_common_form(text: str) -> None:
    assert {n.name.lower() for n in parse_answer(text).guardrails()} == {"refund rate", "support tickets per order"}


def test_a_count_of_guardrails_is_not_one_of_them() -> None:
    tree = parse_answer(
        "While we fix it I'd keep an eye on two things so they don't get worse, sell-through rate and buyer "
        "conversion, because buyers suffer otherwise. For guardrails I put two."
    )
    assert [n.name for n in tree.guardrails()] == ["sell-through rate", "buyer conversion"]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Weekly orders = ordering customers × orders per customer.", {"ordering customers", "orders per customer"}),
        (
            "Weekly orders equals ordering customers times orders per customer.",
            {"ordering customers", "orders per customer"},
        ),
        (
            "Weekly orders is ordering customers multiplied by orders per customer.",
            {"ordering customers", "orders per customer"},
        ),
        (
            "Weekly orders is the product of ordering customers and orders per customer.",
            {"ordering customers", "orders per customer"},
        ),
        (
            "Mathematically, weekly orders breaks down into ordering customers times orders per customer.",
            {"ordering customers", "orders per customer"},
        ),
        ("Weekly orders = ordering customers * orders per customer", {"ordering customers", "orders per customer"}),
        ("Weekly orders = ordering customers x orders per customer", {"ordering customers", "orders per customer"}),
        (
            "Weekly orders can be written as ordering customers times orders per customer.",
            {"ordering customers", "orders per customer"},
        ),
        (
            "Weekly orders decomposes as ordering customers × orders per customer.",
            {"ordering customers", "orders per customer"},
        ),
        (
            "Weekly orders = new customers' orders + returning customers' orders.",
            {"new customers' orders", "returning customers' orders"},
        ),
        (
            "Weekly orders is the sum of new-customer orders and repeat orders.",
            {"new-customer orders", "repeat orders"},
        ),
        (
            "Weekly orders:\n  = ordering customers\n  × orders per customer\n",
            {"ordering customers", "orders per customer"},
        ),
        (
            "| metric | formula |\n|---|---|\n| weekly orders | ordering customers × orders per customer |\n",
            {"ordering customers", "orders per customer"},
        ),
        (
            "Weekly orders is basically ordering customers times how often each one orders.",
            {"ordering customers", "how often each one orders"},
        ),
        (
            "weekly orders is just ordering customers times orders per customer, that's the identity",
            {"ordering customers", "orders per customer"},
        ),
        (
            "Weekly orders is, across all cities, active customers times orders per customer.",
            {"active customers", "orders per customer"},
        ),
        (
            "Weekly orders = Σ (active customers × orders per customer) over cities.",
            {"active customers", "orders per customer"},
        ),
        (
            "weekly orders = sum(active customers x orders per customer) by city",
            {"active customers", "orders per customer"},
        ),
        (
            "I'd break weekly orders into, um, ordering customers times orders per customer.",
            {"ordering customers", "orders per customer"},
        ),
        (
            "and that basically equals ordering customers times orders per customer once it's with the team.",
            {"ordering customers", "orders per customer"},
        ),
        (
            "and I'd write it as ordering customers times orders per customer.",
            {"ordering customers", "orders per customer"},
        ),
        (
            "Weekly orders is the product of two things: visits where the cart was full, times checkout rate.",
            {"visits where the cart was full", "checkout rate"},
        ),
        (
            "Weekly orders equals, summed over segments, each segment's active customers multiplied by that segment's orders per customer.",
            {"segment's active customers", "segment's orders per customer"},
        ),
    ],
)
def test_an_identity_written_in_any_common_form(text: str, terms: set[str]) -> None:
    tree = parse_answer("My north star is weekly orders.\n" + text)
    got = {link.child.lower() for link in tree.links if link.parent.lower() == "weekly orders" and link.kind == "math"}
    assert got == {t.lower() for t in terms}


@pytest.mark.parametrize(
    "text",
    [
        "I believe faster delivery drives orders per customer.",
        "My hypothesis is that faster delivery increases orders per customer.",
        "Faster delivery probably drives orders per customer, but we'd need an A/B test to confirm.",
        "I suspect faster delivery lifts orders per customer; that's causal, not math.",
        "Causal: faster delivery → orders per customer (to be tested).",
        "faster delivery ⇢ orders per customer (hypothesis)",
        "orders per customer ⇠ faster delivery (causal)",
        "I'd bet that faster delivery moves orders per customer, which I'd validate with a holdout.",
        "There's likely a causal link from faster delivery to orders per customer that we should test.",
        "Faster delivery is correlated with orders per customer, but I'd run an experiment before claiming causation.",
        "Hypothesis: faster delivery raises orders per customer.",
        "I think faster delivery drives orders per customer — that's a hypothesis I'd test with a geo experiment.",
        "Faster delivery should increase orders per customer; we can test this with an A/B test.",
        "orders per customer is probably driven by faster delivery (needs an experiment to prove).",
        "We think faster delivery could drive orders per customer; to verify, run a randomized test.",
        "faster delivery - - -> orders per customer (dotted line = hypothesis)",
        "My guess is that faster delivery boosts orders per customer. I'd want to A/B test it.",
        "The causal bet: faster delivery grows orders per customer.",
    ],
)
def test_a_causal_hypothesis_stated_in_any_common_form(text: str) -> None:
    tree = parse_answer(
        "My north star is weekly orders. Weekly orders = ordering customers × orders per customer.\n" + text
    )
    assert any(
        link.kind == "causal" and link.parent == "orders per customer" and "faster delivery" in link.child.lower()
        for link in tree.links
    )


@pytest.mark.parametrize(
    "text",
    [
        "For orders per customer, I suspect faster delivery is the main driver; I'd A/B test it.",
        "Orders per customer: I suspect faster delivery is the main driver; I'd A/B test it.",
        "For orders per customer, I think faster delivery is the main driver, we'd have to A/B test it.",
        "orders per customer is the harder one. i think faster delivery is the main driver there, we'd have to A/B test it",
        "I believe faster delivery is what moves orders per customer.",
        "Faster delivery is the main lever that drives orders per customer, I'd test that.",
        "What drives orders per customer? My hypothesis: faster delivery. I'd test it.",
        "What drives orders per customer? I'd bet on faster delivery, and I'd test it with a holdout.",
        "On orders per customer, my bet is that faster delivery is the biggest lever, to be confirmed with an experiment.",
    ],
)
def test_a_hypothesis_about_a_named_driver_hangs_under_that_driver(text: str) -> None:
    tree = parse_answer(
        "My north star is weekly orders. Weekly orders = ordering customers × orders per customer.\n" + text
    )
    assert tree.north_star == "weekly orders"
    causal = {(link.parent, link.child.lower()) for link in tree.links if link.kind == "causal"}
    assert causal == {("orders per customer", "faster delivery")}


@pytest.mark.parametrize(
    "text",
    [
        "North star: weekly orders.\nWeekly orders = customers × orders per customer.\nCustomers = new + returning.",
        "My north star is weekly orders. It splits into customers and orders per customer. Customers in turn break into new and returning customers.",
        "# North star\nWeekly orders\n## Drivers\n- Customers\n  - New customers\n  - Returning customers\n- Orders per customer\n",
        "Top: weekly orders\nL1: customers, orders per customer\nL2 (under customers): new customers, returning customers\n",
        "I'd anchor on weekly orders. Underneath it sit customers and orders per customer. Under customers I'd have new customers and returning customers.",
        "My north star is weekly orders. Weekly orders is customers times orders per customer, and customers is new plus returning customers.",
        "so my north star would be weekly orders, and that's basically customers times orders per customer, and then customers you can split into new ones and returning ones",
        "NS = weekly orders\n= customers x orders/customer\ncustomers = new + returning",
        "Weekly orders (my north star)\n  1. Customers\n     a. New customers\n     b. Returning customers\n  2. Orders per customer\n",
        "My top metric is weekly orders. Level 1: customers and orders per customer. Level 2: customers = new customers + returning customers.",
    ],
)
def test_a_two_level_tree_drawn_or_written_in_any_common_form(text: str) -> None:
    tree = parse_answer(text)
    assert (tree.north_star or "").lower() == "weekly orders"
    assert children(tree, tree.north_star or "")
    under_customers = [c for n in tree.nodes if n.name.lower() == "customers" for c in children(tree, n.name)]
    assert len(under_customers) == 2


def test_the_issues_own_examples_read_as_an_interviewer_would() -> None:
    spoken = parse_answer(
        "ok so um i think for duolingo the thing i'd care about is daily active learners who finish at least one "
        "lesson that would be my north star i guess and um that breaks into like new learners plus retained learners"
    )
    assert spoken.north_star == "daily active learners who finish at least one lesson"
    assert set(children(spoken, spoken.north_star)) == {"new learners", "retained learners"}
    groups = parse_answer(
        "daily active learners is the sum of three groups: new learners, plus retained learners, plus resurrected learners"
    )
    assert set(children(groups, "daily active learners")) == {
        "new learners",
        "retained learners",
        "resurrected learners",
    }
    assert not any("groups" in n.name for n in groups.nodes)
    committed = parse_answer(
        "So the metric I'd commit to is daily active learners who complete at least one lesson. "
        "That's my north star, and it's an output metric."
    )
    assert committed.north_star == "daily active learners who complete at least one lesson"
    pointer = parse_answer(
        "The number I'd put at the top is monthly paid workers. That top number is the product of two things: "
        "active companies multiplied by paid workers per company."
    )
    assert set(children(pointer, "monthly paid workers")) == {"active companies", "paid workers per company"}


def test_a_fronted_metric_with_its_parts_after_thats() -> None:
    tree = parse_answer(
        "The thing I'd run it on is active paid workers. It's made up of active companies and workers per company. "
        "Companies, that's new companies signing and the ones that stay. "
        "And workers per company, that's like contractors, EOR employees, and then payroll employees."
    )
    assert set(children(tree, "workers per company")) >= {"contractors", "EOR employees"}
    assert not any(n.name.startswith("ones") for n in tree.nodes)
    share = parse_answer(
        "My north star is collaborating teams. Collaborating teams is paid teams times the share that collaborate, "
        "and that share I think is driven by brand kit setup, which I'd test."
    )
    assert not any(n.name == "share" for n in share.nodes)


def test_fillers_and_contractions_are_not_metrics() -> None:
    tree = parse_answer(
        "My north star is weekly orders. Guardrails, I'd watch return rate so we're not pushing people into bad "
        "purchases, and I'd watch search conversion, wait, actually total orders per shopper."
    )
    names = {n.name for n in tree.nodes}
    assert not names & {"wait", "'re not", "we're not"}


@pytest.mark.parametrize(
    "text",
    [
        "Orders per customer, I believe, depends on delivery speed; we'd A/B test that.",
        "My hypothesis is that orders per customer hinges on delivery speed, to be confirmed with an experiment.",
        "Orders per customer probably comes down to delivery speed, which is a hypothesis we'd test.",
        "I suspect orders per customer is a function of delivery speed (causal, needs a test).",
        "We'd test whether delivery speed affects orders per customer with a geo holdout.",
        "One bet: cut delivery speed and orders per customer goes up. We'd validate with an experiment.",
        "orders per customer ← delivery speed (causal; validate via A/B)",
        "Delivery speed --> orders per customer [hypothesis]",
        "Causal link (to test): delivery speed => orders per customer",
    ],
)
def test_an_effect_first_or_tested_hypothesis_is_causal(text: str) -> None:
    tree = parse_answer(
        "My north star is weekly orders. Weekly orders = ordering customers × orders per customer.\n" + text
    )
    assert any(
        link.kind == "causal" and link.parent == "orders per customer" and "delivery speed" in link.child.lower()
        for link in tree.links
    )


W = "weekly paying riders"


@pytest.mark.parametrize(
    "text",
    [
        f"The number we should be trying to grow is {W}.",
        f"We win if {W} goes up.",
        f"### North Star Metric\n{W.capitalize()} — riders with at least one paid trip in the week.\n",
        f"North Star Metric\n\n{W.capitalize()}, defined as riders with a paid trip that week.\n",
        f"**NSM → {W}**",
        f"I'm going to say {W} is the north star here.",
        f"I'd make {W} the north star.",
        f"{W.capitalize()}. That's the north star.",
        f"Let's say the NSM is {W}.",
        f"The primary KPI: {W}.",
        f"My one metric: {W}.",
        f"The north star has to be {W}.",
        f"I'd want to see {W} grow; that's what I'd hold the team to.",
        f"What matters most here is {W}.",
        f"The headline number I'd report is {W}.",
        f"Top line: {W}.",
        f"I would pick {W}, since it reflects value.",
        f"North star - {W}",
        f"I'd optimize for {W}.",
        f"It all comes back to {W}, that's the north star.",
        f"Goal: grow {W}.",
        f"I'd set {W} as the north star metric.",
        f"The KPI that matters most is {W}.",
        f"So overall, the north star = {W}.",
        f"Key metric = {W}.",
        f"My North Star would be {W.title()}.",
        f"In terms of a north star, I'd go for {W}.",
        f"As a north star, {W}.",
        f"For the north star I'd choose {W}.",
        f"The north star I'm proposing: {W}.",
        f"For me the main metric to optimize is {W}.",
        f"so what I'd measure, the headline for me would be, um, {W}, people who ride at least once.",
        f"The headline would be {W}.",
        f"Let R = {W}. R is the metric I'd track.",
        f"[ {W} ]   ← the top; it's the rider-facing outcome\n├ new riders\n└ returning riders",
        f"{W} <-- north star\n  - new riders\n  - returning riders",
        f"{W.capitalize()} — this is the top.",
        f"{W}   <- what moved, -10%\n = new riders + returning riders",
        f"{W}   <== NORTH STAR\n",
        f"the metric I'd anchor on, I'd keep it as {W} since that's what moved.",
        f"## The number: {W}\nWhy: riders pay for trips.",
        f"Q: What is the product for?\nA: Getting people to work.\n\nQ: So what's the one number?\nA: {W.capitalize()}.",
        f"└─ {W}      <-- the one I'd pick",
        f"{W}        <- what I'd steer by",
        f"{W}   ← my pick; it's what the business bills on",
        f"If I had to pick just one to focus on, after all that, I'd say {W} — since that's what matters.",
        f"Moved metric: {W} −8% QoQ.\nTreat it as the top & walk down.",
        f"- Metric that moved: {W}, −14% QoQ\n- I'll treat that as the top of the tree for this exercise.",
        f"I would treat {W} as the metric I am explaining and structure the investigation around its parts.",
        f"so i'm gonna treat {W} as the top and just work down from it.",
        f"The only number what matter here is {W}. Trips booked is vanity.",
        f"What is success here? Riders coming back. How would I know? Which number? {W.capitalize()}.",
        f"I was gonna say trips booked, but no, that's a setup action. What I really care about is {W}.",
    ],
)
def test_a_north_star_in_more_everyday_forms(text: str) -> None:
    assert (parse_answer(text).north_star or "").lower() == W


@pytest.mark.parametrize(
    "outline",
    [
        "1. Active customers\n1.1 New customers\n1.2 Returning customers\n2. Orders per customer\n",
        "Weekly orders\n→ active customers\n   → new customers\n   → returning customers\n→ orders per customer\n",
        "weekly orders\n  |-- active customers\n  |     |-- new customers\n  |     `-- returning customers\n  `-- orders per customer\n",
        "- Weekly orders\n    - Active customers\n        - New customers\n        - Returning customers\n    - Orders per customer\n",
        "Weekly orders: active customers, orders per customer.\nActive customers: new customers, returning customers.\n",
        "Weekly orders\n\tActive customers\n\t\tNew customers\n\t\tReturning customers\n\tOrders per customer\n",
    ],
)
def test_a_two_level_outline_in_any_common_layout(outline: str) -> None:
    tree = parse_answer("My north star is weekly orders.\n" + outline)
    kids: dict[str, set[str]] = {}
    for link in tree.links:
        kids.setdefault(link.parent.lower(), set()).add(link.child.lower())
    assert "active customers" in kids.get("weekly orders", set())
    assert {"new customers", "returning customers"} <= kids.get("active customers", set())


@pytest.mark.parametrize(
    ("text", "top"),
    [
        (
            "My first thought is total rides. Actually no — weekly paying riders is the better north star, because rides can be inflated by a few heavy users.",
            "weekly paying riders",
        ),
        ("North star: total rides. Hmm, on reflection I'd switch to weekly paying riders.", "weekly paying riders"),
        (
            "I'd start with revenue, but revenue lags, so let me change my answer to weekly paying riders.",
            "weekly paying riders",
        ),
        (
            "Let's go with total rides... no wait, weekly paying riders, since it's closer to value.",
            "weekly paying riders",
        ),
        (
            "Initially I'd say rides per week. On second thought, weekly paying riders is the one.",
            "weekly paying riders",
        ),
        ("So the north star... rides? revenue? I'll settle on weekly paying riders.", "weekly paying riders"),
        ("I was going to pick GMV, but I'll go with weekly paying riders instead.", "weekly paying riders"),
        ("Let me revise: the north star is weekly paying riders, not total rides.", "weekly paying riders"),
        ("Rather than total rides, my north star is weekly paying riders.", "weekly paying riders"),
        (
            "After walking through all this, my final pick for the north star is weekly paying riders.",
            "weekly paying riders",
        ),
        ("To wrap up: north star = weekly paying riders.", "weekly paying riders"),
    ],
)
def test_a_north_star_reconsidered_ends_on_the_last_choice(text: str, top: str) -> None:
    assert (parse_answer(text).north_star or "").lower() == top


@pytest.mark.parametrize(
    ("text", "guards"),
    [
        ("Keep app rating above 4.5 and refund rate below 2%.", {"app rating", "refund rate"}),
        ("Constraints: app rating ≥ 4.5, refund rate ≤ 2%.", {"app rating", "refund rate"}),
        ("Guardrails (must hold): app rating, refund rate.", {"app rating", "refund rate"}),
        ("App rating and refund rate are my guardrails.", {"app rating", "refund rate"}),
        ("We shouldn't see app rating fall or refund rate climb.", {"app rating", "refund rate"}),
        ("App rating can't drop below 4.5, and refund rate can't exceed 2%.", {"app rating", "refund rate"}),
        ("Alongside it, two safety checks: app rating and refund rate.", {"app rating", "refund rate"}),
        ("Watch-outs: app rating, refund rate.", {"app rating", "refund rate"}),
    ],
)
def test_guardrails_held_to_thresholds_or_named_as_checks(text: str, guards: set[str]) -> None:
    assert {n.name.lower() for n in parse_answer(text).guardrails()} == guards


def test_a_threshold_in_a_definition_is_not_a_guardrail() -> None:
    tree = parse_answer("NS: weekly devs w/ ≥1 accepted suggestion.\nGuardrail: assistant disable rate.")
    assert [n.name for n in tree.guardrails()] == ["assistant disable rate"]


def test_metrics_checked_inside_a_branch_sit_under_it() -> None:
    tree = parse_answer(
        "My top is acceptance rate. Acceptance rate = accepted drafts / drafts shown. "
        "If accepted drafts is decreasing, I'd check the hallucination rate and the latency p95 by model version."
    )
    assert set(children(tree, "accepted drafts")) == {"hallucination rate", "latency p95"}


def test_a_stage_word_with_a_qualifier_heads_a_model_metric_under_a_branch() -> None:
    # "offline eval:" once reached the tree as the stage "offline eval", which the tree model rejects (a crash).
    tree = parse_answer(
        "North star: complaints per 1k receipts.\n\n"
        "complaints per 1k = error incidence × complaint propensity\n\n"
        "1. **Error incidence** — how often the auto-fill is wrong\n"
        "   - offline eval: precision on our labelled receipt set\n"
        "   - online check: correction rate in production\n"
        "2. **Complaint propensity**\n"
        "   - placement of the feedback button\n"
    )
    stages = {n.name: n.stage for n in tree.nodes if n.stage}
    assert stages == {"precision on our labelled receipt set": "offline", "correction rate in production": "online"}


def test_a_list_item_with_a_relative_clause_keeps_its_verbs() -> None:
    tree = parse_answer(
        "My north star is monthly active sellers. The seller base is made up of new sellers, sellers who were "
        "active last month and came back, and lapsed sellers who returned."
    )
    assert set(children(tree, "monthly active sellers")) == {
        "new sellers",
        "sellers who were active last month and came back",
        "lapsed sellers who returned",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Okay so deliveries per courier hour, down ten percent in two weeks, that's a big move for an efficiency number.",
        "Once the segment is isolated, I'd watch monthly active sellers recover over the following weeks.",
    ],
)
def test_how_a_metric_moved_or_a_phrase_about_it_is_not_a_metric(text: str) -> None:
    tree = parse_answer(text)
    assert not tree.links
    assert not any(n.name.lower().startswith(("for an", "down ten", "following")) for n in tree.nodes)


@pytest.mark.parametrize(
    ("first", "second"),
    [("The first piece", "The second piece"), ("The first one", "The second one"), ("The former", "The latter")],
)
def test_a_part_named_by_its_place_in_the_split(first: str, second: str) -> None:
    tree = parse_answer(
        "My north star is weekly orders. That top number breaks into two pieces: new customers, and returning "
        f"customers. {first} depends on paid reach and referral invites. {second} depends on delivery reliability "
        "and menu breadth."
    )
    assert set(children(tree, "new customers")) == {"paid reach", "referral invites"}
    assert set(children(tree, "returning customers")) == {"delivery reliability", "menu breadth"}


@pytest.mark.parametrize(
    "table",
    [
        "| Metric | Parent | Link |\n|---|---|---|\n| Weekly orders | — | top |\n"
        "| Ordering customers | Weekly orders | × |\n| Orders per customer | Weekly orders | × |\n"
        "| New customers | Ordering customers | + |\n| Returning customers | Ordering customers | + |\n"
        "| Delivery speed | Orders per customer | causal — hypothesis, A/B test it |\n",
        "| level | metric | parent | link |\n|---|---|---|---|\n| top | **Weekly orders** (paid, delivered) | — | — |\n"
        "| L1 | ordering customers | top | top = customers × orders per customer |\n"
        "| L1 | orders per customer | top | (same identity) = |\n"
        "| L2 | new customers | ordering customers | customers = new + returning |\n"
        "| L2 | returning customers | ordering customers | + |\n"
        "| L2 | delivery speed | orders per customer | hypothesis: faster delivery lifts it; test via holdout |\n",
    ],
)
def test_a_table_with_a_parent_column_is_a_tree(table: str) -> None:
    tree = parse_answer(table)
    assert (tree.north_star or "").lower() == "weekly orders"
    kinds = {(link.parent.lower(), link.child.lower()): link.kind for link in tree.links}
    assert kinds == {
        ("weekly orders", "ordering customers"): "math",
        ("weekly orders", "orders per customer"): "math",
        ("ordering customers", "new customers"): "math",
        ("ordering customers", "returning customers"): "math",
        ("orders per customer", "delivery speed"): "causal",
    }


def test_a_test_promised_in_the_next_sentence_makes_the_claim_a_hypothesis() -> None:
    tree = parse_answer(
        "My north star is weekly orders. Faster delivery lifts orders per customer. "
        "I'd test that with a holdout in two cities."
    )
    assert [(link.child, link.kind) for link in tree.links] == [("Faster delivery", "causal")]


def test_a_noun_that_is_also_a_verb_is_not_a_link() -> None:
    tree = parse_answer(
        "My north star is monthly active sellers. If it's the rate, I'd segment — casual sellers versus power "
        "sellers, iOS versus android, and category."
    )
    assert not tree.links


def test_a_header_that_says_which_metric_fell_opens_its_cuts() -> None:
    tree = parse_answer(
        "Top metric: weekly follows.\n\nWeekly follows = show-page visitors × follow rate\n\n"
        "Follow rate fell, so cut it:\n- by iOS version\n- by entry surface\n"
    )
    assert set(children(tree, "follow rate")) == {"iOS version", "entry surface"}


def test_the_things_under_a_fronted_metric_are_its_children() -> None:
    tree = parse_answer(
        "My north star is weekly active drivers. Weekly active drivers = new drivers + returning drivers. "
        "and returning drivers, the things under that are what a driver makes per hour and, like, how many trips "
        "they get per hour."
    )
    assert set(children(tree, "returning drivers")) == {
        "what a driver makes per hour",
        "how many trips they get per hour",
    }


@pytest.mark.parametrize(
    "second",
    [
        "The first factor is itself the sum of new customers and returning customers.",
        "The first factor splits further into new customers plus returning customers.",
        "For ordering customers, it depend on new customers and returning customers.",
    ],
)
def test_a_second_level_named_by_reference(second: str) -> None:
    tree = parse_answer(
        "My north star is weekly orders. Weekly orders = ordering customers × orders per customer. " + second
    )
    assert set(children(tree, "ordering customers")) == {"new customers", "returning customers"}


def test_that_count_points_back_to_the_metric_in_focus() -> None:
    tree = parse_answer(
        "The metric I'd steer by is the number of weekly exporters. That count is the product of two things: "
        "weekly openers, multiplied by the export share."
    )
    assert set(children(tree, tree.north_star or "")) == {"weekly openers", "export share"}


def test_a_branch_announced_then_written_as_an_identity() -> None:
    tree = parse_answer(
        "My north star is customer success. Under it I'd put two branches. The first is the paid hosting base: "
        "paid sites equal last month's paid sites plus new upgrades minus cancellations."
    )
    assert {(link.parent, link.child, link.kind) for link in tree.links} == {
        ("customer success", "paid hosting base", "unlabelled"),
        ("paid sites", "last month's paid sites", "math"),
        ("paid sites", "new upgrades", "math"),
        ("paid sites", "cancellations", "math"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "I'd balance it with refund rate and support tickets per order.",
        "Paired with it, I'd watch refund rate and support tickets per order so we don't grow the wrong way.",
        "The flip side to watch: refund rate and support tickets per order.",
        "Counterweights are refund rate and support tickets per order.",
        "We can't let refund rate or support tickets per order creep up.",
        "If refund rate or support tickets per order go up, that's a red flag even if orders grow.",
        "Refund rate and support tickets per order are my guardrails.",
        "Guard-rail metrics – refund rate, support tickets per order.",
        "What could go wrong: refund rate rises, support tickets per order rise. Those two I'd monitor as guardrails.",
        "Two things must hold steady: refund rate and support tickets per order.",
        "I'd put a ceiling on refund rate and on support tickets per order.",
        "The cost of growth shows up in refund rate and support tickets per order, so those are the counter-metrics.",
        "Don't-break metrics: refund rate; support tickets per order.",
        "Meanwhile I'd make sure refund rate stays under 3% and support tickets per order stay flat.",
        "To protect the customer experience I'd track refund rate and support tickets per order alongside.",
        "Also watching refund rate + support tickets per order as counter metrics.",
        "guardrails → refund rate, support tickets/order",
        "Keep an eye on refund rate and support tickets per order — neither should get worse.",
        "My two counter metrics would be refund rate and support tickets per order.",
    ],
)
def test_two_guardrails_in_more_everyday_forms(text: str) -> None:
    names = {n.name.lower() for n in parse_answer("My north star is weekly orders.\n" + text).guardrails()}
    assert names in ({"refund rate", "support tickets per order"}, {"refund rate", "support tickets/order"})


@pytest.mark.parametrize(
    "text",
    [
        "Faster delivery should push orders per customer up, but that's a hypothesis until we test it.",
        "I'd expect faster delivery to lift orders per customer; we'd confirm with an A/B test.",
        "Orders per customer probably responds to faster delivery — a causal guess worth an experiment.",
        "My theory: faster delivery → more orders per customer. Needs a holdout to prove.",
        "Faster delivery (hypothesis) ⇒ orders per customer.",
        "We think faster delivery increases orders per customer; we'd validate it with a geo test.",
        "The causal bet is that faster delivery raises orders per customer.",
        "A dotted line from faster delivery to orders per customer: it's a hypothesis, not an identity.",
        "I'd A/B test whether faster delivery raises orders per customer.",
        "Faster delivery likely feeds orders per customer (untested).",
        "If we make delivery faster, orders per customer should go up — something to test with a holdout.",
        "I'd want to prove that faster delivery causes more orders per customer before investing.",
        "The link from faster delivery to orders per customer is correlational so far; an experiment would settle it.",
        "Faster delivery is a lever on orders per customer, which I'd test with an A/B.",
        "Hypothesis #1: faster delivery → orders per customer ↑.",
        "Faster delivery could be what drives orders per customer, though I'd need a test to know.",
        "I believe delivery speed is a key driver of orders per customer, and I'd test it.",
    ],
)
def test_a_causal_hypothesis_in_more_everyday_forms(text: str) -> None:
    tree = parse_answer(
        "My north star is weekly orders. Weekly orders = ordering customers × orders per customer.\n" + text
    )
    assert any(
        link.kind == "causal" and link.parent == "orders per customer" and "deliver" in link.child.lower()
        for link in tree.links
    )


def test_a_bracketed_group_is_expanded_even_with_a_trailing_aside() -> None:
    tree = parse_answer(
        "Top metric: good resolutions per 100 tickets = FCR × satisfied share.\n"
        "FCR = 1 − (reopen rate + transfer rate), roughly."
    )
    assert children(tree, "FCR") == ["reopen rate", "transfer rate"]


def test_a_north_star_after_a_dash_aside_or_named_as_the_root() -> None:
    aside = parse_answer("So the number I'd run the team on is — let me say it properly — weekly kept drafts.")
    assert aside.north_star == "weekly kept drafts"
    root = parse_answer("The root is ARR. Mathematically, ARR equals new ARR plus expansion ARR.")
    assert root.north_star == "ARR"
    assert parse_answer("The root cause is a broken release.").north_star is None


def test_the_formula_is_a_label_not_a_metric() -> None:
    tree = parse_answer("And the formula is pipeline dollars equals flagged leads times conversion times deal size.")
    assert children(tree, "pipeline dollars") == ["flagged leads", "conversion", "deal size"]
    assert tree.node("formula") is None


def test_a_guardrail_item_with_its_own_relative_clause_is_still_an_item() -> None:
    tree = parse_answer(
        "guardrails while we do that, I'd watch push opt-outs so we don't spam people, "
        "and the share of uploads that are really short."
    )
    assert [n.name for n in tree.nodes if n.role == "guardrail"] == ["push opt-outs", "share of uploads"]


def test_tops_offered_earlier_and_kept_both_at_the_end() -> None:
    tree = parse_answer(
        "Let me think about the top metric. One option is chip insertions per weekly active user. Another is chip "
        "click-through rate. I go back and forth. Actually I think insertions is better, no, wait.\n\n"
        "Whichever we pick, the structure is:\n"
        "- Insertions per WAU = (menu inserts + autocomplete inserts) ÷ WAU\n"
        "- CTR = chip clicks ÷ chip impressions\n\n"
        "Guardrails either way: p95 doc load time and chip revert rate.\n\n"
        "I'd probably bring both to the team and let the first weeks of data decide."
    )
    assert tree.north_star is None
    assert len(tree.north_star_candidates) >= 2
    assert "p95 doc load time" not in tree.north_star_candidates


def test_less_as_a_comparative_is_not_a_minus() -> None:
    tree = parse_answer(
        "The survival is coming from the first week activity, and first week activity is made up of how many members "
        "join and how much each member writes. First I check: the drop in messages per server, it is because less "
        "members join, or because members write less?"
    )
    assert not [link for link in tree.links if link.kind == "math"]
    net = parse_answer("Net revenue = gross bookings less refunds.")
    assert children(net, "Net revenue") == ["gross bookings", "refunds"]


def test_a_list_of_possible_causes_is_not_a_metric_with_children() -> None:
    tree = parse_answer("Possible causes: pricing change, new competitor, app crash on Android, fewer reps.")
    assert not tree.links
    listed = parse_answer(
        "pipeline −14% → possible causes:\n- pricing change\n- fewer reps\n- lead quality\n- seasonality"
    )
    assert not [link for link in listed.links if link.parent.lower() == "possible causes"]


def test_an_acronym_of_a_metric_already_named_is_the_same_metric() -> None:
    tree = parse_answer(
        "### Headline metric\nWeekly active viewers per account. Creation only matters if someone looks.\n\n"
        "### What sits directly under it\n- WAV per account = seats per account × weekly view rate\n"
    )
    assert tree.north_star == "Weekly active viewers per account"
    assert children(tree, "Weekly active viewers per account") == ["seats per account", "weekly view rate"]


def test_under_it_you_have_got_one_metric_and_that_comes_from_its_parts() -> None:
    tree = parse_answer(
        "I think the thing I'd really optimise for is fulfilled requests. So under that you've got, like, how many "
        "requests get created, and that comes from how many people discover the feature and how many requests each "
        "of those people creates."
    )
    assert children(tree, "fulfilled requests") == ["how many requests get created"]
    assert len(children(tree, "how many requests get created")) == 2


def test_a_filler_between_commas_does_not_break_the_sentence() -> None:
    answer = (
        "the main thing i'd track is weekly files received. and that, like, breaks down into two parts, "
        "the number of active requests and, you know, files per request."
    )
    tree = parse_answer(answer)
    assert children(tree, "weekly files received") == ["number of active requests", "files per request"]
    assert all(answer[e.start : e.end] == e.quote for n in tree.nodes for e in n.evidence)


def test_the_top_described_by_its_role_is_the_root_of_the_tree_that_follows() -> None:
    tree = parse_answer(
        "Here's the tree; the top is what I'd steer the hosting team by.\n\n"
        "Weekly active paid sites\n   <- new paid sites\n   <- retained paid sites\n"
    )
    assert tree.north_star == "Weekly active paid sites"
