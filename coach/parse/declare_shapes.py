"""The sentence shapes a declaration of the top takes (coach/parse/declare.py reads them)."""

from __future__ import annotations

import re

from coach import regexes

# "X is my north star", "X as the north star", "X, that's my north star": the metric before the top word.
TOP_AFTER_METRIC = regexes.compile(
    r"(?:\b(?:is|are|was|'s|would be|will be|becomes|stays|remains|as|be|call it|calling it)|[=:—–,(]|<-|←|⇐|◄─*|<─+)\s*"
    r"(?:(?:really|clearly|definitely|then|basically|probably|honestly|also|still|going to be|gonna be)\s+)*"
    r"(?:my|our|the|a|one|this|that)?\s*(?:(?:one|single|only|real|true|chosen|actual|new|final|proposed|overall|ultimate|"
    r"better|best|good|great|right|sensible|natural|obvious|clear)\s+)*$",
    re.I,
)
MAKE_X_TOP = regexes.compile(
    r"\b(?:make|makes|making|call|calling|set|setting|pick|picking|choose|choosing|take|taking|use|using|crown|name|naming|treat|treating|"
    r"keep|keeping|put|putting|have|propose|select|selecting|go with|going with|settle on|land on|commit to|track|tracking|"
    r"adopt|measure)\s+(?P<x>.{2,100}?)\s+"
    r"(?:as\s+|to be\s+|on\s+|at\s+)?(?:(?:my|our|the|a)\s+)?(?:(?:one|single|only)\s+)?$",
    re.I,
)
TOP_BEFORE_METRIC = regexes.compile(
    r"^\s*(?:metric\s+)?(?:(?:for|of)\s+[^,.:;=]{1,40}?\s*|here\s+|in this case\s+|overall\s+|then\s+|itself\s+)?(?:\([^)]*\)\s*)?"
    r"(?:,\s*)?(?:(?:it|that|this)(?:\s+(?=is\b|would\b|will\b|has\b)|(?='s\b)))?"
    r"(?:(?:that\s+|which\s+)?(?:I|we)\b[^,.:;=]{0,40}?(?:\s+(?=is\b|are\b|would\b|will\b)|(?=\s*:)))?"
    r"(?:[:=—–,]|→|⇒|->|=>|-\s|\s*(?:(?<![\w-])(?:is|are|would be|will be|should be|becomes|has to be|must be|I'd pick is|I'd choose is|I'd go with is)|'s|=)\b"
    r"|\s*\b(?:I|we)\s+(?:keep|take|choose|pick|use|select|propose|set)\b|\s+as\b)\s*",
    re.I,
)
NOT_A_METRIC_SLOT = regexes.compile(
    r"^(?:a |an |the )?(?:(?:lagging|leading|input|output|good|great|bad|useful|important|tricky|hard|key|real|simple|clear|single|one|top)\s+)*"
    r"(?:metric|number|indicator|measure|kpi|signal|one|thing|choice|question|outcome)s?$|^(?:important|tricky|hard|easy|clear|simple|obvious|key)\b|"
    r"^(?:flat|up|down|fine|stable|noisy|misleading|wrong|right|positive|negative|better|worse|unchanged|ok|okay|good|bad|"
    r"flat-ish|roughly flat|basically flat|about flat|similar|the same)\W*$|"
    # "the main metric is driven by the quality of the model": a statement about the top, not its name
    r"^(?:driven|made up|split|broken|influenced|determined|affected|shaped|powered|fed|caused|moved|hurt)\b|^a function of\b|"
    r"^(?:it|this|that)(?:'s|\s+(?:equals|is|means|breaks|splits|decomposes|comes))\b",  # "...: it equals A × B"
    re.I,
)
PLACEHOLDER = regexes.compile(
    r"^(?:something|one|a (?:metric|number|kpi|measure)|the one|the thing|a single (?:metric|number))\b[^,:—]{0,80}(?:,\s*(?:so|i\.e\.|namely|like|which is)?|:|\s[—–]\s)\s*(?=\S)",
    re.I,
)
DECLARATION_END = regexes.compile(
    r"\s=\s|\s(?:<-|->|→|←|⇐|⇒)\s|\s-\s|\s*\||,\s(?!or\b)|"
    r"\s+(?:as|like)\s+(?:(?:the|my|our|a)\s+)?(?:north[- ]?star|top|main|primary|key|headline|core)\b"  # "I choose X as/like NS"
)
LEAD_TRIM = regexes.compile(
    r"^[\s,:;—–*_`-]*(?:(?:um+|uh+|er+|erm|hmm|like|you know|so|well|basically|just|I guess|I think|probably|actually|honestly|"
    r"simply|clearly|obviously|then|still|again|ok|okay|yeah|right|grow|growing|increase|increasing|maximi[sz]e|raise)\b[\s,]*)*",
    re.I,
)
# "I want to say the conversion rate is main metric": what the speaker says is the slot, not the saying.
SAID = regexes.compile(
    r"^(?:.*?\b(?:I|we)(?:'d|'ll|'m| would| will| am| want to| wanna| have to| must| can)?\s+(?:\w+\s+){0,2}?"
    r"(?:say|think|believe|guess|feel|argue|suggest|propose|pick|choose|take|use|make|put|call|consider|keep|treat|set|define|see)\s+(?:that\s+)?)",
    re.I,
)


