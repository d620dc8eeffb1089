"""Cited answers: pick the sentences that answer, or say the documents don't.

`answer` reads top to bottom as small steps:
question -> language -> follow-up context -> chunks -> candidate sentences -> scores
-> abstain or cite.
"""

from __future__ import annotations

import bisect
import re
import weakref
from dataclasses import dataclass

import numpy as np

from qa.config import Settings
from qa.index import Index, default_index, sentence_window
from qa.language import CAPITALISED_NOUNS, detect_language, message, overview_lead
from qa.lexical import TYPE_KINDS, TYPE_WORDS, fold, is_stopword, key_words, stopwords, terms
from qa.overview import overview_citations, shipped_detector
from qa.pipeline import DEFAULT_PIPELINE, Pipeline
from qa.results import MAX_CITED_CHARS, Answer, Citation
from qa.retrieval import ChunkHit, clean_question, encode_query, search_chunks, to_passages

MAX_CITATIONS = 2
# A further sentence is quoted when it scores within this of the best one: close
# scores mean the ranking cannot tell which of them answers.
SECOND_CITATION_MARGIN = 0.02


@dataclass(frozen=True)
class Candidate:
    """A sentence that might answer, with the signals that rank it."""

    sentence: int
    dense: float
    grounding: float
    type_match: bool
    kind: str | None
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
    "duration": r"\b(how long|combien de temps|pendant combien|cuanto tiempo|durante cuanto|wie lange|quanto tempo|"
    r"per quanto|сколько времени|как долго|hoe lang)\b",
    "when": r"\b(when|what year|which year|what date|quand|quelle annee|quel jour|quelle date|cuando|"
    r"en que ano|wann|in welchem jahr|quando|in che anno|em que ano|когда|в каком году|wanneer|in welk jaar)\b",
    # a count, an amount, or a quantity named by its noun ("the population of")
    "how_many": r"\b(how many|how much|how old|combien|quel age|cuant[oa]s?|que edad|wie viele?|wie alt|"
    r"quant[ioea]s?|сколько|hoeveel|hoe oud|population|nombre de|number of|numero de|anzahl|aantal|"
    r"население|численность|количество)\b",
    "who": r"\b(who|whom|(?<!est-ce )qui|quien(es)?|wer|chi|quem|кто)\b",
}
_ASK_RES = {kind: re.compile(pattern) for kind, pattern in _ASKS.items()}
_MONTHS_DAYS = (
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|january|february|"
    r"march|april|may|june|july|august|september|october|november|december|enero|febrero|marzo|abril|mayo|junio|"
    r"julio|agosto|septiembre|octubre|noviembre|diciembre|januar|februar|marz|juni|juli|oktober|dezember|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|hier|demain|aujourd'hui|yesterday|tomorrow|today"
)
_DATE = re.compile(rf"\b(1[5-9]\d\d|20\d\d)\b|\b({_MONTHS_DAYS})\b|\b\d{{1,2}}[./-]\d{{1,2}}\b")
_NUMBER_WORDS = (
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|vingt|trente|cent|mille|million|milliard|"
    r"two|three|four|five|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|billion|dos|tres|cuatro|"
    r"cinco|seis|siete|ocho|nueve|diez|zwei|drei|vier|funf|sechs|sieben|acht|neun|zehn|hundert|tausend|"
    r"dozen|douzaine|dizaine|centaine|plusieurs|several|quelques"
)
_TIME_UNITS = (
    r"seconde|minute|heure|jour|journee|semaine|mois|an|annee|siecle|second|hour|day|week|month|year|century|"
    r"segundo|minuto|hora|dia|semana|mes|ano|sekunde|stunde|tag|woche|monat|jahr|ora|giorno|settimana|anno"
)
_DURATION = re.compile(rf"(\d+|\b({_NUMBER_WORDS}))\s+({_TIME_UNITS})s?\b")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-ÖØ-ÞА-Я][\w-]+")


def answer_type(question: str) -> str | None:
    """What kind of answer a question asks for: `duration`, `when`, `how_many`, `who`, or None."""
    folded = fold(question)
    for kind, pattern in _ASK_RES.items():
        if pattern.search(folded):
            return kind
    return None


