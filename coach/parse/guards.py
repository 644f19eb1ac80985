"""Guardrails: the metrics a sentence says must not get worse.

Found by the guardrail cue ("guardrails: A and B", "A is my guardrail", "those
are my guardrails"), by a must-not cue ("A must not drop", "without hurting A",
"keep A flat"), or as the items under a guardrails header.
"""

from __future__ import annotations

import re

from coach import regexes
from coach.parse.fragment import Frag, mask_parens
from coach.parse.mentions import mentions
from coach.parse.names import NodeEntry
from coach.parse.slots import DASH_ASIDE, is_group_ref, is_pronoun, items, left_start, right_end
from coach.parse.state import ReaderBase
from coach.parse.words import family

_GUARD_BACK = regexes.compile(
    r"^(?:and\s+|so\s+)?(?:those|these|they|both|that|this|the last (?:two|three))(?:\s+(?:two|three))?\s*(?:are|is|'re|'s|would be|will be)\s+(?:my|our|the)\s+(?:two\s+|three\s+)?",
    re.I,
)
_WATCH_SO = regexes.compile(
    r"\b(?:watch|track|monitor|keep an eye on|protect|hold)\s+(?P<x>.{3,120}?)\s*,?\s+(?:so|to make sure|making sure)\b",
    re.I,
)
_KEEP_X = regexes.compile(
    r"\bkeep(?:ing)?\s+(?P<x>[^,.;]{2,60}?)\s+(?:flat|stable|steady|in check|under control|healthy|level|from (?:rising|dropping|falling|getting worse|regressing|creeping up))\b",
    re.I,
)
# "the team can't move it", "a few things must not get worse": not metrics held as guardrails.
_NOT_GUARDED = regexes.compile(
    r"^\s*(?:the\s+|our\s+)?(?:team|teams|company|org|we|they|you|people|anyone|nobody|one|it|this|that|what|"
    r"(?:things|stuff|metrics|numbers)(?:\s+(?:that|which))?\s*$|(?:a few|some|two|three|several|these|those|both|all) (?:things|numbers|metrics))\b",
    re.I,
)
_ENUMERATED = regexes.compile(
    r"^\W*(?:(?:(?:the\s+)?(?:first|second|third|other|last|big|biggest|main|key|obvious)(?:\s+one)?|one|another)\s+(?:is|would be)\b|"
    r"first(?:ly)?|second(?:ly)?|third(?:ly)?|also|and|plus|finally|last(?:ly)?|\d[.)])[\s,:]*",
    re.I,
)
_WORSE = r"(?:go up|go down|rise|drop|fall|decline|get worse|increase|decrease|suffer|slip|tank|climb|creep up|spike|regress)"
_NOT_WANT = regexes.compile(
    rf"\b(?:wouldn't|would not|don't|do not|never)\s+want\s+(?P<x>[^,.;]{{3,80}}?)\s+to\s+{_WORSE}"
    rf"(?:\s*,?\s+or\s+(?P<y>[^,.;]{{3,60}}?)\s+to\s+{_WORSE})?",
    re.I,
)
# "two", "two things", "a couple of metrics": how many guardrails follow, not one of them
_COUNT = regexes.compile(
    r"(?:the\s+)?(?:two|three|four|a few|several|some|a couple(?: of)?|2|3|4)(?:\s+(?:main\s+|key\s+)?(?:things|metrics|numbers|guardrails|ones|counter[- ]?metrics))?",
    re.I,
)
_MID_BACK = regexes.compile(
    r"(?:,\s*|\b(?:so|and)\s+)(?:those|these|both|they)(?:\s+(?:two|three))?\s*(?:are|would be|'re)\s+(?:my|our|the)\s+(?:two\s+|three\s+)?$",
    re.I,
)
_LET_MOVE = regexes.compile(
    rf"\b(?:can't|cannot|can not|won't|shouldn't|mustn't|don't|do not|never)\s+let\s+(?P<x>[^,.;]{{3,80}}?)\s+(?:{_WORSE}|creep up|slip|get away)",
    re.I,
)
_IF_WORSE_FLAG = regexes.compile(
    rf"^\W*if\s+(?P<x>[^,;]{{3,80}}?)\s+(?:goes|go|gets|get)?\s*{_WORSE}\b[^,;]*,\s*(?:that's|that is|it's|it is)\s+a\s+(?:red flag|warning sign|bad sign)",
    re.I,
)
_SEE_MOVE = regexes.compile(
    rf"\b(?:shouldn't|should not|don't want to|do not want to|can't|mustn't|never want to)\s+see\s+(?P<x>[^,.;]{{3,60}}?)\s+{_WORSE}"
    rf"(?:\s*,?\s+or\s+(?P<y>[^,.;]{{3,60}}?)\s+{_WORSE})?",
    re.I,
)
# "keep app rating above 4.5 and refund rate below 2%", "constraints: rating ≥ 4.5"
_THRESHOLD = regexes.compile(
    r"(?:^\W*(?:keep|hold|maintain)\s+|,\s*|\band\s+|:\s*)(?P<x>[A-Za-z][\w %/-]{2,40}?)\s*"
    r"(?:above|below|under|over|at or above|at or below|at least|at most|≥|≤|>=|<=|>|<)\s*[\d$~]",
    re.I,
)
_HURT = regexes.compile(
    r"\b(?:not|n't|never)\s+(?:hurt|harm|damage|tank|erode|sacrifice)\s+(?P<x>[^.;]{3,100}?)"
    r"(?=\s+(?:while|when|as|in order|just|to|for)\b|[.;,]|$)",
    re.I,
)
_GUARD_VERB = regexes.compile(
    r"^[\s,—–-]*(?:(?:so|and|then)\s+)?(?:(?:while|as|until|during|when|if|whatever|once)\b[^:]{1,80}?(?:,\s*|\s+(?=(?:I|we)\b)))?(?:I|we)(?:'d| would| will|'ll)?\s+(?:\w+\s+){0,2}?"
    r"(?:hold|keep an eye on|keep|watch|protect|track|monitor)[\s,]+(?:(?:um+|uh+|like),?\s+)*(?!(?:an? |the )?(?:eye|close)\b|(?:are|is|would be|will be|include)\b)",
    re.I,
)
_WATCH_VERB = regexes.compile(
    r"(?:\s*\b(?:I|we)(?:'d|'ll|\s+would|\s+will)?\s+|^\W*)(?:also\s+)?(?:keep an eye on|watch|monitor|protect|track|guard|hold)\s+",
    re.I,
)
_FILLER_LEAD = regexes.compile(
    r"^\W*(?:(?:um+|uh+|er+|like|so|well|okay|ok|and|(?:the\s+)?(?:first|second|third|fourth|other|last|next)(?:\s+one)?(?:\s+is)?)\b[\s,:]*)+",
    re.I,
)
_LIST_ASIDE = regexes.compile(DASH_ASIDE.pattern + r"(?=and\b)")
_SIDE = regexes.compile(r"^(?:on|for|from) the [\w -]{1,30}? side,?\s*", re.I)
_GUARD_SPLIT = regexes.compile(
    r";\s*(?:and\s+)?|,\s*and\b[\s,]*|\.\s+|,\s*(?=(?:and\s+)?(?:the\s+)?(?:second|third|fourth|other|last|next)(?:\s+one)?\b)|"
    r"\s+and\s+(?=(?:I|we)(?:'d| would| will|'ll)?\s+(?:also\s+)?(?:watch|keep an eye on|monitor|track|protect|hold)\b)"
)


