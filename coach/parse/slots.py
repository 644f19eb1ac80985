"""Slots: the text on one side of a cue, cut where the statement ends and split into metric items.

A cue ("drives", "=", "is made up of", "my north star is") says what a clause
states; the metrics it is about sit in the text before or after it. These
helpers find where that text ends (a new clause, an explanation, the next cue)
and split it into items: by operators for an identity, by commas and "and" for
a list, with adjectives sharing the last item's noun ("new, retained and
resurrected listeners").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach import regexes
from coach.parse.fragment import Frag, mask_parens
from coach.parse.words import family

# Where a statement's right-hand side stops: a new clause, an explanation, an aside.
_RIGHT_END = regexes.compile(
    r"\s*;|\.\s|\.$|\?|!|\s+[—–]\s|\s--\s|:\s|"
    r",?\s+(?:because|since|so that|so any|so either|so if|which|where|whereas|while|meaning|i\.e\.|e\.g\.|"
    r"but|though|although|rather than|instead of|as opposed to|given|unless|once|until|if|when|whenever|otherwise|without|by making|by adding|by pushing|"
    r"(?:far |much |a lot |way )?(?:more|less|better|worse) than)\b|"
    r",\s*(?:so|and (?:that|this|it|so|then|I|we|you)|I|we|you|I'd|we'd|I'll|it's|that's|this is|right|yeah|ok|okay)\b|"
    r"\s+(?:and|so|then)\s+(?:I|we|I'd|we'd|I'll|we'll|you)\b|\s+and\s+(?:try|make|see|keep|get|push|work|aim)\b|\s+(?:and|,)\s+(?:I|we)\s+(?:believe|think|expect|suspect)\b",
    re.I,
)
# The same for a list of items: a dash or an explanation also ends an item list.
_ITEM_END = regexes.compile(
    r"\s+[-–—]\s|\s*\(|,?\s+(?:because|since|so that|(?<!\bat )(?<!\bin )(?<!\bby )(?<!\bon )(?<!\bfor )which|that (?:is|are|would|will|can|could|shows?|tells?|tracks?|measures?|catches|protects?)|"
    r"to (?:make sure|catch|protect|see|check|avoid|ensure|stop|keep)|as (?:a|an|the) (?:proxy|check|signal)|in case|if|when|otherwise|"
    r"must|should|can't|cannot|mustn't|shouldn't|needs? to|has to|have to|won't|will not|doesn't|don't|isn't|aren't|stays?|remains?|holds?)\b",
    re.I,
)
# "made of two things: A and B", "⇐ (hypothesis): A, B": a label before the list, not an item of it.
# "hit rate – did it pull a relevant article – times correctness": an aside between two dashes
DASH_ASIDE = regexes.compile(r"\s[—–]\s[^—–\n]{1,120}?\s[—–]\s")
_COUNTED_LABEL = regexes.compile(
    r"\b(?:\d|one|two|three|four|five|things?|parts?|pieces?|components?|groups?|buckets?|drivers?|levers?|branches?|sides?|factors?|terms?|inputs?)\b",
    re.I,
)
_EXPLANATION_START = regexes.compile(
    r"^\s*(?:so|so that|because|since|which|to make sure|as|otherwise|if|when|while|but|though|i\.e|e\.g|like if|like when)\b",
    re.I,
)
_LIST = regexes.compile(
    r"\s+\|\s+|,\s*(?:and|&|or|plus)\s+|,(?!\d)\s*|\s+(?:and|&|as well as|along with|together with|plus)\s+(?:also\s+)?(?:by\s+)?|;\s*|\s+/\s+(?!(?:day|week|wk|month|mo|year|yr|quarter|hour|hr|user|session)s?\b)(?![\d~$]|per\b)|\s+(?:vs\.?|versus)\s+",
    re.I,
)
_BELIEF = regexes.compile(
    r"^(?:[\w',]+\s+){0,5}?(?:hypothesis|bet|belief|guess|assumption|expectation|theory|hunch|intuition|suspicion|sense|view|thesis)\s+(?:here\s+)?(?:is|would be|being)\s+(?:that\s+)?|"
    r"^(?:[\w',]+\s+){0,5}?(?:I|we)\s+(?:strongly\s+|also\s+|do\s+|really\s+)?(?:believe|think|expect|suspect|bet|assume|guess|reckon|hypothesi[sz]e|feel)\s+(?:that\s+)?|"
    r"^(?:probably|likely|presumably|maybe|perhaps|possibly)\s+",
    re.I,
)
# "I'd look at it as two pieces": the thing looked at is the subject, not the speaker.
_FIRST_PERSON_VIEW = regexes.compile(
    r"^(?:so\s+|and\s+|then\s+)*(?:I|we)(?:'d|'ll| would| will| can| could)?\s+(?:\w+\s+){0,2}?"
    r"(?:look at|see|think of|think about|treat|view|split|break|decompose|write|model|frame|read|take|define|express)\s+",
    re.I,
)
_ADJECTIVE = regexes.compile(
    r"^(?:[a-z]+(?:ed|ing|al|ive|ic|ful|less|ous|ary)|new|free|paid|premium|organic|direct|mobile|desktop|web|core|casual|power|"
    r"repeat|first-time|one-time|inbound|outbound|existing|current|former|lapsed|dormant|active|inactive|small|large|big|"
    r"enterprise|smb|self-serve|ios|android|daily|weekly|monthly|annual|yearly|gross|net|total)$",
    re.I,
)
_PRONOUNS = regexes.compile(
    r"^(?:and\s+|so\s+|then\s+|but\s+)?(?:it|this|that|which|this one|that one|this metric|that metric|this number|that number|"
    r"the metric|the number|itself)$",
    re.I,
)
_GROUP_REF = regexes.compile(
    r"^(?:and\s+|so\s+)?(?:they|those|these|them|both|all three|all of them|both of them|those two|these two|those three|these three|the two|the three)$",
    re.I,
)
_NOUN_REF = regexes.compile(r"^(?:that|this|the|its|their|our)\s+(?P<noun>[a-z-]+)$", re.I)


@dataclass(frozen=True)
class Term:
    """One term of an identity's right-hand side and how it enters (+, -, ×, ÷)."""

    frag: Frag
    operator: str