def matches_type(kind: str | None, sentence: str, counted=None) -> bool:
    """Whether a sentence holds the kind of answer asked for (a date for `when`, ...).

    Args:
        counted: for `how_many`, a test of whether a word of the sentence is the thing
            counted (see `counted_words`); a number then counts only just before it.
            For `duration`, a test of whether a word is one of the question's: the
            duration must be next to what the question asks about.
    """
    if kind == "duration":
        return _has_duration(sentence, counted)
    if kind == "when":
        return bool(_DATE.search(fold(sentence)))
    if kind == "how_many":
        return _has_count(sentence, counted)
    if kind == "who":
        return bool(_NAME.search(sentence))
    return True


# "How many soldiers" is answered by a number next to "soldiers" (or its translation),
# not by any number: "24 years" does not count soldiers. Dates are not counts either.
_COUNT_PHRASES = (
    ("how", "many"), ("combien", "de"), ("combien", "d"), ("cuantos",), ("cuantas",), ("wie", "viele"),
    ("quanti",), ("quante",), ("quantos",), ("quantas",), ("сколько",), ("hoeveel",), ("ile",), ("ilu",),
)
_COUNT_WINDOW = 3
# A duration qualifies its noun directly: "visite de deux jours", "two-day visit",
# "deux années de stage"; "visite en Corée du Nord en 24 ans, à l'invitation" does not.
_DURATION_WINDOW = 2
_COUNTED_WORDS = 2
_NUMBER_TOKEN = re.compile(rf"^(\d+|({_NUMBER_WORDS})s?)$")
_YEAR_TOKEN = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_MONTH_TOKEN = re.compile(rf"^({_MONTHS_DAYS})$")


def counted_words(question: str) -> list[str]:
    """What a "how many" question counts: the first content words after "how many".

    Example:
        >>> counted_words("Combien de soldats nord-coréens combattent en Ukraine ?")
        ['soldats', 'nord']
    """
    tokens = re.findall(r"\w+", question.lower().replace("’", "'"))
    folded = [fold(t) for t in tokens]
    for phrase in _COUNT_PHRASES:
        for i in range(len(folded) - len(phrase) + 1):
            if tuple(folded[i : i + len(phrase)]) == phrase:
                after = tokens[i + len(phrase) :]
                # "how many *years*": a type word is what is counted here
                return [t for t in after if (t not in stopwords() or t in TYPE_WORDS) and not t.isdigit()][:_COUNTED_WORDS]
    return []


def _has_count(sentence: str, counted) -> bool:
    """A number that is not a date, next to the thing counted when that is known."""
    matches = list(re.finditer(r"\w+", sentence))
    folded = [fold(m.group()) for m in matches]
    numbers = [
        i
        for i, token in enumerate(folded)
        if _NUMBER_TOKEN.match(token)
        and not _YEAR_TOKEN.match(token)
        and not any(_MONTH_TOKEN.match(t) for t in folded[i + 1 : i + 1 + _COUNT_WINDOW])
    ]
    if counted is None or not numbers:
        return bool(numbers)
    # Names are not counted things: "Corée du Nord en 24 ans" counts no "nord-coréens",
    # and "les deux pays" after "passagers" counts countries.
    things = _positions(matches, counted)
    return any(0 < j - i <= _COUNT_WINDOW for i in numbers for j in things)


def _has_duration(sentence: str, about) -> bool:
    """A duration next to a word of the question: "sa visite de deux jours", not "en 24 ans"."""
    folded = fold(sentence)
    if about is None:
        return bool(_DURATION.search(folded))
    matches = list(re.finditer(r"\w+", sentence))
    starts = [m.start() for m in matches]
    anchors = _positions(matches, about)
    for duration in _DURATION.finditer(folded):
        first = bisect.bisect_left(starts, duration.start())
        last = bisect.bisect_left(starts, duration.end()) - 1
        if any(first - _DURATION_WINDOW <= j < first or last < j <= last + _DURATION_WINDOW for j in anchors):
            return True
    return False


