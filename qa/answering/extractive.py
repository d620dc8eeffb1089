"""Cited answers without a language model: pick the sentences that answer, or say the
documents don't.

`extractive_answer` reads top to bottom as small steps:
question -> language -> candidate sentences (`qa.answering.candidates`) -> decision
(the fitted scorer, or the hand-set rules) -> abstain or cite.
"""

from __future__ import annotations

from dataclasses import replace

from qa.answering.candidates import REQUIRED_KINDS, Candidate, Considered, consider
from qa.answering.citations import quote_lines, select_citations
from qa.answering.overview import overview_citations, shipped_detector
from qa.config import Settings
from qa.pipeline import DEFAULT_PIPELINE, Pipeline
from qa.results import Answer, Citation
from qa.retrieving.retrieval import ChunkHit, clean_question, to_passages
from qa.storing.collection import default_index
from qa.storing.index import Index
from qa.text.language import detect_language, message, overview_lead

# Abstention thresholds, see `should_abstain`; chosen on ../shared/eval (`qa eval`).
# `Pipeline` says which of the abstention signals are in use.
MIN_DENSE = 0.76
MIN_GROUNDING = 0.5


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


def _default_model(index: Index) -> bool:
    """Whether ``index`` was embedded by the default model: the shipped fitted models
    (the overview detector, the answer scorer) read its vectors and similarities, and
    only its."""
    from qa.encoding.embedding import DEFAULT_MODEL_NAME

    return index.model == DEFAULT_MODEL_NAME


def _is_overview(considered: Considered) -> bool:
    """Whether the question asks what a document is about (`qa.answering.overview`): judged on the
    question's own vector, and only with the default model."""
    return _default_model(considered.index) and shipped_detector().is_overview(considered.own_vector)


def decide(considered: Considered, *, pipeline: Pipeline) -> list[Candidate]:
    """The candidates to cite from, best first; empty to abstain.

    With `pipeline.fitted` (and the default model, whose similarities it was fitted on),
    the fitted scorer (`qa.answering.answer_scorer`) orders them and abstains below its threshold;
    otherwise the hand-set score and rules do.
    """
    candidates = considered.candidates
    if pipeline.fitted and candidates and _default_model(considered.index):
        from qa.answering.answer_scorer import shipped_scorer

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
    from qa.answering.answer_scorer import candidate_features

    features = candidate_features(considered)
    order, answers = scorer.rank(features)
    if not len(order) or answers < scorer.threshold_for(features):
        return []
    shares = scorer.shares(features)
    return [replace(considered.candidates[i], share=float(shares[i])) for i in order]
