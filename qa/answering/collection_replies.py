"""Replies about the collection: the documents it holds, or those that mention something.

`collection_reply` answers a question that `qa.answering.collection_questions` recognises as
being about the collection ("What documents do I have?": their names, sections and count;
"Which files mention the budget?": each document holding the subject, with one sentence
that mentions it, cited exactly), and an overview question over several documents that
names none of them ("What is this about?" could be about any: the list lets the asker say
which). Every sentence is said in the asker's language (`qa.text.messages`). `qa.ask` asks
it first; None leaves the question to the usual answer step.
"""

from __future__ import annotations

import numpy as np

from qa.answering.candidates import Considered
from qa.answering.citations import quote_lines
from qa.answering.collection_questions import FINDING, LISTING, shipped_collection_detector
from qa.answering.overview import named_document, shipped_detector
from qa.pipeline import Pipeline
from qa.reading.documents import sections_of
from qa.results import Answer, Citation, document_name
from qa.storing.index import Document, Index
from qa.text.lexical import fold_with_offsets, terms
from qa.text.messages import message

# A longer list ends with "and N more": a reply is read, not scrolled through.
MAX_LISTED = 20
# A quote longer than this is cut to the part around the subject (still an exact span).
MAX_QUOTE_CHARS = 300


def collection_reply(considered: Considered, *, pipeline: Pipeline) -> Answer | None:
    """The reply to a question about the collection, or None for any other question.

    The status is "answered" (or "abstained" when no document mentions what is asked
    for); the confidence is None, as for an overview: nothing estimates the probability
    that a list is the answer.
    """
    index, language = considered.index, considered.language
    if not pipeline.collection or not considered.asks_something or not _default_model(index):
        return None
    intent = shipped_collection_detector().intent(considered.own_vector)
    if intent == FINDING:
        subject = shipped_collection_detector().subject_words(considered.words.words, considered.words.vectors)
        if subject:
            return finding_reply(index, language, considered.question, subject)
        intent = LISTING  # "Which documents mention anything?": nothing to look for but the list
    if intent == LISTING:
        return listing_reply(index.documents, language)
    if (
        pipeline.overview
        and len(index.documents) > 1
        and shipped_detector().is_overview(considered.own_vector)
        and named_document(index, considered.question) is None
    ):
        return listing_reply(index.documents, language)
    return None


def listing_reply(documents: list[Document], language: str) -> Answer:
    r"""The documents' names, each with its sections ("pages: 12"), and their count.

    Example:
        >>> documents = [Document("/srv/a.pdf", "One.\n\f\nTwo."), Document("/srv/b.txt", "Three.")]
        >>> print(listing_reply(documents, "fr").text)
        Documents de la collection : 2
        <BLANKLINE>
        - a.pdf (pages : 2)
        - b.txt
    """
    lines = [message(language, "collection_count").format(n=len(documents)), ""]
    for document in documents[:MAX_LISTED]:
        name = document_name(document.source)
        sections = sections_of(name, document.text)
        if sections:
            kind, count = sections
            name = f"{name} ({message(language, 'sections_' + kind).format(n=count)})"
        lines.append(f"- {name}")
    if len(documents) > MAX_LISTED:
        lines.append(message(language, "collection_more").format(n=len(documents) - MAX_LISTED))
    return Answer("\n".join(lines), abstained=False, language=language)


def finding_reply(index: Index, language: str, question: str, subject: list[str]) -> Answer:
    """The documents that mention ``subject`` (key words of ``question``), each cited by the
    first sentence holding all of them; "no document mentions it" when none does.

    Words match by their lexical terms (`qa.text.lexical.terms`: folded, stemmed), as the
    lexical ranking matches them.
    """
    wanted = frozenset(terms(" ".join(subject), keep_stopwords=True))
    said = _as_asked(question, subject)
    citations = []
    for document in range(len(index.documents)):
        if not wanted or not wanted <= index.document_stems(document):
            continue
        citation = _mentioning_sentence(index, document, wanted)
        if citation is not None:
            citations.append(citation)
    if not citations:
        return Answer(message(language, "mentions_none").format(subject=said), abstained=True, language=language)
    shown = citations[:MAX_LISTED]
    lines = [message(language, "mentions").format(subject=said, n=len(citations)), "", *quote_lines(shown)]
    if len(citations) > MAX_LISTED:
        lines.append(message(language, "collection_more").format(n=len(citations) - MAX_LISTED))
    return Answer("\n".join(lines), abstained=False, language=language, citations=shown)


def _mentioning_sentence(index: Index, document: int, wanted: frozenset[str]) -> Citation | None:
    """The first sentence of ``document`` whose terms hold all of ``wanted``, as a citation."""
    rows = np.flatnonzero(index.sentences[:, 0] == document)
    for row in rows:
        _, start, end = (int(v) for v in index.sentences[row])
        text = index.span_text(document, start, end)
        if wanted <= set(terms(text, keep_stopwords=True)):
            start, end = _around(text, start, end, wanted)
            return Citation(index.span_text(document, start, end), index.documents[document].source, start, end)
    return None


def _around(text: str, start: int, end: int, wanted: frozenset[str]) -> tuple[int, int]:
    """The span of a long sentence cut to `MAX_QUOTE_CHARS` around the first wanted word."""
    if end - start <= MAX_QUOTE_CHARS:
        return start, end
    # Folding may lengthen the text (Hangul, ligatures): a place in it maps back by its offsets.
    folded, offsets = fold_with_offsets(text)
    first = offsets[min((i for i in (folded.find(stem) for stem in wanted) if i >= 0), default=0)]
    offset = max(0, min(first - MAX_QUOTE_CHARS // 3, len(text) - MAX_QUOTE_CHARS))
    return start + offset, start + offset + MAX_QUOTE_CHARS


def _as_asked(question: str, subject: list[str]) -> str:
    """The subject as the question writes it: from its first word to its last ("Kim Jong Un")."""
    lowered = question.lower()
    spans = [(i, i + len(w)) for w in subject if (i := lowered.find(w)) >= 0]
    if not spans:
        return " ".join(subject)
    return question[min(s for s, _ in spans) : max(e for _, e in spans)]


def _default_model(index: Index) -> bool:
    """The shipped detectors read the default model's vectors, and only its."""
    from qa.encoding.embedding import DEFAULT_MODEL_NAME

    return index.model == DEFAULT_MODEL_NAME