def _positions(matches: list[re.Match], is_word) -> list[int]:
    """Positions of the words ``is_word`` accepts, names aside."""
    return [i for i, m in enumerate(matches) if not m.group()[0].isupper() and is_word(m.group().lower())]


# --- scoring ----------------------------------------------------------------------

# Weights of the sentence score: dense similarity leads; the others break near-ties
# between sentences of similar meaning. Chosen on ../shared/eval (see `qa eval`).
W_TERMS = 0.05
W_TYPE = 0.03
W_CHUNK_RANK = 0.004
# Abstention thresholds, see `should_abstain`; chosen on ../shared/eval (`qa eval`).
# `Pipeline` says which of the abstention signals are in use.
MIN_DENSE = 0.76
MIN_GROUNDING = 0.5
# Kinds of answer whose absence from the best sentence means "not answered". A "who"
# answer may be a pronoun or a common noun ("his parents"), so it only helps ranking.
REQUIRED_KINDS = frozenset({"when", "how_many", "duration"})
# How far below the best sentence one holding the asked-for kind of answer may score
# and still be preferred to it (see `_promote_typed`).
TYPE_MARGIN = 0.06


# A question word is found in a sentence when one of its words has the same stem, or
# an embedding this close: translations of a word score 0.89-1.0 with e5, related but
# different words (gifts/visit, China/Korea, rocket/satellite) 0.83-0.885.
WORD_MATCH = 0.89


@dataclass(frozen=True)
class QuestionWords:
    """A question's content words, their stems and embeddings, its names, what it counts."""

    words: list[str]
    stems: list[str]
    vectors: np.ndarray
    names: frozenset[str]
    counted: list[str]
    counted_vectors: np.ndarray
    name_groups: list[list[str]]

    @classmethod
    def of(cls, question: str, language: str, vectors: dict[str, np.ndarray]) -> QuestionWords:
        words = key_words(question)
        counted = counted_words(question)
        stems = [_stem(w) for w in words]
        # Capitalised words after the first are names: "Yoweri Museveni", "Zgorzelec".
        # German capitalises every noun, so there capitals say nothing.
        groups = [] if language in CAPITALISED_NOUNS else _name_groups(question)
        names = frozenset(_stem(w) for group in groups for w in group)
        return cls(words, stems, _stack(vectors, words), names, counted, _stack(vectors, counted), groups)

    def anchors(self, index: Index, kind: str | None):
        """A test of whether a (lower-case) word of a sentence is what the answer must
        stand next to: the thing counted for `how_many`, a question word for
        `duration`; None when there is no such thing."""
        if kind == "how_many" and self.counted:
            words, vectors = self.counted, self.counted_vectors
        elif kind == "duration" and self.words:
            words, vectors = self.words, self.vectors
        else:
            return None
        stems = {_stem(w) for w in words}
        kinds = {TYPE_KINDS[w] for w in words if w in TYPE_KINDS}

        def is_anchor(word: str) -> bool:
            if _stem(word) in stems or TYPE_KINDS.get(word) in kinds:
                return True
            row = index.word_ids.get(word)
            return row is not None and float((vectors @ index.word_vectors[row]).max()) >= WORD_MATCH

        return is_anchor


def question_vocabulary(question: str) -> list[str]:
    """The question's words that need an embedding: content words and counted words."""
    return list(dict.fromkeys(key_words(question) + counted_words(question)))


