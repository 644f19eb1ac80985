"""Metric phrases: cleaning a fragment of prose into a metric name, and merging two spellings of one metric.

"D7 retention" and "D7 retention rate", "MAU" and "monthly active users",
"active listeners" and "monthly active listeners" are one node. The merge key
drops articles, plurals and a trailing "rate", expands common metric
abbreviations, and lets a name differ from another only by a time-window or
aggregation qualifier ("monthly", "total", ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from coach import regexes
from coach.parse.acronyms import ACRONYM, spelled
from coach.parse.words import family

ABBREVIATIONS = {
    "mau": "monthly active user",
    "maus": "monthly active user",
    "wau": "weekly active user",
    "waus": "weekly active user",
    "dau": "daily active user",
    "daus": "daily active user",
    "arr": "annual recurring revenue",
    "mrr": "monthly recurring revenue",
    "aov": "average order value",
    "gmv": "gross merchandise value",
    "ctr": "click through rate",
    "ltv": "lifetime value",
    "clv": "customer lifetime value",
    "cac": "customer acquisition cost",
    "arpu": "average revenue per user",
    "nps": "net promoter score",
    "csat": "customer satisfaction",
    "cvr": "conversion rate",
    "nrr": "net revenue retention",
    "grr": "gross revenue retention",
    "roas": "return on ad spend",
    "aht": "average handle time",
    "fcr": "first contact resolution",
    "arppu": "average revenue per paying user",
    "gbv": "gross booking value",
    # clipped words, not acronyms
    "acct": "account",
    "accts": "account",
    "txn": "transaction",
    "txns": "transaction",
    "msg": "message",
    "msgs": "message",
}
_QUALIFIERS = {"monthly", "weekly", "daily", "total", "overall", "number", "count", "average", "avg", "active"}
# "side" names a bucket ("the returning side"), not a different metric.
_DROP_TOKENS = frozenset(
    "the a an our my their its your of rate ratio share % side part piece bit branch component term half bucket portion leg base pool".split()
)
_LEADING_FILLER = regexes.compile(
    r"^(?:(?:along with|together with|as well as|and also|alongside|plus|"
    r"and|or|but|so|then|also|first|firstly|second|next|finally|okay|ok|um+|uh+|er|like|you know|kind of|sort of|well|now|here|thus|hence|"
    r"mathematically|causally|basically|simply|just|again|in turn|by definition|by identity|by construction|therefore|"
    r"whereas|while|where|"
    r"which|that|whether|both|either|each|every|all|only|mostly|mainly|roughly|essentially|literally|"
    r"I'd say|I think|I believe|I expect|I guess|I'd argue|we'd|I'd|I would|I|we|obviously|clearly|"
    r"the|a|an|our|my|their|its|your|this|these|those|more|fewer|less|higher|lower|better|worse|"
    r"increased|decreased|improved|improving|improve|increasing|reducing|rising|falling|longer|shorter|"
    r"hold|keep|watch|track|treat|add|put|protect|monitor|expect|believe|think|suspect|assume|guess|"
    r"[Ll]\d(?:\s*\([^)]*\))?|level \d|under (?:that|this|it)|on the \w+ side|as|on|by|of|from|with|at|via|through|about|for (?:me|us)|to (?:me|us)|meanwhile|in the meantime|for example|for instance|e\.g\.|such as|"
    r"(?:test|check|see|ask)\s+(?:whether|if)|"
    r"as (?:my|the|our) (?:north[- ]?star|top(?: metric)?|main metric)|(?:my|the|our) north[- ]?star|north[- ]?star(?: metric)?(?=\s+\w))\b(?!-)[\s,:]*)+",
    re.I,
)
_POSSESSIVE_OWNER = regexes.compile(
    r"^(?:(?:the|our|its|their|your)\s+)?(?:model|models|app|product|agent|assistant|bot|platform|company|"
    r"team|system|service|user|users|customer|customers)'s\s+|^[A-Z][\w.&-]*'s\s+",
)
_TRAILING = regexes.compile(
    r"(?:\s+as (?:causal|math\w*|model|the|my|our|a|an) [\w -]{2,40}|\s*\([^)]*\)?|\s*\[[^\]]*\]?|\s+(?:on|for|from) the [\w-]+ side|\s+with a (?:lag|delay) of .*|\s+(?:through|via) (?:more|less|better|higher|lower|faster) .*|\s+over time|\s+(?:with|via|using|through)\s+(?:an?\s+)?(?:geo\s+|randomi[sz]ed\s+|small\s+)?(?:holdout|experiment|test|a/b(?: test)?|rollout|pilot)\b.*|\s+(?:going|goes|to go|keeps? going)(?:\s+(?:up|down))?|,?\s+(?:I guess|I think|I suppose|I'd say|probably|maybe|or so)|\s+(?:that\s+|which\s+)?(?:it's|it is|it was|they're|they are)\s+(?:measured|computed|calculated|counted|defined|based)\s+(?:on|over|against|from|by|in)|\s+(?:before|after|while|without)\s+\w+ing\b.*|\s+(?:etc|and so on|as well|too|itself|overall|alone|and|or|alongside|in parallel|on the side|(?:back\s+)?(?:up|down)|more|less|higher|lower|bigger|smaller|instead|for now)|[\s,.;:!?*_`'\"↑↓—–-]+)$",
    re.I,
)
_NOT_A_METRIC = regexes.compile(
    r"^(?:it|this|that|these|those|they|them|we|i|you|he|she|ones?(?:\s+(?:that|who|which)(?:\s+\w+)?)?|both|all|each|"
    r"everything|something|subject|wait|hmm|actually|okay|ok|yeah|"
    r"anything|nothing|here|there|what|which|who|thing|things|stuff|part|parts|side|sides|way|ways|"
    r"hypothesis|hypotheses|bet|bets|identity|identities|experiment|test|tests|math|causal|dotted|solid|"
    r"the data|data|dashboards?|a lot|lots|other|others|more|less|top|root|tree|level|levels|"
    r"node|nodes|metric|metrics|number|numbers|it all|guard[- ]?rails?|counter[- ]?metrics?|neither|none|either|"
    r"north[- ]?star|top metric|top node|root node|root metric|(?:the\s+)?moved metric|(?:the\s+)?metric that moved|"
    r"of (?:these|those|them)|the rest|rest|rows?|columns?|cells?|tables?|memo|proposal|recommendation|summary|"
    r"formulas?|equations?|breakdowns?|decompositions?|splits?|arithmetic|example|structure|framework|"
    r"(?:possible |likely |potential |main )?(?:causes|reasons|explanations|suspects|culprits)|next steps|steps|"
    r"(?:going|go|went) back and forth(?: on)?.*)$",
    re.I,
)
_GENERIC_TOKENS = frozenset(
    "user rate new weekly daily monthly active number count total per time share average avg customer people session level growth metric".split()
)
_STOP_TOKENS = {
    "of",
    "the",
    "a",
    "an",
    "to",
    "in",
    "on",
    "for",
    "by",
    "with",
    "and",
    "or",
    "that",
    "who",
    "which",
    "it",
    "its",
    "this",
}
_PRONOUN = regexes.compile(r"^(?:it|this|that|this metric|that metric|this number|that number|which)$", re.I)
_WORD = regexes.compile(r"[A-Za-z0-9][A-Za-z0-9'+/&-]*")


_NOT_A_NAME = regexes.compile(
    r"\b(?:should|would|could|must|will|can|we|you|they|if|when|everything|anything|neither|none|I(?:'d|'ll|'m)?|"
    r"is|are|was|were|isn't|aren't|don't|doesn't|didn't|won't|can't|wouldn't|couldn't|shouldn't|haven't|hasn't|am|I'm|we're|you're|"
    r"they're|it's|that's|there's|here's|let's|sees|thinks|says|feels|wants|knows|believes|hypothes\w*|panic)(?![\w-])|^'(?:s|re|ve|ll|d|m)\b|"
    r"^(?:to|be|been|being|do|does|did|get|gets|got|make|makes|made|tell|tells|told|hand|go|goes|went|see|sees|saw|say|says|said|let|"
    r"think|know|want|need|try|tries|look|looks|ask|asks|give|gives|take|takes|put|come|comes|keep|keeps|start with|pull|check|"
    r"compare|cut|split|segment|find|figure|confirm|verify|validate|run|ship|launch|fix|add|build|rather|also|not|no|just|only|"
    r"roll|separate|align|decide|pick|choose|drop|remove|restore|revert|undo|stop|start|turn|switch|too|easy|hard|"
    r"very|really|maybe|perhaps|then|than|because|since|so|such|like|um|uh|yeah|okay|ok|right|well|hmm|wait(?=,)|actually|"
    r"how|what|why|where|who|which|whether)(?![\w-])"
    # "revert rate", "drop rate", "check time": a verb before a unit names what is counted
    r"(?!\s+(?:rates?|ratios?|shares?|counts?|volume|score|cost|speed|latency|time)\b)",
    re.I,
)


_COUNTED_WHO = regexes.compile(r"(?P<pre>(?:[\w-]+\s+){0,3}(?P<head>[\w-]+))\s+(?:who|that|where|when)\s+\S", re.I)
# "for an efficiency number" (a phrase about a metric), "down ten percent in two weeks" (how it moved).
_NOT_A_NAME_LEAD = regexes.compile(
    r"(?:for|to|with|from|by|into|about|like)\s+(?:an?|the|this|that|these|those|our|my|its|their|your)\s|"
    r"(?:down|up|fell|dropped|rose|grew|declined|increased|decreased|slid|jumped)\s+(?:by\s+)?(?:about\s+|roughly\s+|nearly\s+|almost\s+|over\s+)?"
    r"(?:\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a|an|half)\b)",
    re.I,
)
_HOW_MANY = regexes.compile(r"how (?:many|much) (?P<x>[\w-]+(?: [\w-]+)?) (?:are|is|who|that|do|does|have|has)\b", re.I)


@lru_cache(maxsize=8192)
def is_name(name: str) -> bool:
    """Whether a cleaned phrase can name a metric: it has a real word and is not a clause or a number."""
    if not name or not re.search(r"[A-Za-z]{2,}", name):
        return False
    # "how many carts each store has", "share of trips that are finished on the cart": a definition may hold a verb.
    defined = re.match(
        r"(?:how (?:many|much|often|long|fast|satisfied|happy|likely|quickly|well|reliably|accurately)|"
        r"what (?:an?|the|each) [\w-]+ (?:makes|earns|spends|pays|gets|sees|buys|saves)|(?:the )?(?:share|percent(?:age)?|%|number|count|fraction|proportion|rate) of|"
        r"(?:the )?(?:share|percent(?:age)?|%|fraction|proportion) (?=who|that|which|with|we|you|they))\b",
        name,
        re.I,
    )
    if _NOT_A_NAME_LEAD.match(name):
        return False
    counted = _COUNTED_WHO.match(name)
    if counted and family("countable").fullmatch(counted.group("head")) and len(name.split()) <= 12:
        # "sellers who were active last month and came back": a count of people defined by what they did
        name = counted.group("pre")
    # "segment's repeat rate": a word with "'s" owns what follows; it is not the verb "segment".
    probe = re.sub(r"^(?!(?:it|that|what|let|here|there|who|he|she|where|how)'s)[a-z]+'s\s+", "", name, flags=re.I)
    if _NOT_A_NAME.search(
        probe if not defined else name[defined.end() :].split(" who ")[0].split(" that ")[0]
    ) and not (defined and len(name.split()) <= 12):
        return False
    words = re.findall(r"[A-Za-z]+", name)
    # "185k", "16% in 3 wks": numbers with their units are values, not metrics.
    return any(
        len(w) >= 3 or w.isupper()
        for w in words
        if w.lower() not in {"in", "wks", "wk", "mo", "yr", "pts", "pp", "vs", "k", "m", "bn"}
    )


def is_pronoun(phrase: str) -> bool:
    return bool(_PRONOUN.match(phrase.strip()))


@lru_cache(maxsize=8192)
def clean(phrase: str) -> str:
    """A fragment of prose trimmed to the metric it names, or '' when nothing metric-like is left."""
    text = " ".join(phrase.replace("\n", " ").split())
    # Markup-looking tags ("[bold]", "[/]") are not part of a metric's name.
    text = re.sub(r"\[/?[a-z#][^\[\]]{0,30}\]|\[/\]", " ", text).strip()
    text = re.sub(r"^[^\w(%#$]+", "", text)
    text = re.sub(r"\*\*|__|`", "", text)
    # "*(causal, to validate)* p95 latency — slow suggestions get ignored": the label and the gloss are not the name.
    text = re.sub(
        r"^\*?\((?:causal|math\w*|hypothes\w*|identity|dotted|solid|bet)\b[^)]*\)\*?\s*", "", text, flags=re.I
    )
    text = re.split(r"\s[—–]\s", text, maxsplit=1)[0]
    if re.fullmatch(r"(?:P|Pr|E)\s*\([^()]{1,40}\)", text):
        return text  # "P(buy | click)": a probability is named by its parentheses
    for _ in range(4):
        before = text
        text = _LEADING_FILLER.sub("", text).strip()
        text = _POSSESSIVE_OWNER.sub("", text).strip()
        text = _TRAILING.sub("", text).strip()
        if text == before:
            break
    text = re.sub(r"\s*\([^)]*$", "", text).strip()
    if text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].strip()  # "(cohort seats × cohort active share) ÷ ...": the bracket closes a group
    if not text or not re.search(r"[A-Za-z]", text) or _NOT_A_METRIC.match(text):
        return ""
    if len(text.split()) > 14 or len(text) > 100:
        return ""
    return text


def distinctive(words: set[str]) -> set[str]:
    """The words of a key that tell one metric from another (not "rate", "time", "of")."""
    return words - _GENERIC_TOKENS - _STOP_TOKENS


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "thirty": "30",
    "fourteen": "14",
    "twenty-eight": "28",
}
_NUMBER_PREFIX = regexes.compile(
    r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")-(?=day|week|month)"
)


@lru_cache(maxsize=4096)
def tokens(name: str) -> tuple[str, ...]:
    """The words of a name, singular, with metric abbreviations spelt out (cached: names recur)."""
    out: list[str] = []
    lowered = _NUMBER_PREFIX.sub(lambda m: _NUMBER_WORDS[m.group(1)] + "-", name.lower())
    for raw in _WORD.findall(lowered):
        for part in re.split(r"-(?!\d)|/", raw) if not re.match(r"^(?:d|w|m)\d+", raw) else [raw]:
            if not part:
                continue
            expanded = ABBREVIATIONS.get(part)
            if expanded:
                out.extend(expanded.split())
            else:
                out.append(_verb_stem(_singular(part)))
    return tuple(out)


def _verb_stem(word: str) -> str:
    """ "hitting" and "hit", "ranked" and "rank": a verb form names the same thing as its base."""
    if word == "newly":
        return "new"  # "newly activated merchants" are the new merchants
    if len(word) <= 5 or not word.endswith(("ing", "ed")):
        return word
    stem = word[:-3] if word.endswith("ing") else word[:-2]
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouslfz":
        stem = stem[:-1]  # "hitting", "planned"
    return stem


_WINDOW_START = {"per", "a", "each", "every", "in", "the"}  # not "last": last week's users are another metric
_WINDOW = {"day", "week", "month", "quarter", "year"}


@lru_cache(maxsize=4096)
def key(name: str) -> tuple[str, ...]:
    """The merge key: "Weekly listening hours per month" and "listening hours" differ only in qualifiers."""
    toks = tokens(name)
    # "per week", "a month": a time window says how often, not what is counted.
    kept = [
        t
        for i, t in enumerate(toks)
        if not (
            (t in _WINDOW_START and i + 1 < len(toks) and toks[i + 1] in _WINDOW)
            or (t in _WINDOW and i > 0 and toks[i - 1] in _WINDOW_START)
        )
    ]
    toks2 = [t for t in kept if t not in _DROP_TOKENS]
    return tuple(toks2) or tuple(tokens(name))


def same_metric(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short or len(short) < 1:
        return False
    extra = list(long_)
    for t in short:
        if t in extra:
            extra.remove(t)
        else:
            return False
    return bool(extra) and all(_qualifier(t) for t in extra) and short[-1] == long_[-1]


def _qualifier(token: str) -> bool:
    """ "weekly", "total", "48-hour": a word that narrows a metric without changing what it counts."""
    return token in _QUALIFIERS or token.isdigit() or token in _WINDOW or token in ("hour", "minute", "hr", "h", "d")


@dataclass
class NodeEntry:
    name: str
    key: tuple[str, ...]
    spans: list[tuple[int, int]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    alias_keys: set[tuple[str, ...]] = field(default_factory=set)


class NodeBook:
    """The metrics named so far, with every span where each was mentioned."""

    def __init__(self) -> None:
        self.entries: list[NodeEntry] = []
        self._merged: list[NodeEntry] = []
        self._redirect: dict[int, NodeEntry] = {}

    def resolve(self, entry: NodeEntry) -> NodeEntry:
        while id(entry) in self._redirect:
            entry = self._redirect[id(entry)]
        return entry

    def find(self, name: str) -> NodeEntry | None:
        lowered = name.lower()
        for e in self.entries:
            if e.name.lower() == lowered:
                return e
        k = key(name)
        for e in self.entries:
            if k == e.key or k in e.alias_keys:
                return e
        for e in self.entries:
            if same_metric(k, e.key) or any(same_metric(k, a) for a in e.alias_keys):
                return e
        if ACRONYM.search(name):
            # "WAV per account" is "weekly active viewers per account" spelled short
            for e in self.entries:
                if key(spelled(name, e.name)) == e.key and not ACRONYM.search(e.name):
                    return e
        return None

    def find_loose(self, name: str) -> NodeEntry | None:
        """For a reference back to a metric already named ("ad revenue" for "ad revenue per user"):
        the one entry whose key contains every token of ``name``."""
        found = self.find(name)
        if found is not None:
            return found
        k = set(key(name))
        if not k:
            return None
        matches = [e for e in self.entries if k <= set(e.key) or any(k <= set(a) for a in e.alias_keys)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            # "the active share" among "weekly active seats" and "share of seats that are weekly active": the
            # unit word the key leaves out tells them apart.
            unit = name.lower().split()[-1]
            if set(key(unit)) & k:
                return None  # the last word is part of the key: nothing left out to tell them apart
            same_unit = [e for e in matches if unit in e.name.lower().split()]
            return same_unit[0] if len(same_unit) == 1 else None
        # "adoption among new subscribers" for "route adoption rate": the words before the qualifier.
        core = set(
            key(
                re.split(
                    r"\s+(?:among|for|of|in|on|by|with|from|across|at|within|after|before|when|who|that)\s+",
                    name,
                    maxsplit=1,
                )[0]
            )
        )
        core -= _GENERIC_TOKENS
        if not core or core == k:
            return None
        matches = [e for e in self.entries if core <= set(e.key) or any(core <= set(a) for a in e.alias_keys)]
        if len(matches) == 1:
            return matches[0]
        return self._closest(k)

    def _closest(self, k: set[str]) -> NodeEntry | None:
        """ "the return rate" for "week-over-week DJ return rate": most of the reference's distinctive words, one best entry."""
        want = k - _GENERIC_TOKENS - _STOP_TOKENS
        if not want:
            return None
        scored = []
        for e in self.entries:
            have = set(e.key).union(*e.alias_keys) if e.alias_keys else set(e.key)
            shared = len(want & have)
            if shared:
                scored.append((shared / len(want), shared, e))
        scored.sort(key=lambda t: (-t[0], -t[1]))
        if not scored or scored[0][0] < 0.66 or (len(scored) > 1 and scored[1][:2] == scored[0][:2]):
            return None
        return scored[0][2]

    def add(self, name: str, span: tuple[int, int] | None = None, avoid: NodeEntry | None = None) -> NodeEntry:
        """The entry for ``name``, new or merged; never ``avoid`` (a term of an identity is not its left side)."""
        alias = None
        m = re.match(r"^(.*?)\s*\(([^()]{1,30})\)\s*$", name)
        if m and m.group(1).strip() and m.group(1).strip() not in ("P", "Pr", "E"):
            name, alias = m.group(1).strip(), m.group(2).strip()
            if not re.fullmatch(r"[A-Z][A-Za-z0-9/]{1,12}|[A-Za-z]+/[A-Za-z]+", alias):
                alias = None
        entry = self.find(name) or (self.find(alias) if alias else None)
        if (
            entry is not None
            and avoid is not None
            and self.resolve(entry) is self.resolve(avoid)
            and name != entry.name
        ):
            entry = next((e for e in self.entries if e.name == name), None)
        if entry is None:
            entry = NodeEntry(name=name, key=key(name))
            counted = _HOW_MANY.match(name)
            if counted:
                entry.alias_keys.add(key(counted.group("x")))  # "how many sellers are listing" is "sellers" later
            self.entries.append(entry)
        elif name != entry.name and name not in entry.aliases:
            entry.aliases.append(name)
            entry.alias_keys.add(key(name))
        if alias and alias not in entry.aliases and alias != entry.name:
            entry.aliases.append(alias)
            entry.alias_keys.add(key(alias))
        if span and span not in entry.spans:
            entry.spans.append(span)
        return entry

    def alias(self, entry: NodeEntry, other: NodeEntry) -> NodeEntry:
        """Fold ``other`` into ``entry`` (the answer told us they are the same metric)."""
        if other is entry:
            return entry
        entry.aliases.extend(a for a in [other.name, *other.aliases] if a not in entry.aliases)
        entry.alias_keys |= {other.key, *other.alias_keys}
        entry.spans.extend(s for s in other.spans if s not in entry.spans)
        self.entries.remove(other)
        self._merged.append(other)  # kept alive: its id must not be reused while it redirects
        self._redirect[id(other)] = entry
        return entry
