"""Citations: the sentences quoted for an answer, exact spans of the documents."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qa.index import Index
from qa.lexical import fold
from qa.results import MAX_CITED_CHARS, Citation

if TYPE_CHECKING:
    from qa.answering import Candidate

MAX_CITATIONS = 2
# A further sentence is quoted when it scores within this of the best one: close
# scores mean the ranking cannot tell which of them answers.
SECOND_CITATION_MARGIN = 0.02


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


def select_citations(index: Index, candidates: list[Candidate]) -> list[Citation]:
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


def quote_lines(citations: list[Citation]) -> list[str]:
    """The citations as a reader checks them: `[n] “quote” (document name)`."""
    return [f"[{n}] “{c.text}” ({c.source.rsplit('/', 1)[-1]})" for n, c in enumerate(citations, start=1)]