class Guardrails(ReaderBase):
    def _guardrails(self, frag: Frag) -> bool:
        text = mask_parens(frag.text)
        found: list[Frag] = []
        from_list = False
        word = family("guardrail").search(text)
        must = family("must_not").search(text)
        colon = _colon_after(text, word or must)
        # A list after "guardrails:" may go on in the next sentence ("... and on the driver side, acceptance
        # rate, because ..."), when that sentence also says why.
        list_goes_on = self._guard_list_open and family("counter_reason").search(text) is not None
        enumerated = _ENUMERATED.match(text)
        if self._guard_pending and not word and not must and not enumerated and _bare_list(text):
            # "Guardrails." - "Contribution margin per box; delivery on-time rate; contacts per 1,000 boxes."
            found.extend(_guard_items(frag))
        elif (self._guard_pending or list_goes_on) and not word and (must or enumerated):
            # "For the guardrails I will put two. First, the certificate completion rate, it must not go down."
            lead = _ENUMERATED.match(text)
            rest = frag.cut(lead.end() if lead else 0)
            side = _SIDE.match(rest.text)
            found.extend(_guard_items(rest.cut(side.end()) if side else rest))
        elif word:
            front: list[Frag] = []
            back = _GUARD_BACK.match(text[: word.start()])
            after = text[word.end() :]
            lead = re.match(
                r"\s*(?:metrics?\s+)?(?:\([^)]*\)\s*)?(?:(?:either way|in any case|regardless|too|as well|also|then)\s*)?"
                r"(?:(?:while|as|until|during|when|so)\b[^,:]{1,40}?)?"
                r"(?:side\s*|\s*for example\s*|\s*for\s+[^,:;]{1,30}?\s+(?=is\b|are\b|would be\b|:))?"
                r"(?:(?:I|we)(?:'d| would| will|'ll)?\s+(?:\w+\s+){0,3}?(?:hold|keep|watch|protect|use|add|track|put|set|name|pick|monitor|want|have|choose|propose)\b(?:[^:]*?\s*(?:[:—–]|-\s|are\b|is\b|would be\b|will be\b|include\b|here\b|,)|(?=\s+\w))|"
                r"(?:[:—–]|-\s|→|->|=>|are\b|is\b|would be\b|will be\b|include\b|here\b|,))\s*",
                after,
                re.I,
            )
            if (
                lead
                and re.match(r"(?:I|we|you)\b", after[lead.end() :])
                and re.match(r"\s*(?:while|as|until|during|when)\b", after)
            ):
                lead = None  # "guardrails while we chase it, I don't want ...": a clause follows, not the list
            verb = _GUARD_VERB.match(after)
            watch = _WATCH_SO.search(text)
            as_guard = re.search(r"\bas\s+(?:my\s+|our\s+|the\s+)?$", text[: word.start()], re.I)
            mid_back = _MID_BACK.search(text[: word.start()])
            if mid_back and not back:
                # "The cost shows up in A and B, so those are the counter-metrics"
                listed = re.match(r".*\b(?:in|on|across|into|from|at|are|is|by)\s+", text[: mid_back.start()], re.I)
                found.extend(_guard_items(frag.cut(listed.end() if listed else 0, mid_back.start())))
            elif re.match(
                r"(?:balance|(?:an?\s+)?(?:floor|ceiling))\b.*\b(?:with|against|on)$",
                text[word.start() : word.end()],
                re.I,
            ):
                found.extend(_guard_items(frag.cut(word.end())))  # "I'd balance it with A and B", "a ceiling on A"
            elif re.match(r"\W*(?:and\s+)?(?:protect|safeguard)\b", text[word.start() :], re.I) and word.start() < 8:
                found.extend(_guard_items(frag.cut(word.end())))  # "Protect refund rate and support tickets."
            elif back and self._previous is not None:
                prev = self._previous
                cut = mask_parens(prev.text).rfind(":")
                watch_verb = _WATCH_VERB.search(prev.text) if cut < 0 else None
                if watch_verb:
                    cut = watch_verb.end() - 1  # "whatever the fix is I'd keep an eye on A ..., and on B ..."
                found.extend(_guard_items(prev.cut(cut + 1) if cut >= 0 else prev))
            elif colon is not None:
                found.extend(_guard_items(frag.cut(colon)))
                from_list = True
            elif verb and ":" not in after[verb.end() : verb.end() + 60]:
                # "guardrails while we do that, I'd watch push opt-outs so we don't spam people, and the short-upload share"
                found.extend(_guard_items(frag.cut(word.end() + verb.end())))
            elif as_guard and after.strip() and not re.match(r"\s*[.,;]?\s*$", after):
                found.extend(_guard_items(frag.cut(word.end())))  # "I'd watch as guardrails A and B"
            elif lead and after[lead.end() :].strip():
                found.extend(_guard_items(frag.cut(word.end() + lead.end())))
            elif watch and watch.start() < word.end() + 5:
                listed = re.compile(r",\s+(?=\S)").search(text, watch.end())
                if _COUNT.fullmatch(watch.group("x").strip()) and listed:
                    # "I'd keep an eye on two things so they don't get worse, A and B, because ..."
                    found.extend(_guard_items(frag.cut(listed.end())))
                else:
                    found.extend(_guard_items(frag.cut(watch.start("x"), watch.end("x"))))
            if not back:
                before = text[: word.start()]
                treat = re.search(
                    r"(?:\b(?:is|are|as|be|'s|stays?|remain)\s+(?:a|an|my|our|the|one|another)?\s*(?:second\s+|other\s+|extra\s+|additional\s+|key\s+)?)$",
                    before,
                    re.I,
                )
                if treat:
                    subj = left_start(frag.cut(0, treat.start()))
                    fronted = re.search(
                        r"\s+(?:I|we)(?:'d| would| will)?\s+(?:treat|consider|keep|hold|use|count|see|have|want|monitor|watch|track)$",
                        subj.text,
                        re.I,
                    )
                    if fronted:
                        subj = subj.cut(0, fronted.start())  # "Courier churn I treat as a guardrail"
                    subj = subj.cut(
                        len(
                            re.match(
                                r"^(?:.*\b(?:treat|consider|keep|hold|use|count|put|see|add|watch|watching|tracking|monitoring|have)\s+)?",
                                subj.text,
                                re.I,
                            ).group(0)
                        )
                    )
                    front.extend(
                        [i for part in subj.split(re.compile(r"\s+\+\s+")) for i in items(part)]
                        if not is_group_ref(subj.text)
                        else []
                    )
                    if is_group_ref(subj.text):
                        # "A rises, B rises. Those two I'd monitor as guardrails": what the sentence before named
                        earlier = mentions(self._previous) if self._previous is not None else []
                        front.extend(earlier or [Frag(e.name, -1) for e in self.state.last_items[:4]])
            found[:0] = front
        elif colon is not None:
            found.extend(_guard_items(frag.cut(colon)))  # "we must not make worse two things: A, and B"
            from_list = True
        added = self._add_guards(found)
        if added and from_list and must is not None:
            # "two guardrails: A shouldn't come at the cost of quality, so B must not fall, and C must not rise"
            self._add_guards(self._guards_by_verb(frag, text, word, must, worse_only=True))
        if not added:
            # "Guardrails: I wouldn't want A or B to get worse": the list after the cue was a clause.
            added = self._add_guards(self._guards_by_verb(frag, text, word, must))
        # "Guardrails." or "There are three things I'd protect as guardrails." announce a list in the next sentences.
        # An announced list stays open through its enumerated items ("First, ...", "Second, ..."), even one
        # whose metric was not read.
        self._guard_pending = (
            bool(word) and not added or (self._guard_pending and not word and (added or enumerated is not None))
        )
        self._guard_list_open = added and (from_list or list_goes_on)
        if added and family("decision_rule").search(text) is None and family("counter_reason").search(text):
            self.b.notes.append((frag.start, frag.end))
        return added

    def _add_guards(self, found: list[Frag]) -> bool:
        added = False
        for item in found:
            entry = self._guard_entry(item)
            if entry is not None:
                self.b.add_guardrail(entry)
                added = True
        return added

    def _guards_by_verb(
        self,
        frag: Frag,
        text: str,
        word: re.Match[str] | None,
        must: re.Match[str] | None,
        *,
        worse_only: bool = False,
    ) -> list[Frag]:
        """The guardrails a sentence names by what must not happen to them ("A must not drop", "I wouldn't want A or B
        to get worse", "keep A above 4.5")."""
        found: list[Frag] = []
        for m in family("must_not").finditer(text):
            if m.group(0).lower().startswith("neither"):
                found.extend(
                    self._watched_before(frag.cut(0, m.start()))
                )  # "Keep an eye on A and B — neither should ..."
                continue
            if worse_only and not re.search(_WORSE, text[m.start() : m.end() + 20], re.I):
                continue  # "growth shouldn't come at the cost of quality" says what matters, not what is held
            if re.match(r"\s+(?:[\w-]+\s+){0,3}?(?:only|just|merely|simply) because\b", text[m.end() :], re.I):
                continue  # "activation must not go up only because we made it easy": not gamed, not a guardrail
            after_is = re.match(r"\s*(?:is|are|would be)\s+", text[m.end() :], re.I)
            if after_is:
                found.extend(items(right_end(frag.cut(m.end() + after_is.end()))))  # "... doesn't tank is X"
                continue
            if re.match(r"(?:without|w/o)\b", m.group(0), re.I):
                found.extend(items(right_end(frag.cut(m.end()))))
                continue
            subj = left_start(frag.cut(0, m.start()))
            subj = subj.cut(
                len(
                    re.match(
                        r"^(?:.*\b(?:that|if|while|so|making sure|make sure|ensure|want|see|keep|keeping)\s+)?",
                        subj.text,
                        re.I,
                    ).group(0)
                )
            )
            if re.fullmatch(
                r"\s*(?:and\s+)?(?:those|these|they|both|all of them|both of them|neither|neither of them|none of them)\s*",
                subj.text,
                re.I,
            ):
                found.extend(self._watched_before(frag.cut(0, subj.start - frag.start)))
            elif subj.text.strip() and not _NOT_GUARDED.match(subj.text):
                found.extend(items(subj))
        for m in _KEEP_X.finditer(text):
            found.extend(items(frag.cut(m.start("x"), m.end("x"))))
        for m in _NOT_WANT.finditer(text):
            # "I wouldn't want driver cancellations to go up or rider wait times to get worse"
            for g in ("x", "y"):
                if m.group(g):
                    found.extend(_either(frag.cut(m.start(g), m.end(g))))
        flagged = _IF_WORSE_FLAG.search(text)
        if flagged:
            found.extend(
                _either(frag.cut(flagged.start("x"), flagged.end("x")))
            )  # "If A or B go up, that's a red flag"
        for m in _LET_MOVE.finditer(text):
            found.extend(_either(frag.cut(m.start("x"), m.end("x"))))  # "we can't let A or B creep up"
        for m in _SEE_MOVE.finditer(text):
            # "we shouldn't see app rating fall or refund rate climb"
            for g in ("x", "y"):
                if m.group(g):
                    found.extend(_either(frag.cut(m.start(g), m.end(g))))
        held = word or must or re.match(r"\W*(?:keep|hold|maintain)\b", text, re.I)
        for m in _THRESHOLD.finditer(text) if held else ():
            found.extend(_either(frag.cut(m.start("x"), m.end("x"))))  # "keep app rating above 4.5 and ..."
        for m in _HURT.finditer(text):
            found.extend(_either(frag.cut(m.start("x"), m.end("x"))))  # "we should not hurt A or B while ..."
        return found

    def _watched_before(self, before: Frag) -> list[Frag]:
        """ "I'd watch A, because ..., and I'd watch B; those shouldn't get worse": what was watched, in this
        sentence or the one before."""
        for where in (before, self._previous):
            if where is None:
                continue
            watch = _WATCH_VERB.search(where.text)
            if watch:
                return _guard_items(where.cut(watch.end() - 1))
        return []

    def guardrail_items(self, frag: Frag) -> None:
        """A line under a "Guardrails" header: each item is a guardrail ("shipping cost per order: why it matters")."""
        colon = re.search(r":\s", mask_parens(frag.text))
        if colon and len(frag.text[: colon.start()].split()) <= 10:
            frag = frag.cut(0, colon.start())
        for item in _guard_items(frag):
            entry = self._guard_entry(item)
            if entry is not None:
                self.b.add_guardrail(entry)

    def _guard_entry(self, item: Frag) -> NodeEntry | None:
        if item.start < 0:
            return self.b.book.find(item.text)
        m = family("must_not").search(item.text)
        if m and m.start() > 0:
            item = item.cut(0, m.start())
        m = re.search(
            r"(?<!\bthat)(?<!\bwho)(?<!\bwhich)\s+(?:should|must|can|may|will|would|needs? to|has to|have to|stays?|remains?|is|are|going|goes|gets?|"
            r"so(?!\s+(?:much|many|far)\b))\b|\s*(?:≥|≤|>=|<=|>|<)\s*[\d$~]|\s+(?:above|below|at least|at most)\s+[\d$~]",
            item.text,
            re.I,
        )
        if m:
            item = item.cut(0, m.start())
        item = item.strip(" ,.;:")
        moved = re.search(
            r"\s+(?:rises?|rose|falls?|fell|drops?|dropped|climbs?|spikes?|declines?|goes up|go up|goes down|go down)$",
            item.text,
            re.I,
        )
        if moved:
            item = item.cut(0, moved.start())  # "A rises, B rise": how it would move, not its name
        lead = re.match(r"(?:on|to|at)\s+(?=\S)", item.text, re.I)
        if lead:
            item = item.cut(lead.end())  # "a ceiling on A and on B"
        text = item.text.strip()
        if (
            not text
            or is_pronoun(text)
            or is_group_ref(text)
            or re.fullmatch(r"(?:not|no|none|nothing|them|it|both|either|neither)", text, re.I)
            or _COUNT.fullmatch(text)
        ):
            return None
        return self.b.known_metric(item) if self.b.book.find(text) else self.b.metric(item)


