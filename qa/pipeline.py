"""Which rankings retrieval fuses and how answering chooses and abstains: `Pipeline`.

The defaults are qa's behaviour: the fitted answer step (`qa.answering.answer_scorer`) orders the
candidate sentences and abstains; `RULES_PIPELINE` is the hand-set score and rules it
replaced, kept to compare with. Other values switch parts off to measure what each
contributes (`qa eval --ablation`); they are passed explicitly, so nothing global changes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from qa.errors import QAError


@dataclass(frozen=True)
class Pipeline:
    """The parts of retrieval and answering in use.

    Attributes:
        dense_weight: weight of the dense (embedding) ranking in the reciprocal-rank
            fusion of `qa.retrieving.retrieval.search_chunks`.
        sparse_weight: weight of the sparse (latent-term) ranking.
        lexical_weight: weight of the lexical (BM25) ranking. A ranking weighted 0
            still offers its candidates, at no score. The default weights (1.0, 0.75,
            1.0) and `qa.retrieving.retrieval.RRF_K` were chosen together by cross-validation
            grouped by article on PIAF-open (docs/answer-step.md).
        similarity_floor: (rules only, with ``fitted=False``) abstain when the best
            sentence's similarity is under `qa.answering.extractive.MIN_DENSE` (an off-topic question).
        word_grounding: (rules only) abstain when fewer than `qa.answering.extractive.MIN_GROUNDING` of the
            question's content words are found near the best sentence.
        answer_type: (rules only) for a question asking for a date, a count or a duration, put
            first a close sentence that holds one, and abstain when the best holds none.
        unknown_names: (rules only) abstain when the question names something no document mentions.
        overview: answer a question that asks what a document is about ("What is this
            article about?", recognised by `qa.answering.overview`) with the document's lead and
            central sentences.
        collection: answer a question about the collection ("What documents do I have?",
            "Which files mention the budget?", recognised by `qa.answering.collection_questions`)
            from the document list, and an overview question over several documents that names
            none of them with that list (`qa.answering.collection_replies`).
        fitted: order the candidate sentences and abstain with the fitted answer scorer
            (`qa.answering.answer_scorer`, fitted by `python -m qa.tools.fit`; the default); ``False``
            uses the hand-set score and the abstention rules above instead.

    Raises:
        QAError: a weight is negative, or all are 0.

    Example:
        >>> from qa import Pipeline, answer
        >>> answer("Who invited Putin?", pipeline=Pipeline(lexical_weight=0.0)).abstained
        False
    """

    dense_weight: float = 1.0
    sparse_weight: float = 0.75
    lexical_weight: float = 1.0
    similarity_floor: bool = True
    word_grounding: bool = True
    answer_type: bool = True
    unknown_names: bool = True
    overview: bool = True
    collection: bool = True
    fitted: bool = True

    def __post_init__(self) -> None:
        weights = {f.name: getattr(self, f.name) for f in fields(self) if f.name.endswith("_weight")}
        negative = [name for name, weight in weights.items() if weight < 0]
        if negative:
            raise QAError(f"Pipeline: {', '.join(negative)} must be 0 or more.")
        if not any(weights.values()):
            raise QAError("Pipeline: at least one ranking needs a weight above 0.")


DEFAULT_PIPELINE = Pipeline()
# The hand-set score and abstention rules the fitted step replaced (`qa.tools.fit` compares them).
RULES_PIPELINE = Pipeline(fitted=False)