def _word_vectors(index: Index, words: list[str], embedded: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Embeddings of question words: the index's own for words of the documents.

    (A word found by its stem could borrow the embedding of the document word with that
    stem and skip a forward pass, but 6-character stems join different words, "commun"
    and "communauté": it cost a PIAF answer.)
    """
    return {w: index.word_vectors[index.word_ids[w]] if w in index.word_ids else embedded[w] for w in words}


def _stack(vectors: dict[str, np.ndarray], words: list[str]) -> np.ndarray:
    if not words:
        dimension = next((len(v) for v in vectors.values()), 1)
        return np.zeros((0, dimension), np.float32)
    return np.stack([vectors[w] for w in words])


_LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'-]+$")


def _name_groups(question: str) -> list[list[str]]:
    """The question's names, as runs of capitalised words ("Lejano Oriente"), lower-cased."""
    groups: list[list[str]] = []
    previous_end = -2
    for match in _NAME.finditer(question):
        if not _LATIN_NAME.match(match.group()) or match.group().isupper():
            # Acronyms change letters across languages (USA, EU, США, ONU), and names in
            # another script rarely embed close to their Latin spelling ("Пхеньяне").
            previous_end = -2
            continue
        parts = [w for w in re.findall(r"\w+", match.group().lower()) if not is_stopword(w)]
        if not parts:  # "¿Cuándo ...": a question word after opening punctuation
            continue
        if groups and not question[previous_end : match.start()].strip():
            groups[-1].extend(parts)
        else:
            groups.append(parts)
        previous_end = match.end()
    return groups


def unknown_names(index: Index, words: QuestionWords) -> list[str]:
    """The question's names that no document mentions, by spelling or by meaning.

    "Comment la Chine a-t-elle réagi ?" cannot be answered by documents that never
    name China, however close the rest of the question is to them. A name of several
    words counts as mentioned when one of them is ("Lejano Oriente", "Extrême-Orient").
    """
    if not words.name_groups or not len(index.vocabulary):
        return []
    vectors = dict(zip(words.words, words.vectors))

    def known(word: str) -> bool:
        if _stem(word) in index.vocabulary_stems:
            return True
        vector = vectors.get(word)
        return vector is None or float((index.word_vectors @ vector).max()) >= WORD_MATCH

    return [" ".join(group) for group in words.name_groups if not any(known(w) for w in group)]


def _stem(word: str) -> str:
    stems = terms(word, keep_stopwords=True)
    return stems[0] if stems else word


@dataclass(frozen=True)
class WindowWords:
    """What grounding reads of a sentence's window: its words' rows in the index's
    vocabulary and its stems."""

    word_ids: np.ndarray
    stems: frozenset[str]


# Windows already read, per index: the same sentences come back question after
# question (half of `score_candidates`). Bounded, as a server lives long.
_windows: weakref.WeakKeyDictionary[Index, dict[int, WindowWords]] = weakref.WeakKeyDictionary()
_MAX_WINDOWS = 20_000


def window_words(index: Index, sentence: int) -> WindowWords:
    """A sentence's window (`_window_text`) as grounding reads it."""
    cache = _windows.setdefault(index, {})
    window = cache.get(sentence)
    if window is None:
        if len(cache) >= _MAX_WINDOWS:
            cache.clear()
        text = _window_text(index, sentence)
        ids = np.array([index.word_ids[w] for w in key_words(text, type_words=True) if w in index.word_ids], dtype=np.int64)
        window = cache[sentence] = WindowWords(ids, frozenset(terms(text, keep_stopwords=True)))
    return window


def grounding(words: QuestionWords, window: WindowWords, index: Index, document_stems: frozenset[str]) -> float:
    """Share of the question's content words found in a sentence's window, by stem or
    by meaning.

    A name counts as found anywhere in the sentence's document: the sentence that
    answers often calls its subject "he" or "the city".
    """
    if not words.words:
        return 1.0
    ids = window.word_ids
    similar = (words.vectors @ index.word_vectors[ids].T).max(axis=1) if len(ids) else np.zeros(len(words.words))
    found = [
        stem in window.stems or sim >= WORD_MATCH or (stem in words.names and stem in document_stems)
        for stem, sim in zip(words.stems, similar)
    ]
    return sum(found) / len(found)


def score_candidates(
    index: Index,
    hits: list[ChunkHit],
    vector: np.ndarray,
    words: QuestionWords,
    kind: str | None,
    *,
    pipeline: Pipeline,
) -> list[Candidate]:
    """Every sentence of the retrieved chunks, best first (`pipeline.answer_type`: the
    best holding the kind of answer asked for first, when close)."""
    ranks: dict[int, int] = {}  # each sentence of the chunks, at its best chunk's rank
    for rank, hit in enumerate(hits):
        first, last = (int(v) for v in index.chunks[hit.chunk, 3:5])
        for sentence in range(first, last):
            ranks.setdefault(sentence, rank)
    similarities = index.sentence_store.vectors_of(np.fromiter(ranks, dtype=np.int64, count=len(ranks))) @ vector
    candidates = []
    counted = words.anchors(index, kind)
    for (sentence, rank), dense in zip(ranks.items(), similarities.tolist()):
        text = index.span_text(*(int(v) for v in index.sentences[sentence]))
        document = int(index.sentences[sentence, 0])
        grounded = grounding(words, window_words(index, sentence), index, index.document_stems(document))
        typed = matches_type(kind, text, counted)
        score = dense + W_TERMS * grounded + W_TYPE * typed - W_CHUNK_RANK * rank
        candidates.append(Candidate(sentence, dense, grounded, typed, kind, rank, score))
    ranked = sorted(candidates, key=lambda c: -c.score)
    return _promote_typed(ranked) if pipeline.answer_type else ranked


def _promote_typed(ranked: list[Candidate]) -> list[Candidate]:
    """Put first the best sentence holding the kind of answer asked for, when it is close.

    "When will Putin visit?" is answered by "On 18 and 19 June, ..." even if "Putin's
    first visit in 24 years" is a little closer in meaning.
    """
    if not ranked or ranked[0].kind not in REQUIRED_KINDS or ranked[0].type_match:
        return ranked
    typed = next((c for c in ranked if c.type_match), None)
    # ... unless it is less grounded: a number in a sentence without the question's
    # words ("population of Pyongyang" -> "en 24 ans") answers something else.
    if typed is None or typed.score < ranked[0].score - TYPE_MARGIN or typed.grounding < ranked[0].grounding:
        return ranked
    return [typed] + [c for c in ranked if c is not typed]


def should_abstain(best: Candidate, *, pipeline: Pipeline) -> bool:
    """Whether the best sentence fails to answer: off-topic, key words missing, or wrong
    kind (each check as far as ``pipeline`` has it on).

    e5 similarities sit in a narrow band (about 0.74 for an unrelated question, 0.78-0.92
    for one the documents answer), so similarity alone only catches the off-topic;
    questions near the topic are caught by half their content words not being found
    near the sentence (`MIN_GROUNDING`), by the sentence not holding the kind of answer
    asked for (no date for "when", no number before the thing counted for "how many"),
    or by a name no document mentions (`unknown_names`).

    A stricter word rule (60% of the words found unless the similarity is high) caught
    two more of the 10 unanswerable seed questions but cost 4 false abstentions on
    PIAF and 21 points of answer accuracy on our questions in other languages, where
    matching single words across languages is noisy: see `qa eval --ablation`.
    """
    return (
        (pipeline.similarity_floor and best.dense < MIN_DENSE)
        or (pipeline.word_grounding and best.grounding < MIN_GROUNDING)
        or (pipeline.answer_type and best.kind in REQUIRED_KINDS and not best.type_match)
    )


def _window_text(index: Index, sentence: int) -> str:
    """A sentence with its neighbours in the same document: the context a reader sees."""
    return index.span_text(*sentence_window(index.sentences, sentence))


def sentence_citation(index: Index, sentence: int) -> Citation:
    """Sentence `sentence` of the index, as a citation."""
    doc, start, end = (int(v) for v in index.sentences[sentence])
    return Citation(index.span_text(doc, start, end), index.documents[doc].source, start, end)


# Subject pronouns that, early in a sentence, point to a subject named just before.
_SUBJECT_PRONOUNS = frozenset(
    "il elle ils elles he she they er sie el ella ellos ellas lui lei loro ele ela eles elas "
    "он она они hij zij".split()
)
_PRONOUN_WINDOW = 6


def _leans_on_previous(text: str) -> bool:
    """Whether a sentence's subject is a pronoun ("Dès 1987, il abandonne ...")."""
    return any(word in _SUBJECT_PRONOUNS for word in re.findall(r"\w+", fold(text))[:_PRONOUN_WINDOW])


def _answer_citation(index: Index, sentence: int) -> Citation:
    """The answering sentence, with the sentence before it when it only says "he"/"she"."""
    citation = sentence_citation(index, sentence)
    doc, start, end = (int(v) for v in index.sentences[sentence])
    if sentence > 0 and index.sentences[sentence - 1, 0] == doc and _leans_on_previous(citation.text):
        previous_start = int(index.sentences[sentence - 1, 1])
        if end - previous_start <= MAX_CITED_CHARS:
            return Citation(index.span_text(doc, previous_start, end), citation.source, previous_start, end)
    return citation


def _select_citations(index: Index, candidates: list[Candidate]) -> list[Citation]:
    best = candidates[0]
    chosen = [_answer_citation(index, best.sentence)]
    for candidate in candidates[1:MAX_CITATIONS + 2]:
        if len(chosen) >= MAX_CITATIONS:
            break
        citation = sentence_citation(index, candidate.sentence)
        if chosen[0].start <= citation.start and citation.end <= chosen[0].end:
            continue
        if candidate.score >= best.score - SECOND_CITATION_MARGIN and sum(len(c.text) for c in chosen) + len(citation.text) <= MAX_CITED_CHARS:
            chosen.append(citation)
    if len(chosen[0].text) > MAX_CITED_CHARS:
        chosen = [chosen[0]]
    return chosen


def _compose(language: str, citations: list[Citation]) -> str:
    return "\n".join([message(language, "lead"), "", *quote_lines(citations)])


def quote_lines(citations: list[Citation]) -> list[str]:
    """The citations as a reader checks them: `[n] “quote” (document name)`."""
    return [f"[{n}] “{c.text}” ({c.source.rsplit('/', 1)[-1]})" for n, c in enumerate(citations, start=1)]


def answer(
    question: str,
    k: int | None = None,
    *,
    index: Index | None = None,
    history: list[dict] | None = None,
    settings: Settings | None = None,
    pipeline: Pipeline | None = None,
) -> Answer:
    """Answer a question with cited excerpts of the documents, or say they don't answer it.

    With a language model set up (`QA_LLM_URL`), it writes the reply from the cited
    excerpts and each of its sentences is checked against them (`qa.generation`);
    otherwise, or when it fails, the reply quotes the excerpts.

    Args:
        question: in any language; documents may be in another.
        k: passages to look at (default `QA_TOP_K`, 5).
        index: an index from `build_index`/`load_index` (default: the default corpus's).
        history: earlier turns, `[{"role": "user"|"assistant", "content": str}, ...]`,
            so that follow-ups ("And in what year?") are understood.
        settings: default `Settings.from_env()`.
        pipeline: the rankings and abstention signals in use (default `Pipeline()`;
            others are for `qa eval --ablation`).

    Returns:
        An `Answer`; its citations index exactly into `document_text(source)`.

    Raises:
        EmptyQuestionError: the question is empty.

    Example:
        >>> a = answer("When was the friendship treaty signed?")
        >>> a.abstained, a.language
        (False, 'en')
    """
    settings = settings or Settings.from_env()
    if settings.llm_url:
        from qa.generation import stream_answer

        *_, final = stream_answer(question, k, index=index, history=history, settings=settings, pipeline=pipeline)
        return final
    return extractive_answer(question, k, index=index, history=history, settings=settings, pipeline=pipeline)[0]


def extractive_answer(
    question: str,
    k: int | None = None,
    *,
    index: Index | None = None,
    history: list[dict] | None = None,
    settings: Settings | None = None,
    pipeline: Pipeline | None = None,
) -> tuple[Answer, Index, list[ChunkHit]]:
    """`answer` without a language model: the reply quotes the best sentences.

    Returns:
        The answer, the index it read and the chunks it retrieved (best first).
    """
    settings = settings or Settings.from_env()
    pipeline = pipeline or DEFAULT_PIPELINE
    question = clean_question(question, settings)
    language = detect_language(question)
    index = index if index is not None else default_index(settings)
    if not index.documents:
        return Answer(message(language, "empty"), abstained=True, language=language), index, []
    considered = consider(
        question, index, k or settings.top_k, history=history, settings=settings, pipeline=pipeline, language=language
    )
    passages = to_passages(index, considered.hits)
    if pipeline.overview and considered.hits and shipped_detector().is_overview(considered.vector):
        document = int(index.chunks[considered.hits[0].chunk, 0])
        citations = overview_citations(index, document)
        text = "\n".join([overview_lead(language, index.documents[document].source), "", *quote_lines(citations)])
        reply = Answer(text, abstained=False, language=language, citations=citations, passages=passages, overview=True)
        return reply, index, considered.hits
    ranked = decide(considered, pipeline=pipeline)
    if not ranked:
        reply = Answer(message(language, "abstain"), abstained=True, language=language, passages=passages)
        return reply, index, considered.hits
    citations = _select_citations(index, ranked)
    reply = Answer(_compose(language, citations), abstained=False, language=language, citations=citations, passages=passages)
    return reply, index, considered.hits


@dataclass(frozen=True)
class Considered:
    """What answering looked at for a question: its chunks and their sentences, scored."""

    question: str
    language: str
    index: Index
    hits: list[ChunkHit]
    words: QuestionWords
    kind: str | None
    candidates: list[Candidate]  # best first, by the hand-set score
    unknown_names: list[str]
    vector: np.ndarray  # the question's embedding the sentences were compared with


def consider(
    question: str,
    index: Index,
    k: int,
    *,
    history: list[dict] | None,
    settings: Settings,
    pipeline: Pipeline,
    language: str | None = None,
) -> Considered:
    """Retrieve a (cleaned) question's chunks and score their sentences: everything
    `answer` decides on, and what `qa.fit` learns from."""
    from qa.embedding import load_embedder

    language = language or detect_language(question)
    query = contextual_query(question, history)[-settings.max_question_chars :]
    embedder = load_embedder(settings)
    # Grounding checks the question's own words: a follow-up's context is already found.
    question_words = question_vocabulary(question)
    new_words = [w for w in question_words if w not in index.word_ids]
    follow_up = query != question
    encoded, extra = encode_query(query, embedder, index, extra=[question] * follow_up + new_words)
    sentence_vector = encoded.vector
    if follow_up:
        # The conversation finds the passages, but the sentence that answers is the
        # one closest to what is asked now.
        own, extra = extra[0], extra[1:]
        sentence_vector = (encoded.vector + own) / np.linalg.norm(encoded.vector + own)
    hits = search_chunks(index, encoded, k, pipeline=pipeline)
    vectors = _word_vectors(index, question_words, dict(zip(new_words, extra)))
    words = QuestionWords.of(question, language, vectors)
    kind = answer_type(question)
    candidates = score_candidates(index, hits, sentence_vector, words, kind, pipeline=pipeline)
    return Considered(question, language, index, hits, words, kind, candidates, unknown_names(index, words), sentence_vector)


def decide(considered: Considered, *, pipeline: Pipeline) -> list[Candidate]:
    """The candidates to cite from, best first; empty to abstain.

    With `pipeline.fitted`, the fitted scorer (`qa.answer_scorer`) orders them and
    abstains below its threshold; otherwise the hand-set score and rules do.
    """
    candidates = considered.candidates
    if pipeline.fitted and candidates:
        from qa.answer_scorer import shipped_scorer

        return fitted_decision(considered, shipped_scorer())
    if (
        not candidates
        or should_abstain(candidates[0], pipeline=pipeline)
        or (pipeline.unknown_names and considered.unknown_names)
    ):
        return []
    return candidates


def fitted_decision(considered: Considered, scorer) -> list[Candidate]:
    """The candidates in a fitted scorer's order; empty when it says none answers."""
    from qa.answer_scorer import candidate_features

    order, answers = scorer.rank(candidate_features(considered))
    if not len(order) or answers < scorer.threshold_:
        return []
    # The hand-set scores stay: the second-citation margin is measured on them.
    return [considered.candidates[i] for i in order]