def _colon_after(text: str, cue: re.Match[str] | None) -> int | None:
    """ "Guardrails while we respond: A and B": the list after a colon that follows the cue."""
    if cue is None:
        return None
    m = re.compile(r":\s+(?=\S)").search(text, cue.end())
    if m is None or m.start() - cue.end() > 80 or re.search(r"[.;?!]\s", text[cue.end() : m.start()]):
        return None
    return m.end()


def guard_only(text: str) -> bool:
    """A guardrail statement, not a tree statement (its arrows or "drives" explain the guardrail)."""
    return bool(re.match(r"^\W*(?:guard[- ]?rails?|counter[- ]?metrics?|health metrics?|check metrics?)\b", text, re.I))


_EXPLAINED = regexes.compile(
    r"^(?P<x>[^:;.!?]{3,90}?):\s+(?:if|because|since|when|so|that|this|it|it's|we|we've|I|otherwise|without)\b", re.I
)
_VERB = regexes.compile(
    r"\b(?:is|are|was|were|be|been|should|must|would|could|will|can|I|we|you|they|it|it's|that's|there's|if|because|"
    r"when|so|do|does|did|has|have|had)\b|[=→←]",
    re.I,
)


def _bare_list(text: str) -> bool:
    """A sentence that only names things: no verb, no clause, at most a handful of short items."""
    return not _VERB.search(text) and 0 < len(text.split()) <= 30