def is_pronoun(text: str) -> bool:
    return bool(_PRONOUNS.match(text.strip(" ,.;:")))


def is_group_ref(text: str) -> bool:
    return bool(_GROUP_REF.match(text.strip(" ,.;:")))


def noun_ref(text: str) -> str | None:
    """ "that rate": the noun a demonstrative points back with."""
    m = _NOUN_REF.match(text.strip(" ,.;:"))
    return m.group("noun").lower() if m else None


def right_end(frag: Frag, *, list_items: bool = False) -> Frag:
    """``frag`` up to where its statement ends."""
    label = re.match(r"^\s*(?:(?:[\w'-]+\s+){0,5}?[\w'-]+)?\s*:\s+(?=\S)", frag.text)
    if label and (not label.group(0).strip(" :") or _COUNTED_LABEL.search(label.group(0))):
        frag = frag.cut(label.end())  # "made of two things: A and B", "⇐ (hypothesis): A, B"
    elif list_items:
        # "rest on model inputs I'd put at the bottom of the tree: A, B and C": the list is after the colon.
        colon = re.match(r"^[^:;.!?]{3,90}?:\s+(?=\S)", mask_parens(frag.text))
        if colon and len(frag.text[: colon.end()].split()) <= 14:
            frag = frag.cut(colon.end())
    masked = mask_parens(frag.text)
    m = _RIGHT_END.search(masked)
    if m:
        frag = frag.cut(0, m.start())
    if list_items:
        return frag.strip(" ,")
    m = _ITEM_END.search(mask_parens(frag.text))
    return (frag.cut(0, m.start()) if m and m.start() > 0 else frag).strip(" ,")


_STRONG_END = regexes.compile(
    r"\s*;|\.\s|\.$|\?|!|\s[—–]\s|\s--\s|,\s*(?:so|because|since|but|which means|meaning|i\.e\.)\b|:\s", re.I
)


def identity_end(frag: Frag) -> Frag:
    """An identity's right-hand side: through its last operator, then its last term up to where that term ends.

    Terms may carry their own qualifiers ("% of checkouts where the button is shown × % who choose it"),
    so the words that end a statement only end it after the last operator.
    """
    masked = mask_parens(frag.text)
    strong = _STRONG_END.search(masked)
    span = masked[: strong.start()] if strong else masked
    ops = [m for m in family("operator").finditer(span) if m.lastgroup]
    if not ops:
        return right_end(frag, list_items=True)
    last = ops[-1].end()
    tail = right_end(frag.cut(last), list_items=True)
    return frag.cut(0, last + (tail.start - frag.start - last) + len(tail.text)).strip(" ,")


