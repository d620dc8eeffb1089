"""Conversations: whether a question leans on an earlier turn, and what to search for then."""

from __future__ import annotations

import re

from qa.text.lexical import fold, terms

# Words that point back to an earlier turn: pronouns and leading conjunctions.
_ANAPHORA = {
    "en": "he she it they him her them his its their this that these those and also what about",
    "fr": "il elle ils elles lui leur leurs son sa ses ce cet cette ces celui celle et aussi",
    "es": "él ella ellos ellas lo la le les su sus este esta esto ese esa eso y también",
    "de": "er sie es ihn ihm ihr ihre sein seine dies diese dieser dieses und auch",
    "it": "lui lei loro esso essa suo sua suoi sue questo questa quello quella e anche",
    "pt": "ele ela eles elas seu sua seus suas este esta isto esse essa isso e também",
    "ru": "он она оно они его её ее их этот эта это эти и также а",
    "nl": "hij zij ze het hem haar hun zijn dit dat deze die en ook",
}
_ANAPHORA_WORDS = frozenset(fold(w) for words in _ANAPHORA.values() for w in words.split())
_FOLLOW_UP_MAX_TERMS = 2


def is_follow_up(question: str) -> bool:
    """True when a question leans on the conversation: it points back or names too little."""
    words = re.findall(r"\w+", fold(question))
    return any(w in _ANAPHORA_WORDS for w in words) or len(terms(question)) <= _FOLLOW_UP_MAX_TERMS


def contextual_query(question: str, history: list[dict] | None) -> str:
    """The question, preceded by the previous user question when it is a follow-up."""
    previous = [turn.get("content", "") for turn in history or [] if turn.get("role") == "user"]
    previous = [p for p in previous if isinstance(p, str) and p.strip()]
    if previous and is_follow_up(question):
        return f"{previous[-1].strip()} {question}"
    return question
