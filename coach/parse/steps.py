"""What a sentence adds besides links and declarations: hypotheses, flat lists,
diagnosis steps and coaching notes (owner, timing, decision rule, stage)."""

from __future__ import annotations

import re

from coach import regexes
from coach.parse.build import segments_in
from coach.parse.fragment import Frag, mask_parens
from coach.parse.linkbase import LinkRead
from coach.parse.mentions import mentions
from coach.parse.names import NodeEntry
from coach.parse.segment import Sentence
from coach.parse.slots import items, right_end
from coach.parse.state import ReaderBase
from coach.parse.words import family
from coach.tree import LinkKind

_TRACK = regexes.compile(
    r"\b(?:track|measure|monitor|watch|look at|report(?: on)?|follow|review|keep an eye on|dashboard|put on a dashboard|use|check)(?:ing)?\s+(?:all of\s+|things like\s+|metrics like\s+)?",
    re.I,
)
# A hypothesis stated as one: the reader links its cause to the metric even without a verb it knows.
_HYPOTHESIS = regexes.compile(
    r"\b(?:(?:my|our|the|a|one|working|main|first)\s+)?(?:hypothes[ie]s|hunch|suspicion|theory|bet|guess)\b(?:\s+(?:going in|here|would be|is|:))?|"
    r"\b(?:I|we)\s+(?:also\s+|strongly\s+|really\s+)?(?:suspect|believe|bet|'d bet|would bet|suppose)\b|\b(?:likely|probable|root)\s+cause\b",
    re.I,
)


_CAUSAL_LEAD = regexes.compile(r"\W*causal(?:ly)?\s*[:—–-]", re.I)
_GOES_ON = regexes.compile(
    r"\b(?:the one that (?:fell|dropped|moved)|in that branch|within that|inside that|one level (?:down|deeper)|"
    r"if (?:it's|it is)\b|(?:is|was) the one)\b",
    re.I,
)
_WALK_VERB = regexes.compile(r"\b(?:look|check|cut|slice|split|segment|break|drill|compare|dig|pull)\w*\b", re.I)
_THINK = regexes.compile(
    r"\W*(?:causal(?:ly)?\s*[:—–-]\s*)?(?:(?:I|we)\s+(?:think|guess|expect|reckon|suspect)\s+(?:that\s+)?)", re.I
)
_THINK_ANYWHERE = regexes.compile(r"\b(?:I|we)\s+(?:think|guess|expect|reckon)\s+(?:that\s+)?", re.I)
# Only a test of the link itself makes "I think" a hypothesis: "I think it's Android; I'd check the logs" is a guess
# in a diagnosis.
_EXPERIMENT = regexes.compile(
    r"\b(?:A/B|AB[- ]test|experiment|holdout|randomi[sz]ed|(?:test|validate|prove)\s+(?:it|this|that|the link))", re.I
)
_ASIDE = regexes.compile(
    r"^(?:,?\s*which (?:I|we)(?:'d| would)?\s[^,]{1,40},\s*(?:is\s+)?(?:that\s+)?|(?:I|we)(?:'d| would| will|'ll)?\s[^,]{1,60},\s*|(?:that\s+)?(?:it's|it is)\s+(?:mostly\s+|really\s+|all\s+|just\s+)?"
    r"(?:about|down to)\s+(?:whether\s+)?|and this is a (?:guess|hunch|bet)\s*,\s*|"
    r"(?:and|but)\s+(?:it's|it is|this is)\s+(?:just\s+|only\s+|really\s+)?a\s+(?:suspicion|guess|hunch|bet|hypothesis)\s*,\s*(?:is\s+)?(?:that\s+)?)",
    re.I,
)