def left_start(frag: Frag) -> Frag:
    """The part of ``frag`` (text before a cue) that the cue is about: after the last clause break or colon."""
    masked = mask_parens(frag.text)
    cut = -1
    sub = re.match(
        r"^(?:while|when|if|as|once|until|before|after|since|because|whatever|whichever)\b[^,]{0,60},\s*",
        mask_parens(frag.text),
        re.I,
    )
    if sub:
        cut = sub.end()
    for m in re.finditer(
        r"[;:]\s|\s[—–]\s|\s--\s|,\s*(?:so|but|and then|because|since|while|whereas|and)(?:\s+|$)|,\s*(?=(?:I|we)\b)|\b(?:because|since|so|and then|but)\s+",
        masked,
        re.I,
    ):
        cut = m.end()
    frag = frag.cut(cut) if cut >= 0 else frag
    m = _BELIEF.match(frag.text)
    if m:
        frag = frag.cut(m.end())
    m = _FIRST_PERSON_VIEW.match(frag.text)
    if m:
        frag = frag.cut(m.end())
    return frag.strip(" ,")


def subject(frag: Frag) -> Frag:
    """One noun phrase from the text before a cue: after the last comma, unless the commas make a list."""
    aside = re.search(
        r",?\s*(?:(?:I|we)\s+(?:\w+\s+)?(?:believe|think|suspect|guess|bet|expect|reckon|assume|would say|'d say)|in turn|then|again|too|also|itself|in other words|by definition|mathematically)\s*,?\s*$",
        frag.text,
        re.I,
    )
    if aside:
        frag = frag.cut(0, aside.start())  # "Accepted, I believe, is driven by ..."
    frag = frag.cut(0, len(frag.text.rstrip(" :")))  # "paid seats: split into ..."
    if re.search(r"\w+\s+\w+\s+(?:it|they)$", frag.text) and not re.match(
        r"^(?:and|so|but|then|now|by definition|by identity|by construction|in turn|in other words|of course|\w+ly)"
        r"\s+(?:it|they)$",
        frag.text.strip(),
        re.I,
    ):
        frag = frag.cut(
            0, len(re.sub(r"\s+(?:it|they)$", "", frag.text))
        )  # spoken: "paid seats it's new teams plus ..."
    frag = frag.cut(
        0, len(re.sub(r"(?:'s|\s+(?:is|are|was|were))$", "", frag.text, flags=re.I))
    )  # "It's made up of ..."
    level = re.match(r"^\s*(?:L\d|level \d|tier \d)\b\s*(?:\([^)]*\))?\s*:?\s*", frag.text, re.I)
    if level:
        frag = frag.cut(level.end())  # "L1: made up of ...": the level label is not the metric
    under = re.match(r"^\s*(?:(?:and|so|then|now)\s+)*(?:under|below|beneath|inside|within)\s+(?=\S)", frag.text, re.I)
    if under and not is_pronoun(frag.text[under.end() :]):
        frag = frag.cut(under.end())  # "L2 under weekly active writers: new + returning"
    frag = left_start(frag)
    spoken = re.search(r"\b(?:and|so|then|but)\s+(?:(?:um+|uh+|like|yeah)\s+)*(?P<p>that|it|this)\s*$", frag.text, re.I)
    if spoken:
        return frag.cut(spoken.start("p"), spoken.end("p"))  # "... my north star i guess and um that breaks into ..."
    bare = re.sub(
        r"^(?:(?:and|so|but|then|now|also|again|here|thus|hence|therefore|by definition|by identity|by construction|"
        r"in turn|in other words|"
        r"of course|[a-z]+ly)[\s,]+)+",
        "",
        frag.text.strip(),
        flags=re.I,
    )
    if is_pronoun(bare):
        return frag.cut(len(frag.text) - len(frag.text.lstrip()) + len(frag.text.strip()) - len(bare)).strip()
    masked = mask_parens(frag.text)
    comma = masked.rfind(",")
    if comma >= 0 and not _looks_like_list(masked):
        frag = frag.cut(comma + 1)
    frag = frag.cut(
        0,
        len(
            re.sub(
                r"(?:\s+(?:which|that|who|in turn|also|then|mostly|mainly|largely|really|actually|directly|probably|likely|will|would|"
                r"should|could|may|might|can|itself|alone|overall|typically|usually|generally|only|just|both|all|to))+\s*$",
                "",
                frag.text,
                flags=re.I,
            )
        ),
    )
    return frag.strip(" ,")


def _looks_like_list(text: str) -> bool:
    parts = re.split(r",\s*(?:and\s+|or\s+)?", text)
    return (
        len(parts) >= 2
        and all(0 < len(p.split()) <= 5 for p in parts)
        and bool(re.search(r"\b(?:and|or|&)\b", parts[-1]) or len(parts) >= 3)
    )


_RELATIVE = regexes.compile(r"\b(?:who|that|which)\b", re.I)
# A piece that is only a verb phrase ("came back", "stopped listing"), never a metric on its own.
_VERB_ONLY = regexes.compile(
    r"(?:came|come|went|stayed|returned|left|stopped|started|kept|churned|listed|bought|sold|ordered|"
    r"signed up|logged in|posted|renewed|upgraded|cancel+ed|used|tried)\b(?:\s+\w+){0,3}$",
    re.I,
)