SAY_LEAD = regexes.compile(
    r"(?:[^,.;:]{0,25},\s*)?(?:I|we)(?:'d| would| will|'ll)\s+(?:(?:say|go with|pick|choose|take)\s+(?!that\b|it\b)|"
    r"(?:keep|treat|call|make|set|use|take|define)\s+(?:it|this|that)\s+(?:as\s+)?)",
    re.I,
)
VERB_LEAD = regexes.compile(
    r"\s*(?:then\s+|also\s+)?(?:treat|keep|use|make|see|call|put|run|watch|track|check|look|break|split|decompose|"
    r"work|hang|walk|move|leave|let|go|hold|consider|measure|report|drill|cut|slice|segment)\b",
    re.I,
)
OPTION = regexes.compile(r"\((?P<k>[a-dA-D1-4])\)\s*(?P<x>[^,;()]{3,80}?)\s*(?=[,;.]|\s+(?:or|and|vs\.?)\s|$)")
PICKED = regexes.compile(
    r"\b(?:I|we)(?:'d|'ll| would| will)?\s+(?:pick|choose|go with|take|recommend|prefer)\s+(?:option\s+)?\((?P<k>[a-dA-D1-4])\)",
    re.I,
)
RESTATED = regexes.compile(
    r",\s*(?:so|i\.e\.|meaning|which means|aka|basically)\s+(?:that's\s+|that is\s+)?(?P<x>[^,.;]{3,80}?)\s*[.!]?\s*$",
    re.I,
)
CLAUSE_HEAD = regexes.compile(r"\s*(?:whether|if|how|when|that|people|users|customers|they|we|you)\b", re.I)
SO_IT_IS = regexes.compile(r"\bso\s+(?P<x>[^.,;:]{3,60}?)\s+it is\s*[.!]?\s*$", re.I)
POINTS_BACK = regexes.compile(
    r"\b(?:that|which|this|it)(?:'s|\s+is|\s+was|\s+would be|\s+will be|'d be|'ll be)\s+(?:(?:my|our|the)\s+)?$", re.I
)
NOT_X_BUT = regexes.compile(
    r"^\s*(?:is not|isn't|is n't|'s not|wouldn't be|would not be|is no longer)\s+[^,;:]{1,60}?\s*[,;:—–]\s*"
    r"(?:but\s+)?(?:(?:it's|it is|it'd be|it would be|rather|instead)\s+)?",
    re.I,
)
AS_TOP = regexes.compile(
    r"\s*as\s+(?:the\s+|my\s+|our\s+|a\s+)?(?:main|top|primary|key|north[- ]?star|headline|core|single)\s*(?:metric|kpi|number|measure)?\s*[:,]?\s+",
    re.I,
)
SYMBOL = regexes.compile(r"^\s*[A-Za-z](?:_\w{1,8})?\s*=\s*(?=\S)")
GENERIC_REF = regexes.compile(
    r"^(?:the|this|that|our|my)\s+(?:ratio|rate|metric|number|percentage|share|count|total|figure)$", re.I
)
# After a take-back: "let me tighten it: X", "let me stick with X", "no wait, X".
CORRECTION_LEAD = regexes.compile(
    r"^[\s,:—–-]*(?:(?:stick with|go with|tighten|change|refine|sharpen|revise|rephrase|make)\s+)?"
    r"(?:(?:it|that|this)\s*(?:up\s*)?[:,—–-]?\s*)?(?:to\s+|with\s+)?(?:just\s+)?",
    re.I,
)
# The short name after "let's call them": quoted, or the words up to the end of the clause.
NAME = regexes.compile(
    r"\s*[,:]?\s*(?:['\"‘“](?P<x>[^'\"’”]{2,40})['\"’”]|(?P<y>[\w -]{2,40}?)(?=\s*(?:[,.;:)—–]|$|\s+(?:and|so|that's|which)\b)))"
)

POINTED_TOP = regexes.compile(
    r"^\W*(?P<x>[^<←⇐—–]{2,80}?)[\s\]*_`]*(?:<-+|←|⇐|<=+|--|—|–)\s*(?:(?:this|that|it)(?:'s| is)\s+)?(?:the\s+|my\s+|our\s+)?"
    r"(?:top(?:[- ]line)?|NS|NSM|north[- ]?star|top metric|main metric|root|(?:what|the (?:metric|one) that) (?:moved|fell|dropped|broke)|"
    r"(?:my|our) (?:pick|choice)|the one (?:I|we)(?:'d| would) (?:pick|choose|steer by)|what (?:I|we)(?:'d| would)? steer by)"
    r"\b(?!\s+(?:of|for)\b)",
    re.I,
)


ROLE_ONLY = regexes.compile(
    r"\s*(?:is|would be)\s+(?:what|the (?:one|metric|number))\s+(?:I|we)\b[^.;:]{0,60}?[.!]?\s*$", re.I
)
LEAD_ASIDE = regexes.compile(
    r"\s*(?:(?:is|would be|will be|=)\s*)?(?P<aside>[—–]\s*[^—–\n]{1,80}?\s*[—–])\s*(?=\w)", re.I
)
