"""Cited answers: pick the sentences that answer, or say the documents don't.

`answer` reads top to bottom as small steps:
question -> language -> follow-up context -> chunks -> candidate sentences -> scores
-> abstain or cite.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from qa.answer_types import answer_type, matches_type
from qa.citations import quote_lines, select_citations
from qa.config import Settings
from qa.conversation import contextual_query
from qa.grounding import QuestionWords, grounding, question_vocabulary, question_word_vectors, unknown_names, window_words
from qa.storing.collection import default_index
from qa.storing.index import Index
from qa.text.language import detect_language, message, overview_lead
from qa.overview import overview_citations, shipped_detector
from qa.pipeline import DEFAULT_PIPELINE, Pipeline
from qa.results import Answer, Citation
from qa.retrieving.retrieval import ChunkHit, clean_question, encode_query, search_chunks, to_passages


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


def _compose(language: str, citations: list[Citation]) -> str:
    return "\n".join([message(language, "lead"), "", *quote_lines(citations)])


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
    if pipeline.overview and considered.hits and _is_overview(considered):
        document = int(index.chunks[considered.hits[0].chunk, 0])
        citations = overview_citations(index, document)
        if citations:
            text = "\n".join([overview_lead(language, index.documents[document].source), "", *quote_lines(citations)])
            reply = Answer(text, abstained=False, language=language, citations=citations, passages=passages, overview=True)
            return reply, index, considered.hits
    ranked = decide(considered, pipeline=pipeline)
    if not ranked:
        reply = Answer(message(language, "abstain"), abstained=True, language=language, passages=passages)
        return reply, index, considered.hits
    citations = select_citations(index, ranked)
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
    own_vector: np.ndarray  # the question's own embedding, without the conversation


def _default_model(index: Index) -> bool:
    """Whether ``index`` was embedded by the default model: the shipped fitted models
    (the overview detector, the answer scorer) read its vectors and similarities, and
    only its."""
    from qa.encoding.embedding import DEFAULT_MODEL_NAME

    return index.model == DEFAULT_MODEL_NAME


def _is_overview(considered: Considered) -> bool:
    """Whether the question asks what a document is about (`qa.overview`): judged on the
    question's own vector, and only with the default model."""
    return _default_model(considered.index) and shipped_detector().is_overview(considered.own_vector)


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
    hits = search_chunks(index, encoded, k, pipeline=pipeline)
    vectors = question_word_vectors(index, question_words, dict(zip(new_words, extra)))
    words = QuestionWords.of(question, language, vectors)
    kind = answer_type(question)
    candidates = score_candidates(index, hits, sentence_vector, words, kind, pipeline=pipeline)
    return Considered(question, language, index, hits, words, kind, candidates, unknown_names(index, words), sentence_vector, own_vector)


def decide(considered: Considered, *, pipeline: Pipeline) -> list[Candidate]:
    """The candidates to cite from, best first; empty to abstain.

    With `pipeline.fitted` (and the default model, whose similarities it was fitted on),
    the fitted scorer (`qa.answer_scorer`) orders them and abstains below its threshold;
    otherwise the hand-set score and rules do.
    """
    candidates = considered.candidates
    if pipeline.fitted and candidates and _default_model(considered.index):
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

    features = candidate_features(considered)
    order, answers = scorer.rank(features)
    if not len(order) or answers < scorer.threshold_for(features):
        return []
    shares = scorer.shares(features)
    return [replace(considered.candidates[i], share=float(shares[i])) for i in order]