_GROUP_COUNT = regexes.compile(
    r"^(?:(?:basically|really|just|like|um)\s+)*(?:the\s+)?(?:two|three|four|five|2|3|4|5|a few|several)\s+(?:main\s+|big\s+|key\s+)?"
    r"(?:groups?|branches|buckets|parts|pieces|components|drivers|levers|sides|halves|families|areas|kinds)(?:\s+of\s+\w+)?$",
    re.I,
)


def is_group_count(text: str) -> bool:
    """ "two branches", "three groups of drivers": how many parts follow, not one of them."""
    return _GROUP_COUNT.match(text.strip(" .;:,")) is not None


def items(frag: Frag) -> list[Frag]:
    """A list of metrics: "A, B and C", with shared head nouns spread over the adjectives."""
    frag = frag.strip(" ,:")
    colon = mask_parens(frag.text).find(": ")
    if colon >= 0 and len(frag.text[:colon].split()) <= 6:
        frag = frag.cut(colon + 2)  # "three groups: A, B and C"
    pieces = [p for p in frag.split(_LIST) if p.text.strip(" ,")]
    out = []
    for p in pieces:
        if _EXPLANATION_START.match(p.text):
            break  # "..., so that we're not relabelling rides": the list is over
        m = _ITEM_END.search(mask_parens(p.text))
        if m and m.start() > 0:
            p = p.cut(0, m.start())
        p = p.strip(" ,")
        if out and _VERB_ONLY.match(p.text) and _RELATIVE.search(out[-1].text):
            # "sellers who were active last month and came back": the verb goes on with the clause before it
            out[-1] = frag.cut(out[-1].start - frag.start, p.end - frag.start)
            continue
        out.append(p)
    return distribute([p for p in out if p.text])


def distribute(pieces: list[Frag]) -> list[Frag]:
    """ "new, retained and resurrected listeners": each adjective gets the last item's noun."""
    if len(pieces) < 2:
        return pieces
    last = pieces[-1].text.split()
    if len(last) < 2 or not all(len(p.text.split()) == 1 and _ADJECTIVE.match(p.text) for p in pieces[:-1]):
        return pieces
    if not _ADJECTIVE.match(last[0]):
        return pieces
    noun = " " + " ".join(last[1:])
    return [Frag(p.text + noun, p.start) for p in pieces[:-1]] + [pieces[-1]]


def has_operator(text: str) -> bool:
    return any(m.lastgroup for m in family("operator").finditer(mask_parens(text)))


def terms(frag: Frag) -> list[Term]:
    """The terms of an identity's right-hand side, each with its operator; brackets are expanded."""
    masked = mask_parens(frag.text)
    pieces: list[tuple[str | None, Frag]] = []
    pos, op = 0, None
    for m in family("operator").finditer(masked):
        piece = frag.cut(pos, m.start())
        if not piece.text.strip() and not pieces and m.lastgroup == "minus":
            continue  # "- churned seats" at the start is a minus sign, handled by the caller
        pieces.append((op, piece))
        op = {"plus": "+", "minus": "-", "times": "×", "divided": "÷"}[m.lastgroup or "plus"]
        pos = m.end()
    pieces.append((op, frag.cut(pos)))
    first = next((o for o, _ in pieces if o), "+")
    lead = "×" if first in ("×", "÷") else "+"
    out: list[Term] = []
    for o, piece in pieces:
        inner = piece.strip(" ,")
        close = _closing(inner.text)
        if close > 0 and re.match(r"\s*(?:,|$)", inner.text[close + 1 :]) and has_operator(inner.text[1:close]):
            out.extend(terms(inner.cut(1, close)))  # "1 − (reopen rate + transfer rate), roughly"
            continue
        if inner.text.startswith("(") and inner.text.endswith(")"):
            inner = inner.cut(1, len(inner.text) - 1).strip()
        # "1 − churn rate": a constant takes the operator's place.
        if re.fullmatch(r"\d+(?:\.\d+)?\s*%?", inner.text):
            continue
        out.append(Term(inner, o or lead))
    names = distribute([t.frag for t in out])
    return [Term(f, t.operator) for f, t in zip(names, out, strict=True)]


def _closing(text: str) -> int:
    """Where the bracket that opens ``text`` closes, or -1 when it does not open with one."""
    if not text.startswith("("):
        return -1
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i
    return -1


def strip_belief(frag: Frag) -> Frag:
    m = _BELIEF.match(frag.text)
    return frag.cut(m.end()).strip() if m else frag
