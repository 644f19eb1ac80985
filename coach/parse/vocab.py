"""The words candidates use for identities, hypotheses, guardrails, diagnosis and model quality."""

from __future__ import annotations

import re
from collections.abc import Iterator

_LAST: list[str] = ["", ""]


class Hinted:
    """A pattern that is only tried when the text contains one of its literal hints.

    Python's regex engine tries a long alternation at every position; a plain
    substring check in C rules out most sentences first. Every alternative of
    the pattern must contain one of the hints (lower case).
    """

    def __init__(self, pattern: re.Pattern[str], hints: tuple[str, ...]) -> None:
        self.pattern = pattern
        self.hints = hints

    def _maybe(self, text: str) -> bool:
        # Readers test one sentence against many patterns in a row: lower-case it once.
        if text is not _LAST[0]:
            _LAST[0], _LAST[1] = text, text.lower()
        return any(map(_LAST[1].__contains__, self.hints))

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self._maybe(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self._maybe(text) else iter(())

    def match(self, text: str) -> re.Match[str] | None:
        return self.pattern.match(text) if self._maybe(text) else None

# A link is causal when its statement (or a label on its line) says it is a hypothesis to test.
CAUSAL_MARKER = re.compile(
    r"\bcausal(?:ly)?\b|\bhypothes[ie]s\w*|\bhypothesi[sz]e\w*|\bdotted\b|\bdotted[- ]line|\bI (?:believe|expect|suspect|bet|think|assume)\b|"
    r"\bmy (?:bet|guess|belief|assumption)\b|\bbets?\b(?! on the roadmap)|\bexperiment\w*|\bA/B\b|\bAB test|\bholdouts?\b|"
    r"\b(?:to |I'd |we'd |would )?(?:test|validate|confirm|verify)\b|\bnatural experiment|\bcorrelat\w+|\bassum\w+|"
    r"\bprobably\b|\blikely\b|⇠|⇢|<-\s*-\s*-|-\s-\s->",
    re.I,
)
CAUSAL_MARKER = Hinted(CAUSAL_MARKER, (
    "causal", "hypothes", "dotted", "believe", "expect", "suspect", "bet", "think", "assum", "guess", "belief",
    "experiment", "a/b", "ab test", "holdout", "test", "validate", "confirm", "verify", "correlat", "probably",
    "likely", "⇠", "⇢", "<-", "- -",
))
MATH_LABEL = Hinted(
    re.compile(r"\b(?:math|mathematical(?:ly)?|identity|identities|by definition|definitionally|solid)\b", re.I),
    ("math", "identit", "definition", "solid"),
)
CAUSAL_LABEL = re.compile(
    r"\b(?:causal|hypothes[ie]s|hypothesis|dotted|experiment|A/B|holdout|test|bet|influence)\b", re.I
)
LABEL_GROUP = re.compile(r"\(([^()]{2,120})\)|\[([^\[\]]{2,120})\]")

# A sentence that only says "those are hypotheses" labels the links of the sentence before it.
BACK_LABEL = re.compile(
    r"^(?:(?:but|and|so|all|both|each|every one)\s+)*(?:that|this|those|these|both|all|each|they|it)(?:'s| is| are|'re| of (?:these|those|them) (?:is|are))?\s+"
    r"(?:\w+\s+){0,3}?(?:a |an |just |only |all |still |really )?(?:causal|hypothes[ie]s|hypothesis|dotted|bets?|assumptions?|guess)",
    re.I,
)

GUARDRAIL_WORD = r"(?:guard[- ]?rails?|guardrail metrics?|counter[- ]?metrics?|counter[- ]?balanc\w+ metrics?|health metrics?|do[- ]no[- ]harm metrics?|check metrics?)"
MUST_NOT_RE = re.compile(
    r"\b(?:must|should|can(?:not|'t)?|may|will|would)(?:\s+not|n't)\s+(?:be allowed to\s+)?(?:get worse|worsen|regress|drop|fall|decline|"
    r"decrease|go down|rise|increase|go up|spike|degrade|suffer|slip|deteriorate|move|tank|climb)\b|"
    r"\b(?:must|should) (?:hold|stay (?:flat|stable|healthy)|not move)\b|"
    r"\b(?:must|should|can)(?:\s+not|n't)\s+be\s+(?:lower|higher|worse|hurt)\b",
    re.I,
)

MUST_NOT = Hinted(MUST_NOT_RE, ("not", "n't", "hold", "stay"))
# Why a guardrail is there: the push on the tree it protects against ("if we push X", "at the cost of").
COUNTER_REASON = re.compile(
    r"\bif\s+(?:we|you|they|it|\w+s?)\b|\bbecause\b|\bat the (?:cost|expense) of\b|\bquick fix\b|\bcheap way\b|\beasy lever\b|"
    r"\bgam(?:e|ing)\b|\bpad(?:ding)?\b|\bcannibali[sz]\w*|\btrade[sd]?\b|\bwould (?:buy|hurt|show|tell|rise|drop|refill)\b|\bwhile we\b",
    re.I,
)
DIAGNOSIS_CUE = re.compile(
    r"\b(?:check|checking|checked|compare|comparing|look(?:ing)? (?:at|into|for)|split|splitting|segment\w*|"
    r"cut(?:ting)?|slice|slicing|break(?:ing)? (?:it|this|that|them|\w+ \w+)? ?down|drill\w*|dig\w*|isolate|diagnos\w+|"
    r"investigat\w+|figure out|find (?:out )?(?:where|which|whether)|see (?:whether|if|which|where)|ask whether|"
    r"ask if|traverse|walk (?:down|up|through)|one level (?:further|deeper|down)|go (?:one level )?(?:deeper|further|down)|"
    r"narrow|decompose|attribute|pinpoint|rule out|verify|sanity[- ]check|whichever|carr(?:y|ies) the drop|"
    r"is (?:the|where the) (?:problem|drop)|(?:held|stayed|was|is|are|were) flat|(?:fell|dropped|declined|moved|shrank))\b",
    re.I,
)
GENERIC_COMPONENTS = re.compile(
    r"\b(?:(?:the\s+)?(?:two|three|four|both)\s+[\w-]+(?:\s+[\w-]+)?\s+(?:separately|independently|one by one|on (?:its|their) own)|each (?:one|of (?:them|these|those|the \w+))|(?:both|all|the (?:two|three|four)) (?:branches|components|parts|sides|drivers|pieces|terms|inputs)|"
    r"(?:branches|components|parts|sides|drivers|terms) (?:separately|independently|one by one|on (?:its|their) own)|"
    r"(?:each|every) (?:branch|component|driver|term|side))\b",
    re.I,
)
SEGMENT_DIMENSIONS = (
    r"platforms?|os|operating system|devices?|device types?|browsers?|countr(?:y|ies)|regions?|markets?|geograph(?:y|ies)|geos?|"
    r"cit(?:y|ies)|zones?|states?|locales?|languages?|(?:signup |sign-up |acquisition |onboarding |install |user |age |tenure )?cohorts?|"
    r"(?:acquisition |marketing |traffic |sales )?channels?|sources?|campaigns?|categor(?:y|ies)|verticals?|segments?|tiers?|plans?|"
    r"(?:app |release |client |model )?versions?|releases?|surfaces?|features?|pages?|steps?|funnel steps?|"
    r"(?:task |user |customer |account |company |content |product |question |query |ticket |request |intent |order )?types?|"
    r"sizes?|tenure|age|gender|hours?|time of day|day of week|days?|weeks?|industr(?:y|ies)|customer size|account size|"
    r"(?:new|existing|returning|tenured|free|paid|premium|old|power) (?:vs\.?|versus|and|or) \w+|advertisers?|merchants?|"
    r"restaurants?|drivers?|couriers?|hosts?|sellers?|listings?|repos?|teams?|intents?|topics?"
)
SEGMENTATION = re.compile(
    rf"\b(?:segment|cut|split|slice)\w*\s+(?:it|them|that|this|each|those)\s*:\s*\w+|"
    rf"\b(?:segment\w*|cut(?:ting)?|slic\w+|split\w*|break\w* (?:\w+ )?down|broken down|bucket\w*|group\w*|compare\w*|look\w* at)\b[^.;]{{0,80}}?\bby\b|"
    rf"\b(?:by|across|between)\s+(?:the\s+|each\s+|every\s+)?(?:{SEGMENT_DIMENSIONS})\b|"
    rf"\b(?:iOS|Android|web|desktop|mobile|app)\s+(?:vs\.?|versus|and|or)\s+(?:iOS|Android|web|desktop|mobile|app)\b|"
    rf"\b(?:new|existing|returning|tenured|free|paid|premium|power|casual)\s+(?:users?\s+)?(?:vs\.?|versus)\s+\w+",
    re.I,
)

# Model-quality metrics: the AI input layer. "the model" or "model quality" alone is not a metric.
AI_METRIC = re.compile(
    r"\beval\w*\b|\bpass rate\b|\bhallucinat\w*|\bgrounded\w*|\bfaithful\w*|\bfactual\w*|\bprecision\b|\brecall\b|\bf1\b|"
    r"\baccuracy\b|\blatency\b|\bp9[059]\b|\bp50\b|time to first (?:token|byte|patch|response|draft|answer)|\bttft\b|"
    r"tokens? per second|\btool[- ]?call\w*|\bcorrection rate|\bcorrected\b|\buser corrections?\b|\bthumbs?[- ]?(?:down|up)\b|"
    r"\bescalation\w*|\bescalat\w+|\bintervention\w*|\bwithout (?:a )?(?:human|user|developer|agent)?\s*(?:help|intervention|handoff|escalation|edits?)\b|"
    r"\b(?:automated |auto[- ]?|bot |ai |self[- ]serve )?resolution rate\b|\bdeflection\b|\bcontainment\b|\bheavy[- ]edit\w*|\bedit (?:rate|distance)\b|"
    r"\bsuggestion acceptance\b|\bacceptance rate of (?:suggestions|completions|drafts)\b|\brefusal\w*|\btoxic\w*|\bunsafe\b|\bjailbreak\w*|"
    r"\bcorrectness\b|\bperplexity\b|\bbleu\b|\brouge\b|\bbenchmark\w*|\bretrieval\b|\bmodel (?:error|score|confidence|quality score)\b|"
    r"\btask (?:completion|success)\b|\bcompletion (?:rate|share) without\b|\bno[- ]intervention\b|\bregenerat\w+|\berror rate\b",
    re.I,
)

INPUT_OUTPUT = re.compile(r"\b(?:an?|the)\s+(?:lagging\s+|leading\s+)?(input|output)(?:\s+metric)?\b|\b(input|output)\s+metric\b|\bit'?s an? (input|output)\b", re.I)
LEADING_LAGGING = Hinted(re.compile(r"\b(leading|lagging)\b(?:\s+(?:indicator|metric|signal))?", re.I), ("leading", "lagging"))
OWNER = Hinted(
    re.compile(r"\b(?:owned by|owner(?:s)?\b|owns|accountable|DRI\b|(?:growth|product|ml|data|eng\w*|marketing|ops|operations|support|sales|design|platform|trust|safety|search|ads|payments|supply|demand|finance) team)\b", re.I),
    ("owne", "owns", "accountable", "dri", "team"),
)
DECISION_RULE = re.compile(
    r"\bdecision rule\b|\bI'?d rather\b|\bI would rather\b|\btrade[- ]?off\b|\bas long as\b|\bprovided (?:that )?\b|"
    r"\bonly if\b|\bunless\b|\bwe ship (?:it )?if\b|\bship if\b|\bcloser to (?:the )?(?:core )?value\b",
    re.I,
)
DECISION_RULE = Hinted(DECISION_RULE, ("decision", "rather", "trade", "as long as", "provided", "only if", "unless", "ship", "closer to"))
GENERIC_METRICS = {
    ("daily", "active", "user"), ("monthly", "active", "user"), ("weekly", "active", "user"), ("retention",),
    ("engagement",), ("revenue",), ("net", "promoter", "score"), ("churn",), ("user",), ("session",),
    ("conversion",), ("growth",), ("satisfaction",), ("feature", "adoption"), ("adoption",), ("time", "spent"),
    ("active", "user"), ("signup",), ("download",), ("install",),
}