def _either(frag: Frag) -> list[Frag]:
    """ "refund rate or support tickets per order": each alternative is a guardrail."""
    return [p for part in frag.split(re.compile(r"\s+or\s+")) for p in items(part)]


_RELATIVE_TAIL = regexes.compile(r"(?<=\w)\s+(?:that|who|which)\s+(?:are|is|were|was)\b.*", re.I)


def _guard_items(frag: Frag) -> list[Frag]:
    """ "A, because ...; and B, which ...": each part names a guardrail before its explanation."""
    out: list[Frag] = []
    # "A shouldn't go up — if teams move seats that's cannibalization — and B": the aside is not an item
    frag = Frag(_LIST_ASIDE.sub(lambda a: "," + " " * (len(a.group(0)) - 1), frag.text), frag.start)
    for i, part in enumerate(frag.split(_GUARD_SPLIT)):
        explained = _EXPLAINED.match(part.text)
        if explained:
            part = part.cut(0, explained.end("x"))  # "course completion rate: if the app turns into ..., we've lost"
        counted = re.match(
            r"\W*(?:and\s+)?(?:the\s+)?(?:second|third|fourth|other|last|next)(?:\s+one)?\b", part.text, re.I
        )
        filler = _FILLER_LEAD.match(part.text)
        if filler:
            part = part.cut(filler.end())
        again = _WATCH_VERB.match(part.text)
        if again:
            part = part.cut(again.end())  # "I'd watch A so ..., and I'd watch B so ...": the same list goes on
        part = right_end(part, list_items=True)
        if (
            i
            and not counted  # "..., second one, interest cost vs the margin we earn": the next item, announced
            # "the share of uploads that are really short": a verb in the item's own relative clause is not a new clause
            and re.search(
                r"\b(?:is|are|was|were|would|could|might|I|we|you)\b",
                _RELATIVE_TAIL.sub("", mask_parens(part.text).split(",")[0]),
            )
            and not family("must_not").search(part.text)
        ):
            break  # a new clause about the guardrails, not another one
        out.extend(items(part))
    return out
