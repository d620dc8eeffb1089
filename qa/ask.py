"""A question, answered: the one place that owns the order of its steps.

    question -> cleaned (`qa.retrieving.retrieval.clean_question`) -> language
             -> follow-up context, retrieval, candidate sentences (`qa.answering.candidates`)
             -> a question about the collection: its reply (`qa.answering.collection_replies`)
             -> else decision and reply (`qa.answering.extractive`)
             -> with a language model: its answer, each sentence checked (`qa.generating`)

Each step lives in its stage and knows nothing of the next; the extractive step and the
generation step do not import each other.
"""

from __future__ import annotations

from collections.abc import Iterator

from qa.answering.candidates import consider
from qa.answering.collection_replies import collection_reply
from qa.answering.extractive import extractive_reply
from qa.config import Settings
from qa.generating.generation import Draft, generated_answer
from qa.pipeline import DEFAULT_PIPELINE, Pipeline
from qa.results import Answer
from qa.retrieving.retrieval import clean_question
from qa.storing.collection import default_index
from qa.storing.index import Index
from qa.text.language import detect_language
from qa.text.messages import message


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
    excerpts and each of its sentences is checked against them (`qa.generating.generation`);
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
    *_, final = stream_answer(question, k, index=index, history=history, settings=settings, pipeline=pipeline)
    return final


def stream_answer(
    question: str,
    k: int | None = None,
    *,
    index: Index | None = None,
    history: list[dict] | None = None,
    settings: Settings | None = None,
    pipeline: Pipeline | None = None,
) -> Iterator[Draft | Answer]:
    """`answer` step by step: `Draft`s while the language model writes, then the `Answer`.

    Without `QA_LLM_URL`, the one item is the extractive answer. Closing the iterator
    (a stop button) closes the connection to the model.

    Example:
        >>> for item in stream_answer("Who invited Putin?"):  # doctest: +SKIP
        ...     print(item.text)
    """
    settings = settings or Settings.from_env()
    pipeline = pipeline or DEFAULT_PIPELINE
    question = clean_question(question, settings)
    language = detect_language(question)
    index = index if index is not None else default_index(settings)
    if not index.documents:
        yield Answer(message(language, "empty"), abstained=True, language=language)
        return
    considered = consider(
        question, index, k or settings.top_k, history=history, settings=settings, pipeline=pipeline, language=language
    )
    about_collection = collection_reply(considered, pipeline=pipeline)
    if about_collection is not None:
        # The document list, said as it is: nothing for a language model to write.
        yield about_collection
        return
    reply = extractive_reply(considered, pipeline=pipeline)
    if not settings.llm_url or not considered.hits or reply.overview or not considered.asks_something:
        # An overview quotes the document's lead and central sentences as they are.
        yield reply
        return
    yield from generated_answer(question, reply, index, considered.hits, history=history, settings=settings)
