"""Readers for the statements a KPI-tree answer is made of.

Each reader looks at one sentence (or one clause of it) and records what it
states in the Builder: a north-star declaration, an identity, an arrow chain, a
"drives"/"driven by" claim, a guardrail list, a diagnosis step. Readers never
raise on odd text; a statement they cannot read is simply not recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coach.parse.build import Builder
from coach.parse.fragment import Frag, mask_parens
from coach.parse.names import NodeEntry, clean, is_pronoun
from coach.parse.segment import Sentence
from coach.parse.vocab import (
    BACK_LABEL,
    CAUSAL_LABEL,
    CAUSAL_MARKER,
    COUNTER_REASON,
    DECISION_RULE,
    DIAGNOSIS_CUE,
    GENERIC_COMPONENTS,
    GUARDRAIL_WORD,
    INPUT_OUTPUT,
    LABEL_GROUP,
    LEADING_LAGGING,
    MATH_LABEL,
    MUST_NOT,
    OWNER,
    SEGMENTATION,
    Hinted,
)
from coach.tree import LinkKind

# --- north star ------------------------------------------------------------------
_TOP_WORD = r"(?:north[- ]?star(?:\s+metric)?|top (?:thing|number)|(?-i:NS)|top[- ](?:node|metric|level metric)|root(?:[- ](?:node|metric))?|primary metric|headline metric|one metric that matters|(?-i:OMTM))"
_NS_PATTERNS = [
    re.compile(rf"\b(?:{_TOP_WORD}|(?<![\w-])top)(?:\s+for\s+[\w'’ -]{{1,30}}?|\s+here|\s+in this case)?(?:\s+(?:that\s+)?(?:I|we)(?:'d|'m|'re| would| will|'ll| am| are)?\s+(?:going to\s+|gonna\s+)?(?:use|pick|choose|go with|propose|set|suggest|recommend|anchor on|commit to|settle on|go for|protect(?:ing)?|optimi[sz](?:e|ing)|track(?:ing)?|anchor(?:ing)? on|focus(?:ing)? on|hold(?:\s+[\w-]+){{0,3}}\s+to)(?:\s+(?:here|for \w+))?)?(?:\s*\([^)]*\))?(?:\s*[=:—]\s*|\s+-\s+|\s+(?:is|would be|will be|should be)\s+)(?P<x>.+)", re.I),
    re.compile(rf"\b(?:keep|take|use|pick|choose|make|treat|put|set|have|go with|propose|select|commit to|settle on)\s+(?P<x>.{{2,90}}?)\s+as\s+(?:my|our|the)\s+(?:{_TOP_WORD}|top|anchor)\b", re.I),
    re.compile(r"\b(?:number|metric|thing|kpi|one)\s+(?:that\s+)?I(?:'d| would| will|'ll)?\s+(?:\w+\s+)?(?:optimi[sz]e|hold (?:myself|us|the team) to|anchor on|focus on|pick|choose|obsess over|care about|drive|grow|own)(?:\s+(?:for|above all|first|most|here))*(?:\s+\w+)?\s+(?:is|would be|will be)\s+(?P<x>.+)", re.I),
    re.compile(rf"(?:^|[,:;—–]\s*|\bso\s+)(?P<x>[^,.;:—–]{{2,90}}?)(?:\s+(?:is|would be|will be|becomes|stays)|'s)\s+(?:my|our|the)\s+(?:one\s+|single\s+|only\s+)?(?:{_TOP_WORD}|top|metric I(?:'d| would) (?:anchor on|optimi[sz]e|hold myself to|focus on|pick))\b", re.I),
    re.compile(rf"(?:\bis|=|:)\s+(?P<x>[^,;:]{{2,90}}?),?\s+so\s+(?:that|this|it)(?:'s| is| will be| becomes)\s+(?:my|our|the)\s+(?:{_TOP_WORD}|top)\b", re.I),
    re.compile(r"\bI(?:'d| would| will|'ll)\s+(?:anchor\s+on|optimi[sz]e(?:\s+for)?)\s+(?P<x>.+)", re.I),
    re.compile(r"(?:^|[,:;]\s*)(?P<x>[^,.;:]{2,80}?)\s+is\s+the\s+(?:one\s+|only\s+)?(?:metric|number|kpi)\s+that\s+(?:matters|counts)\b", re.I),
    re.compile(rf"\b{_TOP_WORD}\b[^.;]{{0,40}}?\bI(?:'d| would| will|'ll)\s+(?:keep|make|call|set)\s+it\s+(?:as\s+)?(?P<x>.+)", re.I),
    re.compile(r"\((?:the\s+|my\s+)?north[- ]?star\)\s*[:=—-]\s*(?P<x>.+)", re.I),
    re.compile(rf"\b(?:make|call|consider|crown)\s+(?P<x>.{{2,90}}?)\s+(?:my|our|the)\s+(?:{_TOP_WORD}|top)\b", re.I),
    re.compile(rf"\b(?:set|pick|choose|use|define|make|frame)\s+(?:the|my|our)\s+{_TOP_WORD}\s+(?:as|to be|to)\s+(?P<x>.+)", re.I),
]
_PERSONAL = re.compile(r"\b(?:I|I'd|I'll|I'm|my|we|we'd|our|me)\b|^(?:north[- ]?star|NS|top(?: node| metric)?)\s*[:=—-]", re.I)
# Every north-star pattern needs one of these words; checking for them first keeps the patterns off most sentences.
_NS_HINTS = ("north", "ns", "top", "root", "anchor", "optimi", "metric", "number", "kpi", "thing", "one", "omtm")
_SEVERAL_TOPS_RE = re.compile(
    r"\b(?:two|three|several|a few|a couple of|multiple)\s+(?:candidates|options|north[- ]?stars|contenders|top metrics|metrics at the top)\b|"
    r"\bkeep (?:both|all three|them all) on\b|\bboth (?:as|are) (?:my |our )?(?:north[- ]?stars|top)|\b(?:second|another|co-)\s*north[- ]?star",
    re.I,
)
_SEVERAL_TOPS = Hinted(_SEVERAL_TOPS_RE, ("two", "three", "several", "few", "couple", "multiple", "both", "all three", "them all", "second", "another", "co-"))
_PHRASE_END = re.compile(
    r"\s*[,;:]\s|\s*[.?!](?:\s|$)|\s+[-—–]\s|\s+(?:because|since|which|who|meaning|as it|as this|so|for (?:this|now|the)|rather than|instead of|"
    r"and (?:it|this|that|I|we|keep|make|call|use|treat|put|hold|set)|but|while|where|given)\b",
    re.I,
)

# --- links -----------------------------------------------------------------------
_EQ = re.compile(
    r"(?<![<>=!-])=(?![=>])|\bequals?\b|\bis equal to\b|\bis defined as\b|"
    r"\b(?:is|are)\s+(?:simply |just |basically |again |mathematically |by definition |then )?(?:the\s+)?(?P<agg>sum|product|total)\s+of\b",
    re.I,
)
_EQ = Hinted(_EQ, ("=", "equal", "defined as", "sum", "product", "total"))
_SUM_PREFIX = re.compile(r"^\s*(?:an?|the)\s+(?:weighted\s+)?(?:sum|product|total|combination|mix)(?:\s+of)?\s*:\s*", re.I)
_SITS_UNDER = re.compile(r"\b(?:sits?|hangs?|lives?|goes|go|feeds? into)\s+(?:under|below|beneath)\s+(?P<y>[^:]{2,60}?)\s*:\s*(?P<rest>.+)$", re.I)
_IS = re.compile(r"\b(?:is|are)\b(?:\s*,[^,]{1,50},)?|'s\b", re.I)
_OPS = re.compile(
    r"(?<!\d)\s*(?P<add>\+)\s*|\s+(?P<add2>plus|and|\+)\s+|\s*(?P<sub>−)\s*|\s+(?P<sub2>-|–|minus|less)\s+|,\s*(?P<sub3>minus|less)\s+|"
    r"\s*(?P<mul>[×*·])\s*|\s+(?P<mul2>x|times|multiplied by)\s+|\s+(?P<div>/|÷|divided by|over)\s+",
    re.I,
)
_HAS_OP = Hinted(
    re.compile(r"[+×*·−÷]|\s[x/–-]\s|\b(?:plus|minus|times|multiplied by|divided by)\b", re.I),
    ("+", "×", "*", "·", "−", "÷", "x", "/", "–", "-", "plus", "minus", "times", "multiplied", "divided"),
)
_RHS_END = re.compile(
    r",\s*(?:I|we|you|I'd|we'd|I'll|it's|that's|right|yeah|ok|okay)\b|,\s*(?:so|because|which|since|where|but|meaning|i\.e\.|e\.g\.|and (?:that|this|it|so))\b|\s+[—–]\s+|\s+(?:because|since|so that|so any|so either)\b|:\s",
    re.I,
)
_CLAUSE = re.compile(
    # ", and" starts a new clause only when a statement follows ("..., and hours per listener equals ..."),
    # not in a list ("A, B, and C").
    r";\s*|,\s+and\s+(?!(?:by|therefore|thus|then|so)\b)(?=[^.;]*?(?:=|\bequals?\b|\bdrive[sn]?\b|\bis\b|\bare\b|'s\b|\btimes\b|\bplus\b|×|\+|\bsplit|\bmade up\b|\bdepends?\b|→|->|<-|⇠))|\.\s+|,\s+(?!(?:which|that|who|and)\b)(?=[\w' -]{2,40}\s(?:drives?|feeds?|raises?|lifts?)\s)", re.I
)
_LIST = re.compile(r",\s*(?:and|&)\s+|,(?!\d)\s*|\s+(?:and|&|as well as)\s+(?:by\s+)?|;\s*", re.I)
_ARROW = Hinted(
    re.compile(r"<-(?:\s*-)+(?![->])|<-{1,2}|←|⇠|⇐|-{1,2}>|→|⟶|⇢|=>|⇒|↳"),
    ("<-", "←", "⇠", "⇐", "->", "→", "⟶", "⇢", "=>", "⇒", "↳"),
)
_LEFT_ARROW = re.compile(r"^(?:<-|←|⇠|⇐)")
_DOTTED_ARROW = re.compile(r"^(?:⇠|⇢|<-\s*-)")
_SEGMENT_END = re.compile(r",\s*(?:but|and\s+(?:that|this|it|I|we|so|then|you|they)\b|and\s+(?=[^,.;]*?\b(?:is|are|was|were|would|will|should|could)\b)|because|so|which|since|though|although|while|if|or|then|a|an|that's|this is|both)\b|\s+[-—–]\s+|\s+but\s+|\s+because\s+|\.\s", re.I)

_PARENT_FIRST_RE = re.compile(
    r"\b(?:is|are)\s+(?:\w+ly\s+|in turn\s+)*(?:driven|determined|influenced|shaped|powered|fu?el+ed|explained|caused)"
    r"(?:\s*,\s*I (?:believe|think|expect|suspect|bet)\s*,)?\s+(?:\w+ly\s+)?by\b|"
    r"\b(?:depends?|relies?|hinges?)\s+(?:\w+ly\s+)?on\b|\b(?:is|are)\s+(?:a\s+)?function\s+of\b|"
    r"(?P<decomp>\bcomes?\s+from\s+(?:\w+\s+)?(?:places|sources|channels|buckets|streams|things)\s*:|\b(?:is|are|'s)(?:\s*,[^,]{1,40},)?(?:\s+in turn)?\s+(?:made up|composed|comprised)\s+of\b|\bconsists?\s+of\b|\bcomprises?\b|"
    r"\b(?:splits?|breaks?|broken|decomposes?|decomposed|divides?|divided)\s+(?:down\s+)?into\b|\b(?:is|are)\s+a\s+mix\s+of\b)",
    re.I,
)
_PARENT_FIRST = Hinted(_PARENT_FIRST_RE, (
    "driven", "determined", "influenced", "shaped", "powered", "fuel", "explained", "caused", "depend", "rel", "hinge", "from",
    "function of", "made up", "composed", "comprised", "consist", "compris", "split", "break", "broken", "decompos",
    "divid", "mix of",
))
_CHILD_FIRST_RE = re.compile(
    r"(?<![-/])\b(?:drives?|drove|raises?|lifts?|boosts?|improves?|increases?|feeds?(?:\s+into)?|influences?|affects?|impacts?|"
    r"leads?\s+to|determines?|shapes?|powers?|fuels?|contributes?\s+to|predicts?)\b",
    re.I,
)
_CAUSAL_VERB = re.compile(
    r"(?<![-/])\b(?:brings?\s+in|bring|kills?|causes?|inflates?|dilutes?|reduces?|hurts?|lowers?|grows?|pushes|push|erodes?|suppress(?:es)?|"
    r"spurs?|encourages?|discourages?|pulls?\s+(?:down|up)|makes?|keeps?|turns?\s+into|translates?\s+into|converts?\s+into|should\s+(?:raise|lift|drive|increase|improve|reduce))\b",
    re.I,
)
_COMES_FROM = re.compile(r"\b(?:is|are)\s+(?:coming|driven mostly)\s+from\b|\bcomes?\s+from\b", re.I)
_CHILD_FIRST = Hinted(_CHILD_FIRST_RE, (
    "drive", "drove", "raise", "lift", "boost", "improve", "increase", "feed", "influence", "affect", "impact",
    "lead", "determine", "shape", "power", "fuel", "contribute", "predict",
))
_MAIN_DRIVER = re.compile(r"(?P<x>[^,;:]{2,60}?)\s+(?:is|are)\s+(?:the|a|one)\s+(?:\w+\s+){0,2}?(?:causal\s+)?drivers?\b(?:\s+(?:of|for|behind)\s+(?P<y>[^,.;]{2,60}))?", re.I)
_BRANCHES = re.compile(
    r"\b(?:the\s+)?(?:two|three|four|five)\s+(?:branches|components|parts|pieces|drivers|levers|buckets|sides|terms)\s*(?:are|:)\s*(?P<rest>.+)", re.I
)
_WHAT_DRIVES = re.compile(r"\bwhat\s+drives\s+(?P<x>.+?)\s+(?:is|are)\b(?P<label>[^:]{0,40}):\s*(?P<rest>.+)", re.I)
_SPLIT_X_INTO = re.compile(r"\b(?:split|break|decompose|divide)\s+(?P<x>[^,.;]{2,60}?)\s+(?:down\s+)?into\s+(?P<rest>.+)", re.I)
_CHAIN = re.compile(r",?\s*(?:and\s+(?:therefore|thus|so|hence|then|in turn)|(?:which|who|that)\s+(?:in turn\s+)?(?:drives?|raises?|feeds?|leads?\s+to|inflates?|dilutes?|lowers?|reduces?|hurts?)|and\s+(?:dilutes?|inflates?|lowers?|reduces?|hurts?))\s+", re.I)
_BELIEF_PREFIX = re.compile(
    r"^.*?\b(?:hypothesis|bet|belief|guess|assumption|expectation|theory|sense)\s+(?:is|would be)\s+(?:that\s+)?|"
    r"^.*?\bI\s+(?:believe|think|expect|suspect|bet|assume|guess)\s+(?:that\s+)?",
    re.I,
)
_BELIEF_PREFIX = Hinted(_BELIEF_PREFIX, (
    "hypothes", "bet", "belief", "guess", "assumption", "expectation", "theory", "sense", "believe", "think", "expect",
    "suspect", "assume",
))
_UNDER = re.compile(
    r"^(?:L\d\s*)?(?:under|below|beneath|inside)\s+(?P<x>[^:]{1,60}?)\s*(?:\([^)]*\)\s*)?:\s*(?P<rest>.*)$", re.I
)
_LEVEL_LIST = re.compile(r"^L(?P<k>\d)\b[^:=<>→←⇠]{0,200}:\s*(?P<rest>.+)$")
_IDENTITY_SUBJECT = re.compile(r"^(?P<x>[^:,]{2,60}?)\s+(?:is|are)\s+(?:an?\s+|again\s+|also\s+)?(?:identity|identities|mathematical|by definition)", re.I)
_STAGE = re.compile(r"^(?P<stage>offline|online)\b[^:]{0,40}:\s*(?P<rest>.+)$", re.I)
_ADJECTIVE = re.compile(r"^(?:[a-z]+(?:ed|ing|al|ive|ic)|new|free|paid|premium|organic|direct|mobile|desktop|web|core|casual|power|repeat|first-time|one-time|inbound|outbound)$")

# --- guardrails ------------------------------------------------------------------
_GUARD_WORD = Hinted(re.compile(GUARDRAIL_WORD, re.I), ("guard", "counter", "health metric", "harm", "check metric"))
_GUARD_BACK = re.compile(
    rf"^(?:and\s+|so\s+)?(?:those|these|they|both|that|this)(?:\s+(?:two|three))?\s*(?:are|is|'re|'s|would be)\s+(?:my|our|the)\s+(?:two\s+|three\s+)?{GUARDRAIL_WORD}",
    re.I,
)
_GUARD_HEADER = re.compile(rf"{GUARDRAIL_WORD}(?:[^:.—–]{{0,60}}:|\s*[—–]|\s+-\s)\s*(?P<rest>.*)$", re.I)
_GUARD_IS = re.compile(
    rf"{GUARDRAIL_WORD}\s+I(?:'d| would| will|'ll)?\s+(?:\w+\s+){{0,2}}?(?:hold|keep|watch|protect|use|add|track|put|set|name|pick|monitor|want)\b[^:]*?\s+(?:is|are|would be)\s+(?P<rest>.+)",
    re.I,
)
_GUARD_TREAT = re.compile(
    rf"(?P<x>[^,:;]{{2,80}}?)\s+(?:I(?:'d| would| will|'ll)?\s+(?:treat|keep|hold|use|watch|see|consider|count|put)\s+as|(?:is|are|would be|stays?)|as)\s+(?:a|my|our|the|one)\s+(?:second\s+|other\s+)?{GUARDRAIL_WORD}"
    r"(?:\s*,?\s*(?:along with|together with|plus|as is|as well as|and)\s+(?P<rest>.+))?",
    re.I,
)
_KEEP_FLAT = re.compile(
    r"\bkeep(?:ing)?\s+(?P<x>[^,.;]{2,60}?)\s+(?:flat|stable|steady|in check|under control|from (?:rising|dropping|falling|getting worse))\b", re.I
)
_GUARD_CUT = re.compile(
    r";|\.\s|:\s|\s+because\b|,\s*because\b|\s+[—–]\s|\s+-\s|,?\s+(?:if|since|so that|so|which|while|when|neither|both|each|either|otherwise|to make sure|as we|given)\b",
    re.I,
)

# --- sections --------------------------------------------------------------------
_DIAGNOSIS_HEADER = re.compile(
    r"^(?:diagnosis|diagnostic|walk-?through|investigation|root[- ]cause|rca|debug(?:ging)?|triage|how I'?d (?:investigate|diagnose|debug)|to (?:investigate|diagnose|debug)|plan)\b[^:]{0,40}:", re.I
)
_DIAGNOSIS_OPENER = Hinted(
    re.compile(r"\b(?:diagnos\w+|investigat\w+|root[- ]cause|bottom[- ]up|walk (?:through|down|up))\b", re.I),
    ("diagnos", "investigat", "root", "bottom", "walk"),
)
_EITHER_QUESTION = re.compile(r"^(?:\w+:\s*)?(?:did|has|have|is|are|was|were|does|do)\b[^?]*\bor\b[^?]*\?", re.I)
_TRACK = re.compile(
    r"\b(?:track|measure|monitor|watch|look at|pull|report|review|keep an eye on|dashboard|metrics? (?:are|would be|I'd use))\s+(?:all of\s+)?",
    re.I,
)
_ANY_HEADER = re.compile(r"^[A-Za-z][\w /()'&-]{0,40}:(?:\s|$)")


@dataclass
class State:
    """What the reader remembers across sentences."""

    focus: NodeEntry | None = None
    section_kind: LinkKind | None = None
    in_diagnosis: bool = False
    level_subject: dict[int, NodeEntry] = field(default_factory=dict)
    several_tops: bool = False
    diagnosis_line: int = -1
    ns_personal: bool = True
    ns_sentence_end: int = -1


@dataclass
class Read:
    """What one sentence contributed: the node it is about (head) and the node deeper lines hang from (anchor)."""

    head: NodeEntry | None = None
    anchor: NodeEntry | None = None
    links: bool = False
    equation: bool = False


class Reader:
    def __init__(self, b: Builder) -> None:
        self.b = b
        self.state = State()
        self._previous_sentence_links = 0  # how many links existed before the last sentence was read
        self._previous: Frag | None = None  # the last sentence, for "those are my guardrails"
        self._last_cause: NodeEntry | None = None  # "... and it also drives Y": what "it" is
        self._claim: Frag | None = None  # the subject of this sentence's "I believe ..."

    # --- a sentence -----------------------------------------------------------
    def sentence(self, sent: Sentence, *, strip_arrow_lead: bool = False) -> Read:
        b, st = self.b, self.state
        frag = Frag(sent.text, sent.start)
        if strip_arrow_lead:
            m = re.match(r"^(?:<-(?:\s*-)*|←|⇠|⇐|-{1,2}>|→|⟶|⇢|=>|↳)\s*", frag.text)
            if m:
                frag = frag.cut(m.end())
        label = self._label(frag.text)
        frag = _mask_labels(frag)
        self._last_cause = None
        claim = _claim_subject(frag)
        self._claim = claim if claim.text and _is_subject(claim.text) and _marked_kind(frag.text) == "causal" else None
        kind = label or st.section_kind or _marked_kind(frag.text)
        n_links = len(b.links)
        read = Read()

        if _DIAGNOSIS_HEADER.match(frag.text):
            st.in_diagnosis = True
        elif _ANY_HEADER.match(frag.text) and not _DIAGNOSIS_HEADER.match(frag.text):
            st.in_diagnosis = False

        self._north_star(frag)
        self._notes(frag, sent)
        guarded = self._guardrails(frag)

        if not guarded:
            read = self._structure(frag, kind, sent)
        if len(b.links) == n_links and not guarded:
            self._flat_list(frag)
        if len(b.links) > n_links:
            read.links = True
        elif BACK_LABEL.search(frag.text) and n_links:
            b.relabel(self._previous_sentence_links, "causal", sent.text)
        elif re.match(r"^(?:those|these|both|all|each|the)\b[^.]{0,40}\b(?:are|is)\s+(?:\w+\s+){0,2}(?:identities|identity|by definition|mathematical)", frag.text, re.I) and n_links:
            b.relabel(self._previous_sentence_links, "math")

        if _DIAGNOSIS_OPENER.search(frag.text):
            st.diagnosis_line = sent.line.index
        in_diagnosis = st.in_diagnosis or st.diagnosis_line == sent.line.index
        if not read.equation and not guarded and (in_diagnosis or not read.links) and (
            in_diagnosis or DIAGNOSIS_CUE.search(frag.text) or GENERIC_COMPONENTS.search(frag.text)
            or SEGMENTATION.search(frag.text) or _EITHER_QUESTION.search(frag.text)
        ):
            if not _NS_PATTERNS[0].match(frag.text):
                b.diagnosis.append((sent.start, sent.end))
        self._previous_sentence_links = n_links
        self._previous = frag
        return read


    def _flat_list(self, frag: Frag) -> None:
        """"I'd track MAU, DAU, churn and NPS": metrics named without structure still belong in the tree, unlinked."""
        m = _TRACK.search(frag.text)
        if not m:
            return
        items = _cut_end(frag.cut(m.end())).split(_LIST)
        if len(items) >= 2:
            for item in items[:15]:
                if not re.match(r"(?:pull|see|look|check|review|talk|come|compare|ask|get|make|find|keep|then|and|go)\b", item.text, re.I):
                    self.b.metric(item)

    def _label(self, text: str) -> LinkKind | None:
        for m in LABEL_GROUP.finditer(text):
            inner = m.group(1) or m.group(2) or ""
            if CAUSAL_LABEL.search(inner):
                return "causal"
            if MATH_LABEL.search(inner):
                return "math"
        return None

    # --- north star -----------------------------------------------------------
    def _north_star(self, frag: Frag) -> None:
        b, st = self.b, self.state
        if _SEVERAL_TOPS.search(frag.text):
            st.several_tops = True
            colon = frag.text.find(":")
            if colon >= 0:
                for item in frag.cut(colon + 1).split(_LIST):
                    entry = b.metric(item.cut(0, phrase_end(item.text)))
                    if entry is not None:
                        b.candidates.append(entry)
            elif b.north_star is not None:
                b.candidates.append(b.north_star)
            return
        if b.north_star is not None and not (st.several_tops and len(b.candidates) >= 2) and st.ns_personal:
            return
        low = frag.text.lower()
        if not any(h in low for h in _NS_HINTS):
            return
        for pattern in _NS_PATTERNS:
            m = pattern.search(frag.text)
            if not m:
                continue
            x = frag.cut(m.start("x"), m.end("x"))
            x = x.cut(0, phrase_end(x.text))
            if not clean(x.text) and len(x.text.split()) > 12:
                # A long definition ("the share of meetings whose summary is opened within a day"):
                # the name is the head before its relative clause.
                rel = re.search(r"\s(?:whose|that|which|who|where|when|with|within|after|before)\s", x.text)
                if rel:
                    x = x.cut(0, rel.start())
            if is_pronoun(x.text) or re.match(r"^(?:that|this|it)(?:'s| is)\b", x.text, re.I):
                entry = st.focus
                if entry is None:
                    lead = re.match(r"^(?P<s>[^,;:]{2,60}?)\s+(?:is|are|was|equals)\b", frag.text)
                    entry = b.metric(frag.cut(0, lead.end("s"))) if lead else None
            else:
                entry = b.metric(x)
            if entry is None:
                continue
            if b.north_star is not None and not _PERSONAL.search(frag.text):
                return  # an impersonal mention never replaces a declaration
            self._commit(entry, frag)
            return

    def declare_north_star(self, frag: Frag) -> None:
        """The metric named right under a "North star" heading."""
        entry = self.b.metric(frag)
        if entry is not None:
            self._commit(entry, frag)

    def _commit(self, entry: NodeEntry, frag: Frag) -> None:
        b, st = self.b, self.state
        b.north_star = entry
        b.candidates = []
        st.several_tops = False
        st.focus = entry
        st.ns_sentence_end = frag.end
        st.ns_personal = bool(_PERSONAL.search(frag.text))
        self._classify(frag.text, entry)

    def _classify(self, text: str, entry: NodeEntry) -> None:
        m = INPUT_OUTPUT.search(text)
        if m:
            self.b.node_type[id(self.b.book.resolve(entry))] = (m.group(1) or m.group(2) or m.group(3)).lower()

    def _notes(self, frag: Frag, sent: Sentence) -> None:
        b, st = self.b, self.state
        if b.north_star is not None and 0 <= sent.start - st.ns_sentence_end <= 3 and re.match(r"^(?:it|this|that)(?:'s| is)\b", frag.text, re.I):
            self._classify(frag.text, b.north_star)
        if LEADING_LAGGING.search(frag.text) or OWNER.search(frag.text):
            b.notes.append((sent.start, sent.end))
        if b.decision_rule is None and DECISION_RULE.search(frag.text):
            b.decision_rule = (sent.start, sent.end)

    # --- guardrails -----------------------------------------------------------
    def _guardrails(self, frag: Frag) -> bool:
        b = self.b
        found: list[Frag] = []
        named = _GUARD_WORD.search(frag.text) is not None  # the three patterns below all need the word
        back = _GUARD_BACK.match(frag.text) if named else None
        if back and self._previous is not None:
            prev = self._previous
            colon = mask_parens(prev.text).rfind(":")
            found.extend(_guard_items(prev.cut(colon + 1) if colon >= 0 else prev))
        for pattern in (_GUARD_HEADER, _GUARD_IS) if named and not back else ():
            m = pattern.search(frag.text)
            if m:
                found.extend(_guard_items(frag.cut(m.start("rest"), m.end("rest"))))
                break
        else:
            m = _GUARD_TREAT.search(frag.text) if named else None
            if m:
                x = frag.cut(m.start("x"), m.end("x"))
                x = x.cut(max(x.text.rfind(","), x.text.rfind(":")) + 1)
                found.append(x)
                if m.group("rest"):
                    found.extend(_guard_items(frag.cut(m.start("rest"), m.end("rest"))))
        for m in MUST_NOT.finditer(mask_parens(frag.text)):
            before = frag.cut(0, m.start())
            cut = max(before.text.rfind(c) for c in ",;:")
            subject = before.cut(cut + 1)
            subject = subject.cut(re.search(r"^(?:.*\b(?:and|that|if|while|so)\s+)?", subject.text).end())
            found.extend(subject.split(_LIST))
        for m in _KEEP_FLAT.finditer(frag.text) if "keep" in frag.text.lower() else ():
            found.extend(frag.cut(m.start("x"), m.end("x")).split(_LIST))
        added = False
        for item in found:
            item = _strip_predicate(item)
            entry = b.metric(item)
            if entry is not None:
                b.add_guardrail(entry)
                added = True
        if added and COUNTER_REASON.search(frag.text):
            b.notes.append((frag.start, frag.end))
        return added

    def guardrail_items(self, frag: Frag) -> None:
        """Bullets under a "Guardrails:" header."""
        for item in _guard_items(frag):
            entry = self.b.metric(_strip_predicate(item))
            if entry is not None:
                self.b.add_guardrail(entry)
        if COUNTER_REASON.search(frag.text):
            self.b.notes.append((frag.start, frag.end))

    # --- links ----------------------------------------------------------------
    def _structure(self, frag: Frag, kind: LinkKind | None, sent: Sentence) -> Read:
        b, st = self.b, self.state
        read = Read()
        hypothesis = sent.text if kind == "causal" else None

        m = _IDENTITY_SUBJECT.match(frag.text)
        if m:
            entry = b.metric(frag.cut(m.start("x"), m.end("x")))
            if entry is not None:
                st.focus = entry

        stage = _STAGE.match(frag.text)
        if stage:
            for item in frag.cut(stage.start("rest"), stage.end("rest")).split(_LIST):
                entry = b.metric(item)
                if entry is not None:
                    b.stage[id(entry)] = stage.group("stage").lower()
            return read

        under = _UNDER.match(frag.text)
        if under and _is_subject(under.group("x")):
            x = frag.cut(under.start("x"), under.end("x"))
            parent = st.focus if is_pronoun(x.text) else b.known_metric(x)
            rest = frag.cut(under.start("rest"), under.end("rest"))
            if parent is not None and rest.text:
                if _EQ.search(mask_parens(rest.text)) or _ARROW.search(rest.text):
                    sub = self._clauses(rest, kind, hypothesis, read)
                    for lhs in sub:
                        if lhs is not parent and not b.has_parent(lhs):
                            if _same_family(parent, lhs):
                                b.book.alias(parent, lhs)
                            else:
                                b.link(parent, lhs, kind or "unlabelled", (frag.start, frag.end), hypothesis=hypothesis)
                    read.head = parent
                elif _HAS_OP.search(mask_parens(rest.text)):
                    self._rhs(parent, rest, None, frag, read)
                    read.head = parent
                else:
                    for item in rest.split(_LIST):
                        child = b.metric(item)
                        if child is not None:
                            b.link(parent, child, kind or "unlabelled", (frag.start, frag.end), hypothesis=hypothesis)
                    read.head = parent
                st.focus = parent
                read.anchor = read.anchor or parent
                self._level(frag, parent)
                return read

        level = _LEVEL_LIST.match(frag.text)
        if level and not _EQ.search(mask_parens(level.group("rest"))) and not _ARROW.search(level.group("rest")) \
                and not _PARENT_FIRST.search(level.group("rest")) and not _CHILD_FIRST.search(level.group("rest")):
            k = int(level.group("k"))
            parent = st.level_subject.get(k - 1) or st.focus
            if parent is not None:
                rest = frag.cut(level.start("rest"), level.end("rest"))
                for item in rest.split(_LIST):
                    child = b.metric(item)
                    if child is not None:
                        b.link(parent, child, kind or "unlabelled", (frag.start, frag.end), hypothesis=hypothesis)
                read.head = parent
                return read

        heads = self._clauses(frag, kind, hypothesis, read)
        if heads:
            read.head = read.head or heads[0]
            self._level(frag, heads[0])
        return read

    def _level(self, frag: Frag, subject: NodeEntry) -> None:
        m = re.match(r"^L(\d)\b", frag.text)
        if m:
            self.state.level_subject[int(m.group(1))] = subject

    def _clauses(self, frag: Frag, kind: LinkKind | None, hypothesis: str | None, read: Read) -> list[NodeEntry]:
        heads: list[NodeEntry] = []
        for clause in frag.split(_CLAUSE):
            head = self._equation(clause, read) or self._arrows(clause, kind, hypothesis, read) or self._verbs(clause, kind, hypothesis, read)
            if head is not None:
                heads.append(head)
        return heads

    def _equation(self, clause: Frag, read: Read) -> NodeEntry | None:
        b, st = self.b, self.state
        masked = mask_parens(clause.text)
        m = _EQ.search(masked)
        agg = m.group("agg") if m else None
        if m is None and (_HAS_OP.search(masked) or "sum" in masked or "product" in masked):
            for im in _IS.finditer(masked):
                if (_HAS_OP.search(masked[im.end():]) or _SUM_PREFIX.match(masked[im.end():])) and not _ARROW.search(masked):
                    m = im
                    break
        if m is None:
            return None
        whole = clause.cut(0, m.start())
        cut = max(whole.text.rfind(":"), whole.text.rfind(","), whole.text.rfind(";"))
        lhs = whole.cut(cut + 1).strip()
        if cut > 0 and re.fullmatch(r"(?:it|this|that)(?:'s)?", lhs.text, re.I):
            # "Chats closed without a human, that's the sum of ...": the pronoun points at the phrase before it.
            before = whole.cut(0, cut)
            before = before.cut(max(before.text.rfind(":"), before.text.rfind(","), before.text.rfind(";")) + 1).strip()
            if clean(before.text) and _is_subject(before.text):
                lhs = before
        if not lhs.text or is_pronoun(lhs.text) or re.fullmatch(r"(?:and\s+|so\s+)?(?:it|this|that)", lhs.text, re.I):
            parent = st.focus
        else:
            parent = b.known_metric(lhs)
        if parent is None:
            return None
        rhs = clause.cut(m.end())
        prefix = _SUM_PREFIX.match(rhs.text)
        if prefix:
            rhs = rhs.cut(prefix.end())
        end = _RHS_END.search(mask_parens(rhs.text))
        if end:
            rhs = rhs.cut(0, end.start())
        before = len(b.links)
        if agg:
            op = "×" if agg.lower() == "product" else "+"
            for child in self._list(rhs):
                b.link(parent, child, "math", (clause.start, clause.end), operator=op, formula=clause.text.strip())
        elif _HAS_OP.search(mask_parens(rhs.text)):
            self._rhs(parent, rhs, clause, clause, read)
        elif m.group(0) == "=" or "equal" in m.group(0).lower():
            other = b.metric(rhs)
            if other is not None and other is not parent:
                b.book.alias(parent, other)
            st.focus = parent
            read.equation = True
            return parent
        else:
            return None
        if len(b.links) == before:
            return None
        st.focus = parent
        read.equation = True
        read.anchor = read.anchor or parent
        return parent

    def _rhs(self, parent: NodeEntry, rhs: Frag, formula_from: Frag | None, evidence: Frag, read: Read) -> None:
        masked = mask_parens(rhs.text)
        pieces: list[tuple[str | None, Frag]] = []
        pos, op = 0, None
        for m in _OPS.finditer(masked):
            pieces.append((op, rhs.cut(pos, m.start())))
            sym = next(g for g in ("add", "add2", "sub", "sub2", "sub3", "mul", "mul2", "div") if m.group(g))
            op = {"add": "+", "add2": "+", "sub": "-", "sub2": "-", "sub3": "-", "mul": "×", "mul2": "×", "div": "÷"}[sym]
            pos = m.end()
        pieces.append((op, rhs.cut(pos)))
        ops = [o for o, _ in pieces if o]
        first_op = "×" if ops and ops[0] in ("×", "÷") else "+"
        names = _distribute([p for _, p in pieces])
        formula = (formula_from or evidence).text.strip()
        for (o, _), item in zip(pieces, names, strict=True):
            inner = item.strip()
            if inner.text.startswith("(") and inner.text.endswith(")") and _HAS_OP.search(inner.text[1:-1]):
                # "(A + B) / C": the bracketed terms are children too.
                self._rhs(parent, inner.cut(1, len(inner.text) - 1), formula_from or evidence, evidence, read)
                continue
            child = self.b.metric(item, avoid=parent)
            if child is not None:
                self.b.link(parent, child, "math", (evidence.start, evidence.end), operator=o or first_op, formula=formula)
        read.equation = True

    def _refer_back(self, entry: NodeEntry) -> NodeEntry:
        """A node just named in short ("open rate") for one named before in full ("open rate of summaries")."""
        if len(entry.spans) > 1 or self.b.has_parent(entry) or any(self.b.book.resolve(d.parent) is entry for d in self.b.links):
            return entry
        k = set(entry.key)
        named = [e for e in self.b.book.entries if e is not entry and k and k <= set(e.key)]
        return self.b.book.alias(named[0], entry) if len(named) == 1 else entry

    def _list(self, frag: Frag) -> list[NodeEntry]:
        out = []
        for item in _distribute(frag.split(_LIST)):
            entry = self.b.metric(item)
            if entry is not None:
                out.append(entry)
        return out

    def _arrows(self, clause: Frag, kind: LinkKind | None, hypothesis: str | None, read: Read) -> NodeEntry | None:
        masked = mask_parens(clause.text)
        arrows = list(_ARROW.finditer(masked))
        if not arrows:
            return None
        segs: list[Frag] = []
        pos = 0
        for m in arrows:
            segs.append(clause.cut(pos, m.start()))
            pos = m.end()
        segs.append(clause.cut(pos))
        first = segs[0]
        colon = mask_parens(first.text).rfind(":")
        segs[0] = first.cut(colon + 1)
        end = _SEGMENT_END.search(mask_parens(segs[-1].text))
        if end:
            segs[-1] = segs[-1].cut(0, end.start())
        repeat = [bool(re.search(r"(?:,\s*)?\band\s*$", s.text)) for s in segs]
        groups = [
            [self._refer_back(e) for e in self._list(s.cut(0, len(re.sub(r"(?:,\s*)?\band\s*$", "", s.text))))]
            if s.text.strip() else [] for s in segs
        ]
        head = anchor = None
        for i, m in enumerate(arrows):
            left, right = groups[i], groups[i + 1]
            if repeat[i] and i > 0 and _LEFT_ARROW.match(m.group(0)):
                left = groups[i - 1]  # "X ⇠ A, and ⇠ B": B hangs from X too
            if not left or not right:
                continue
            arrow = m.group(0)
            k: LinkKind = "causal" if _DOTTED_ARROW.match(arrow) else (kind or "unlabelled")
            hyp = hypothesis or (clause.text if k == "causal" else None)
            if _LEFT_ARROW.match(arrow):
                parent = left[-1]
                for child in right:
                    self.b.link(parent, child, k, (clause.start, clause.end), hypothesis=hyp)
                head = head or parent
                anchor = right[-1]
            elif len(right) >= 2 and len(left) == 1:
                parent = left[0]
                k_parent = set(parent.key)
                named = [e for e in self.b.book.entries if e is not parent and k_parent and k_parent <= set(e.key)]
                if len(named) == 1 and len(parent.spans) <= 1:
                    # "Notifications → push sent, push open rate" after "notification opens" was named.
                    parent = self.b.book.alias(named[0], parent)
                for child in right:
                    self.b.link(parent, child, k, (clause.start, clause.end), hypothesis=hyp)
                head = head or parent
                anchor = right[-1]
            else:
                for child in left:
                    for parent in right:
                        self.b.link(parent, child, k, (clause.start, clause.end), hypothesis=hyp)
                head = right[0]
                anchor = anchor or left[0]
        if head is None:
            return None
        read.anchor = read.anchor or anchor
        return head

    def _verbs(self, clause: Frag, kind: LinkKind | None, hypothesis: str | None, read: Read) -> NodeEntry | None:
        b, st = self.b, self.state
        masked = mask_parens(clause.text)
        span = (clause.start, clause.end)

        low = masked.lower()
        m = _SITS_UNDER.search(masked) if ("under" in low or "below" in low or "beneath" in low) else None
        if m:
            parent = b.known_metric(clause.cut(m.start("y"), m.end("y")))
            if parent is not None:
                for child in self._list(_cut_end(clause.cut(m.start("rest"), m.end("rest")))):
                    b.link(parent, child, kind or "causal", span, hypothesis=hypothesis or clause.text)
                return parent

        m = _BRANCHES.search(masked) if st.focus is not None else None
        if m:
            for child in self._list(_cut_end(clause.cut(m.start("rest"), m.end("rest")))):
                b.link(st.focus, child, kind or "unlabelled", span, hypothesis=hypothesis)
            return st.focus
        m = _MAIN_DRIVER.search(masked) if "driver" in low else None
        if m:
            child = b.metric(_subject(clause.cut(m.start("x"), m.end("x"))))
            parent = b.known_metric(_cut_end(clause.cut(m.start("y"), m.end("y")))) if m.group("y") else st.focus
            if child is not None and parent is not None:
                b.link(parent, child, kind or "unlabelled", span, hypothesis=hypothesis)
                return parent
        m = _WHAT_DRIVES.search(masked) if "what drives" in low else None
        if m:
            parent = b.known_metric(clause.cut(m.start("x"), m.end("x")))
            k: LinkKind = "causal" if CAUSAL_LABEL.search(m.group("label")) else (kind or "unlabelled")
            if parent is not None:
                for child in self._list(_cut_end(clause.cut(m.start("rest"), m.end("rest")))):
                    b.link(parent, child, k, span, hypothesis=hypothesis or clause.text)
                return parent

        m = _SPLIT_X_INTO.search(masked) if " into " in low else None
        if m:
            x = clause.cut(m.start("x"), m.end("x"))
            parent = st.focus if is_pronoun(x.text) else b.book.find_loose(clean(x.text))
            if parent is not None:
                k = "math" if MATH_LABEL.search(clause.text) else "unlabelled"
                for child in self._list(_cut_end(clause.cut(m.start("rest"), m.end("rest")))):
                    b.link(parent, child, k, span)
                return parent

        m = _PARENT_FIRST.search(masked)
        if m:
            subject = _subject(clause.cut(0, m.start()))
            parent = st.focus if is_pronoun(subject.text) else (b.known_metric(subject) if _is_subject(subject.text) else None)
            if parent is not None:
                if m.group("decomp"):
                    k = "math" if MATH_LABEL.search(clause.text) else "unlabelled"
                else:
                    k = kind or "unlabelled"
                rest = clause.cut(m.end())
                rest = rest.cut(len(rest.text) - len(rest.text.lstrip(" :")))
                for child in self._list(_cut_end(rest)):
                    b.link(parent, child, k, span, hypothesis=hypothesis if k == "causal" else None)
                return parent

        if kind == "causal":
            m = _COMES_FROM.search(masked)
            if m:
                subject = _subject(clause.cut(0, m.start()))
                parent = b.known_metric(subject) if _is_subject(subject.text) else None
                if parent is not None:
                    for child in self._list(_cut_end(clause.cut(m.end()))):
                        b.link(parent, child, "causal", span, hypothesis=hypothesis)
                    return parent
        verbs = list(_CHILD_FIRST.finditer(masked))
        if kind == "causal":
            verbs = sorted(verbs + list(_CAUSAL_VERB.finditer(masked)), key=lambda v: v.start())
        for m in verbs:
            subject = _subject(clause.cut(0, m.start()))
            if not _is_subject(subject.text):
                subject = _claim_subject(clause.cut(0, m.start()))
            pronoun = re.fullmatch(r"(?:that\s+)?(?:it|this|that)(?:\s+also)?", subject.text.strip(), re.I)
            if pronoun and self._last_cause is not None:
                children = [self._last_cause]
            elif pronoun and self._claim is not None and (claimed := b.metric(self._claim)) is not None:
                children = [claimed]
            elif not _is_subject(subject.text) or not clean(subject.text):
                continue
            else:
                children = self._list(subject)
            chain = [
                p for p in (
                    st.focus if re.fullmatch(r"(?:it|this|that)", f.text.strip(), re.I) else b.known_metric(f)
                    for f in _cut_end(clause.cut(m.end())).split(_CHAIN)
                ) if p is not None
            ]
            if not children or not chain:
                continue
            k = kind or "unlabelled"
            for child in children:
                b.link(chain[0], child, k, span, hypothesis=hypothesis)
            self._last_cause = children[-1]
            for lower, upper in zip(chain, chain[1:], strict=False):
                b.link(upper, lower, k, span, hypothesis=hypothesis)
            read.anchor = read.anchor or children[-1]
            return chain[-1]
        return None


# --- helpers ---------------------------------------------------------------------
def _mask_labels(frag: Frag) -> Frag:
    text = frag.text
    for m in LABEL_GROUP.finditer(text):
        inner = m.group(1) or m.group(2) or ""
        if CAUSAL_LABEL.search(inner) or MATH_LABEL.search(inner):
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    return Frag(text, frag.start)


def _marked_kind(text: str) -> LinkKind | None:
    if CAUSAL_MARKER.search(text):
        return "causal"
    if MATH_LABEL.search(text):
        return "math"
    return None


def phrase_end(text: str) -> int:
    m = _PHRASE_END.search(mask_parens(text))
    return m.start() if m else len(text)


def _cut_end(frag: Frag) -> Frag:
    m = _SEGMENT_END.search(mask_parens(frag.text))
    frag = frag.cut(0, m.start()) if m else frag
    m = re.search(r"\s+(?:rather than|instead of|before|so that|so|which is|, which)\b|:\s", mask_parens(frag.text))
    return frag.cut(0, m.start()) if m else frag


def _subject(frag: Frag) -> Frag:
    """The noun phrase right before a verb: after the last clause break, without "I believe that"."""
    masked = mask_parens(frag.text)
    if re.search(r",\s*which\s*$", masked):
        # "the redesign buried the reset link, which drives ...": the cause is the phrase before "which".
        masked = masked[: masked.rfind(",")]
        frag = frag.cut(0, len(masked))
    cut = max(masked.rfind(","), masked.rfind(":"), masked.rfind(";"))
    if cut >= 0 and not masked[cut + 1 :].strip():
        # "weekly shoppers: split into ...": the subject is the label before the colon.
        frag, masked = frag.cut(0, cut), masked[:cut]
        cut = max(masked.rfind(","), masked.rfind(":"), masked.rfind(";"))
    frag = frag.cut(cut + 1)
    m = _BELIEF_PREFIX.match(frag.text)
    if m:
        frag = frag.cut(m.end())
    frag = frag.cut(0, len(re.sub(r"(?:\s+(?:which|that|who|in turn|also|then|mostly|mainly|largely|really|actually|directly|probably|likely|will|would|should|could|may|might|can))+\s*$", "", frag.text)))
    return frag.strip()


def _claim_subject(frag: Frag) -> Frag:
    """"I believe the search we, um, launched ...": the noun phrase right after the belief, before any aside."""
    m = _BELIEF_PREFIX.match(frag.text)
    if not m:
        return Frag("", frag.start)
    rest = frag.cut(m.end())
    comma = rest.text.find(",")
    if comma >= 0:
        rest = rest.cut(0, comma)
    trimmed = re.sub(r"(?:\s+(?:we|I|you|they|that|which|who))+\s*$", "", rest.text)
    return rest.cut(0, len(trimmed)).strip()


def _is_subject(text: str) -> bool:
    text = re.sub(r"\([^()]*\)", " ", text)
    words = text.split()
    return 0 < len(words) <= 10 and not re.search(
        r"\b(?:it|is|are|was|gets?|we|I|you|they|if|when|should|would|could|will|must|can|everything|anything|nothing|this|there)\b",
        text, re.I,
    ) or is_pronoun(text)


def _same_family(a: NodeEntry, b: NodeEntry) -> bool:
    ka, kb = set(a.key), set(b.key)
    return bool(ka and kb) and (kb <= ka or ka <= kb)


def _distribute(items: list[Frag]) -> list[Frag]:
    """"new, retained and resurrected listeners": the adjectives share the last item's noun."""
    if len(items) < 2:
        return items
    last_words = items[-1].text.split()
    if len(last_words) < 2 or not all(len(i.text.split()) == 1 and _ADJECTIVE.match(i.text.strip().lower()) for i in items[:-1]):
        return items
    if not _ADJECTIVE.match(last_words[0].lower()):
        return items
    noun = " " + " ".join(last_words[1:])
    return [Frag(i.text + noun, i.start) for i in items[:-1]] + [items[-1]]


def _guard_items(frag: Frag) -> list[Frag]:
    """"A, because ...; and B, which ...": each part names a guardrail before its explanation."""
    items: list[Frag] = []
    for i, part in enumerate(frag.split(re.compile(r";\s*(?:and\s+)?|,\s*and\s+|\.\s+"))):
        m = _GUARD_CUT.search(mask_parens(part.text))
        if m:
            part = part.cut(0, m.start())
        if i and re.search(r"\b(?:is|are|was|were|would|could|might|I|we|you)\b", part.text):
            break  # a new clause about the guardrails, not another one
        items.extend(part.split(_LIST))
    return items


def _strip_predicate(item: Frag) -> Frag:
    m = MUST_NOT.search(item.text)
    if m:
        item = item.cut(0, m.start())
    m = re.search(r"\s+(?:should|must|can|may|will|would|needs? to|has to|have to|stays?|remains?|is|are)\b", item.text, re.I)
    if m:
        item = item.cut(0, m.start())
    return item.strip()
