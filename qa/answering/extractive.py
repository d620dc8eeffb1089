"""Cited answers without a language model: pick the sentences that answer, or say the
documents don't.

`extractive_reply` takes what `qa.answering.candidates.consider` found for a question:
decision (the fitted scorer, or the hand-set rules) -> abstain, or cite. `qa.ask` runs
the steps in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from qa.answering.candidates import REQUIRED_KINDS, Candidate, Considered, prose_first
from qa.answering.citations import quote_lines, select_citations, sentence_citation
from qa.answering.overview import named_document, overview_citations, shipped_detector
from qa.answering.short_answer import short_answer
from qa.pipeline import Pipeline
from qa.results import ABSTAINED, ANSWERED, Answer, Citation
from qa.retrieving.retrieval import to_passages
from qa.storing.index import Index
from qa.text.messages import message, overview_lead

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


@dataclass(frozen=True)
class Decision:
    """What the answer step decided: the candidates to quote from, best first (empty when
    abstaining), what the reply is (`qa.results.STATUSES`) and how sure it is (None when
    the hand-set rules decided)."""

    candidates: list[Candidate] = field(default_factory=list)
    status: str = ABSTAINED
    confidence: float | None = None


def _compose(language: str, citations: list[Citation], status: str) -> str:
    lead = message(language, "lead" if status == ANSWERED else "uncertain")
    return "\n".join([lead, "", *quote_lines(citations)])


def extractive_reply(considered: Considered, *, pipeline: Pipeline) -> Answer:
    """The reply without a language model: a document's overview when the question asks
    what it is about; a request for a question when the message holds no word to look for;
    else the best sentences quoted (as the answer, or as the closest passages when the
    answer step is not sure), or "the documents don't say"."""
    index, language = considered.index, considered.language
    passages = to_passages(index, considered.hits)
    if not considered.asks_something:
        return Answer(message(language, "not_a_question"), abstained=True, language=language)
    if pipeline.overview and considered.hits and _is_overview(considered):
        # The document the question names, else the one of the best passage (`qa.ask` has
        # already answered an overview question over several documents naming none with their list).
        document = named_document(index, considered.question)
        if document is None:
            document = int(index.chunks[considered.hits[0].chunk, 0])
        citations = overview_citations(index, document)
        if citations:
            text = "\n".join([overview_lead(language, index.documents[document].source), "", *quote_lines(citations)])
            return Answer(text, abstained=False, language=language, citations=citations, passages=passages, overview=True)
    decision = decide(considered, pipeline=pipeline)
    if decision.status == ABSTAINED:
        return Answer(message(language, "abstain"), abstained=True, language=language, passages=passages,
                      confidence=decision.confidence)
    citations = select_citations(index, decision.candidates)
    # A short answer only where the reply is said to answer: bold text above a near miss misleads.
    short = None
    if decision.status == ANSWERED:
        anchors = considered.words.anchors(index, considered.kind)
        # Within the answering sentence itself: the first quote may open with the sentence
        # before it ("Il ..." needs its antecedent), whose dates and numbers answer nothing.
        sentence = decision.candidates[0].sentence
        answering = sentence_citation(index, sentence)
        written_in = index.document_language(int(index.sentences[sentence, 0]))
        short = short_answer(considered.kind, answering, anchors=anchors, question=considered.question, language=written_in)
    return Answer(
        _compose(language, citations, decision.status),
        abstained=False,
        language=language,
        citations=citations,
        passages=passages,
        status=decision.status,
        confidence=decision.confidence,
        short=short,
    )


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


def decide(considered: Considered, *, pipeline: Pipeline) -> Decision:
    """The candidates to cite from, best first, and what the reply is.

    With `pipeline.fitted` (and the default model, whose similarities it was fitted on),
    the fitted scorer (`qa.answering.answer_scorer`) orders them and says how sure the
    reply is; otherwise the hand-set score and rules decide (answered or abstained).
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
        return Decision()
    return Decision(candidates, ANSWERED)


def fitted_decision(considered: Considered, scorer) -> Decision:
    """The candidates in a fitted scorer's order, the reply's status and confidence
    (`AnswerScorer.status`); no candidates when it abstains."""
    from qa.answering.answer_scorer import candidate_features

    features = candidate_features(considered)
    if not len(features):
        return Decision(confidence=0.0)
    status, confidence = scorer.status(features)
    if status == ABSTAINED:
        return Decision(confidence=confidence)
    order = scorer.order(features)  # the ranker alone: `status` already walked the trees
    shares = scorer.shares(features)
    ranked = prose_first([replace(considered.candidates[i], share=float(shares[i])) for i in order])
    return Decision(ranked, status, confidence)
