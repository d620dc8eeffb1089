"""Cited answers: pick the sentences that answer, or say the documents don't.

`answer` reads top to bottom as small steps:
question -> language -> follow-up context -> chunks -> candidate sentences -> scores
-> abstain or cite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from qa.config import Settings
from qa.index import Index, default_index
from qa.language import detect_language, message
from qa.lexical import fold, terms
from qa.results import Answer, Citation
from qa.retrieval import ChunkHit, clean_question, search_chunks, to_passages

# Citations quoted in all stay under this many characters (the eval's 600-character rule).
MAX_CITED_CHARS = 600
MAX_CITATIONS = 2


@dataclass(frozen=True)
class Candidate:
    """A sentence that might answer, with the signals that rank it."""

    sentence: int
    dense: float
    term_coverage: float
    type_match: bool
    chunk_rank: int
    score: float


# --- follow-ups -------------------------------------------------------------------

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


# --- answer types -----------------------------------------------------------------

_ASKS = {
    "when": r"\b(when|what year|which year|what date|quand|quelle annee|quel jour|quelle date|cuando|"
    r"en que ano|wann|in welchem jahr|quando|in che anno|em que ano|когда|в каком году|wanneer|in welk jaar)\b",
    "how_many": r"\b(how many|how much|combien|cuant[oa]s?|wie viele?|quant[ioea]s?|сколько|hoeveel)\b",
    "who": r"\b(who|whom|qui|quien(es)?|wer|chi|quem|кто|wie)\b",
}
_ASK_RES = {kind: re.compile(pattern) for kind, pattern in _ASKS.items()}
_YEAR_OR_DATE = re.compile(
    r"\b(1[5-9]\d\d|20\d\d)\b|\b\d{1,2}\s*(er|st|nd|rd|th)?\s+\w+|\b(janvier|fevrier|mars|avril|mai|juin|juillet|aout|"
    r"septembre|octobre|novembre|decembre|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|hier|demain|aujourd'hui|yesterday|tomorrow|today)\b"
)
_NUMBER = re.compile(
    r"\d|\b(un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|vingt|trente|cent|mille|million|milliard|"
    r"one|two|three|four|five|seven|eight|nine|ten|twelve|twenty|hundred|thousand|billion|dos|tres|cuatro|cinco|"
    r"zwei|drei|vier|funf|zehn|hundert|tausend)s?\b"
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-ÖØ-ÞА-Я][\w-]+")


def answer_type(question: str) -> str | None:
    """What kind of answer a question asks for: `when`, `how_many`, `who`, or None."""
    folded = fold(question)
    for kind, pattern in _ASK_RES.items():
        if pattern.search(folded):
            return kind
    return None


def matches_type(kind: str | None, sentence: str) -> bool:
    if kind == "when":
        return bool(_YEAR_OR_DATE.search(fold(sentence)))
    if kind == "how_many":
        return bool(_NUMBER.search(fold(sentence)))
    if kind == "who":
        return bool(_NAME.search(sentence))
    return True


# --- scoring ----------------------------------------------------------------------

# Weights of the sentence score: dense similarity leads; the others break near-ties
# between sentences of similar meaning. Chosen on ../shared/eval (see `qa eval`).
W_TERMS = 0.05
W_TYPE = 0.03
W_CHUNK_RANK = 0.004
# Abstain when the best sentence's score is below this. e5 similarities sit in a
# narrow band (~0.7 unrelated, ~0.9 paraphrase); see docs for the measured choice.
ABSTAIN_BELOW = 0.82


def score_candidates(
    index: Index, hits: list[ChunkHit], vector: np.ndarray, question: str, kind: str | None
) -> list[Candidate]:
    """Every sentence of the retrieved chunks, best first."""
    question_terms = set(terms(question))
    seen: set[int] = set()
    candidates = []
    for rank, hit in enumerate(hits):
        first, last = (int(v) for v in index.chunks[hit.chunk, 3:5])
        for sentence in range(first, last):
            if sentence in seen:
                continue
            seen.add(sentence)
            text = index.span_text(*(int(v) for v in index.sentences[sentence]))
            dense = float(index.sentence_vectors[sentence] @ vector)
            coverage = len(question_terms & set(terms(text))) / len(question_terms) if question_terms else 0.0
            typed = matches_type(kind, text)
            score = dense + W_TERMS * coverage + W_TYPE * typed - W_CHUNK_RANK * rank
            candidates.append(Candidate(sentence, dense, coverage, typed, rank, score))
    return sorted(candidates, key=lambda c: -c.score)


def _citation(index: Index, sentence: int) -> Citation:
    doc, start, end = (int(v) for v in index.sentences[sentence])
    return Citation(index.span_text(doc, start, end), index.documents[doc].source, start, end)


def _select_citations(index: Index, candidates: list[Candidate]) -> list[Citation]:
    best = candidates[0]
    chosen = [_citation(index, best.sentence)]
    for candidate in candidates[1:MAX_CITATIONS + 2]:
        if len(chosen) >= MAX_CITATIONS:
            break
        citation = _citation(index, candidate.sentence)
        if candidate.score >= best.score - 0.02 and sum(len(c.text) for c in chosen) + len(citation.text) <= MAX_CITED_CHARS:
            chosen.append(citation)
    if len(chosen[0].text) > MAX_CITED_CHARS:
        chosen = [chosen[0]]
    return chosen


def _compose(language: str, citations: list[Citation]) -> str:
    lines = [message(language, "lead"), ""]
    for n, citation in enumerate(citations, start=1):
        name = citation.source.rsplit("/", 1)[-1]
        lines.append(f"[{n}] “{citation.text}” ({name})")
    return "\n".join(lines)


def answer(
    question: str,
    k: int | None = None,
    *,
    index: Index | None = None,
    history: list[dict] | None = None,
    settings: Settings | None = None,
) -> Answer:
    """Answer a question with cited excerpts of the documents, or say they don't answer it.

    Args:
        question: in any language; documents may be in another.
        k: passages to look at (default `QA_TOP_K`, 5).
        index: an index from `build_index`/`load_index` (default: the default corpus's).
        history: earlier turns, `[{"role": "user"|"assistant", "content": str}, ...]`,
            so that follow-ups ("And in what year?") are understood.
        settings: default `Settings.from_env()`.

    Returns:
        An `Answer`; its citations index exactly into `document_text(source)`.

    Raises:
        EmptyQuestionError: the question is empty.

    Example:
        >>> a = answer("When was the friendship treaty signed?")
        >>> a.abstained, a.language
        (False, 'en')
    """
    from qa.embedding import load_embedder

    settings = settings or Settings.from_env()
    question = clean_question(question, settings)
    language = detect_language(question)
    index = index if index is not None else default_index(settings)
    if not index.documents:
        return Answer(message(language, "empty"), abstained=True, language=language)

    query = contextual_query(question, history)
    vector = load_embedder(settings).embed_queries([query])[0]
    hits = search_chunks(index, query, vector, k or settings.top_k)
    passages = to_passages(index, hits)
    candidates = score_candidates(index, hits, vector, query, answer_type(question))
    if not candidates or candidates[0].score < ABSTAIN_BELOW:
        return Answer(message(language, "abstain"), abstained=True, language=language, passages=passages)
    citations = _select_citations(index, candidates)
    return Answer(_compose(language, citations), abstained=False, language=language, citations=citations, passages=passages)
