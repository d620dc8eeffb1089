"""Candidate sentences: a question's retrieved chunks, their sentences and the signals that
rank them (`consider`): what the answer step decides on (`qa.answering.extractive`) and what
`qa.tools.fit` learns from.

question -> language -> follow-up context -> chunks -> candidate sentences, scored
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from qa.answering.answer_types import answer_type, matches_type
from qa.answering.conversation import contextual_query
from qa.answering.grounding import QuestionWords, grounding, question_vocabulary, question_word_vectors, unknown_names, window_words
from qa.config import Settings
from qa.pipeline import Pipeline
from qa.retrieving.retrieval import ChunkHit, encode_query, search_chunks
from qa.storing.index import Index
from qa.text.language import detect_language
from qa.text.structure import holds_words, is_heading


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
    # The fitted ranker's probability that this sentence is the one that answers (None
    # when the hand-set rules decide): how many sentences to quote follows from it.
    share: float | None = None
    # A heading or title line (`qa.text.structure.is_heading`): never put above prose.
    heading: bool = False


# Weights of the sentence score: dense similarity leads; the others break near-ties
# between sentences of similar meaning. Chosen on ../shared/eval (see `qa eval`).
W_TERMS = 0.05
W_TYPE = 0.03
W_CHUNK_RANK = 0.004
# Kinds of answer whose absence from the best sentence means "not answered". A "who"
# answer may be a pronoun or a common noun ("his parents"), so it only helps ranking.
REQUIRED_KINDS = frozenset({"when", "how_many", "duration"})
# How far below the best sentence one holding the asked-for kind of answer may score
# and still be preferred to it (see `_promote_typed`).
TYPE_MARGIN = 0.06


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
        document, start, end = (int(v) for v in index.sentences[sentence])
        text = index.span_text(document, start, end)
        if not holds_words(text):  # a table rule, a row of dashes: nothing to quote
            continue
        grounded = grounding(words, window_words(index, sentence), index, index.document_stems(document))
        typed = matches_type(kind, text, counted)
        score = dense + W_TERMS * grounded + W_TYPE * typed - W_CHUNK_RANK * rank
        heading = is_heading(index.documents[document].text, start, end)
        candidates.append(Candidate(sentence, dense, grounded, typed, kind, rank, score, heading=heading))
    ranked = sorted(candidates, key=lambda c: -c.score)
    return prose_first(_promote_typed(ranked) if pipeline.answer_type else ranked)


def prose_first(ranked: list[Candidate]) -> list[Candidate]:
    """The candidates in the same order, except that headings and title lines come after
    every sentence of prose: a heading names what follows and answers nothing.

    Example:
        >>> title, body = Candidate(0, 0.9, 1, False, None, 0, 0.9, heading=True), Candidate(1, 0.8, 1, False, None, 0, 0.8)
        >>> [c.sentence for c in prose_first([title, body])]
        [1, 0]
    """
    return [c for c in ranked if not c.heading] + [c for c in ranked if c.heading]


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
    own_vector: np.ndarray  # the question's own embedding, without the conversation
    follow_up: bool = False  # earlier turns gave the question its context

    @property
    def asks_something(self) -> bool:
        """Whether the message holds a word to look for, follows earlier turns that give it
        one, or is a sentence of several words ("What is this about?"): "???", "🙂", "hello"
        and "When?" alone are none of these."""
        return bool(self.words.words) or self.follow_up or len(re.findall(r"\w+", self.question)) > 1


def consider(
    question: str,
    index: Index,
    k: int,
    *,
    history: list[dict] | None,
    settings: Settings,
    pipeline: Pipeline,
    language: str | None = None,
    leave_out: int | None = None,
) -> Considered:
    """Retrieve a (cleaned) question's chunks and score their sentences: everything
    `answer` decides on, and what `qa.tools.fit` learns from (``leave_out``: a document
    passed over, `qa.retrieving.retrieval.search_chunks`)."""
    from qa.encoding.embedding import load_embedder

    language = language or detect_language(question)
    query = contextual_query(question, history)[-settings.max_question_chars :]
    embedder = load_embedder(settings)
    # Grounding checks the question's own words: a follow-up's context is already found.
    question_words = question_vocabulary(question)
    new_words = [w for w in question_words if w not in index.word_ids]
    follow_up = query != question
    encoded, extra = encode_query(query, embedder, index, extra=[question] * follow_up + new_words)
    sentence_vector = own_vector = encoded.vector
    if follow_up:
        # The conversation finds the passages, but the sentence that answers is the
        # one closest to what is asked now.
        own, extra = extra[0], extra[1:]
        own_vector = own
        sentence_vector = (encoded.vector + own) / np.linalg.norm(encoded.vector + own)
    hits = search_chunks(index, encoded, k, pipeline=pipeline, leave_out=leave_out)
    vectors = question_word_vectors(index, question_words, dict(zip(new_words, extra)))
    words = QuestionWords.of(question, language, vectors)
    kind = answer_type(question)
    candidates = score_candidates(index, hits, sentence_vector, words, kind, pipeline=pipeline)
    return Considered(
        question, language, index, hits, words, kind, candidates, unknown_names(index, words), sentence_vector, own_vector, follow_up
    )