class Steps(ReaderBase):
    def _hypothesis(self, frag: Frag, kind: LinkKind | None) -> None:
        """ "My hypothesis is that a bigger like allowance made liking effortless, so match rate fell": a hypothesis
        stated without a verb the link reader knows still links its cause to the metric it is about."""
        text = mask_parens(frag.text)
        marker = _HYPOTHESIS.search(text)
        if marker is None and (kind == "causal" or _CAUSAL_LEAD.match(text)):
            # "Causal: I think retrieval precision is the link that broke - needs a replay to confirm"
            marker = _THINK.match(text)
        if marker is None and _EXPERIMENT.search(text):
            # "For orders per customer, I think faster delivery is the main driver; I'd A/B test it"
            marker = _THINK_ANYWHERE.search(text)
        if marker is None or kind == "math":
            return
        named = [self.b.book.find_loose(m.text) for m in mentions(frag)]
        known = [e for e in named if e is not None]
        effect = known[-1] if known else None
        if effect is None:
            # "Likely cause (hypothesis): raising the like cap made liking low-effort": about the metric in focus.
            effect = self.state.focus or self.b.north_star
        if effect is None:
            return
        rest = frag.cut(marker.end())
        rest = rest.cut(
            len(
                re.match(
                    r"^[\s,:—–-]*(?:(?:is|was|would be|going in|here)\s+)?(?:that\s+|on\s+)?", rest.text, re.I
                ).group(0)
            )
        )
        while True:
            # "..., I'd want to A/B it, that it's mostly about whether X": the cause comes after the aside.
            aside = _ASIDE.match(rest.text)
            if aside is None or aside.end() == 0:
                break
            rest = rest.cut(aside.end())
        stop = re.search(
            r"\s+(?:is|are|was|were|will|would|could|can|might|may|made|makes|make|drives?|drove|raised|lowered|hurt|pushed|caused|causes|led|leads|reduced|increased|decreased|lost|broke|means|have|has|show|shows)\b|[,;:—–(]|\s-\s",
            rest.text,
            re.I,
        )
        cause_text = rest.cut(0, stop.start()) if stop else rest
        cause = self.b.cause(cause_text) if cause_text.text.strip() else None
        if cause is None or self.b.book.resolve(cause) is self.b.book.resolve(effect):
            others = [e for e in known if self.b.book.resolve(e) is not self.b.book.resolve(effect)]
            cause = others[0] if others else None
        if cause is not None and self.b.book.resolve(cause) is not self.b.book.resolve(effect):
            self.b.link(effect, cause, "causal", (frag.start, frag.end), hypothesis=frag.text)

    def _flat_list(self, frag: Frag) -> None:
        """ "I'd track MAU, DAU, churn and NPS": metrics named without structure still belong in the tree, unlinked."""
        m = _TRACK.search(mask_parens(frag.text))
        if m is None:
            return
        named = items(right_end(frag.cut(m.end()), list_items=True))
        if len(named) >= 2:
            for item in named[:15]:
                self.b.metric(item)

    def _diagnosis(self, frag: Frag, sent: Sentence, found: LinkRead) -> None:
        st = self.state
        text = mask_parens(frag.text)
        if family("diagnosis_section").search(text) and not family("guardrail").search(text):
            st.diagnosis_line = sent.line.index
        in_walk = st.in_diagnosis or st.diagnosis_line == sent.line.index
        step = frag
        rest = frag.cut(found.end).strip(" ,;") if found.head is not None and found.end < len(frag.text) else None
        if rest is not None and (found.identity or family("components_together").search(mask_parens(rest.text))):
            step = rest  # "MAU = A + B, so I'd check each of those separately"; "X breaks into A and B; I'd check both"
        elif found.identity or (found.head is not None and not in_walk and not self._goes_on(frag.text)):
            return
        step_text = mask_parens(step.text)
        if family("guardrail").search(step_text) or not re.search(r"[A-Za-z]{2}", step_text):
            return
        cued = any(
            family(f).search(step_text)
            for f in ("diagnosis", "components_together", "segment_cue", "fix", "handoff", "vague")
        )
        # Once a walk has begun, a sentence with a cut or a check in it ("Then, within that branch, look per
        # platform") goes on with it.
        walking = (
            bool(self.b.diagnosis)
            and bool(_WALK_VERB.search(step_text))
            and bool(family("segment_cue").search(step_text) or segments_in(step_text))
        )
        if (
            in_walk
            and (cued or self.b.book.entries)
            or walking
            or (cued and (family("diagnosis").search(step_text) or family("components_together").search(step_text)))
        ):
            extra = self._referenced_components(step_text)
            self.b.diagnose((step.start, step.end), extra)

    def _goes_on(self, text: str) -> bool:
        """ "If active customers is the one that fell, I'd then split it into new and returning": a split made as the
        next step of a walk already begun is a step of it too."""
        return bool(self.b.diagnosis) and bool(_GOES_ON.search(text))

    def _referenced_components(self, text: str) -> list[NodeEntry]:
        """ "each of those three separately": the components of the metric just split."""
        if not family("components_together").search(text):
            return []
        focus = self.state.focus
        if focus is None:
            return []
        focus = self.b.book.resolve(focus)
        return [self.b.book.resolve(d.child) for d in self.b.links if self.b.book.resolve(d.parent) is focus]

    def _notes(self, frag: Frag, current: list[NodeEntry]) -> None:
        text = frag.text
        if family("timing").search(text) or family("owner").search(text):
            self.b.notes.append((frag.start, frag.end))
        if self.b.decision_rule is None and family("decision_rule").search(text):
            self.b.decision_rule = (frag.start, frag.end)
        ns = self.b.north_star
        if ns is not None and re.match(r"^(?:it|this|that)(?:'s| is)\b", text, re.I):
            self._classify(text, ns)
        m = family("stage").search(text)
        if m and m.lastgroup:
            # "offline eval: precision on the labelled set" names its own metrics; "Both are offline metrics" the
            # ones just named.
            led = re.match(r"\W*(?:offline|online)\b[^:]{0,30}:", text, re.I)
            for e in current or ([] if led else self.state.last_items):
                self.b.stage.setdefault(id(self.b.book.resolve(e)), m.lastgroup)
