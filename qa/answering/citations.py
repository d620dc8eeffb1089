"""Citations: the sentences quoted for an answer, exact spans of the documents."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qa.storing.index import Index
from qa.text.lexical import fold
from qa.results import MAX_CITED_CHARS, Citation

if TYPE_CHECKING:
    from qa.answering.candidates import Candidate

# The rules' order: a second sentence is quoted when it scores within this of the best
# one: close scores mean the rules cannot tell which of them answers.
RULES_MAX_CITATIONS = 2
SECOND_CITATION_MARGIN = 0.02
# The fitted ranker's order: a further sentence is quoted when the ranker gives it at
# least this share of the first one's probability of being the answer, up to
# MAX_CITATIONS sentences and MAX_CITED_CHARS in all. Quoting what the ranker cannot
# rule out raised cross-validated answer accuracy from 65% to 75% for 130 more
# characters a reply on average (docs/answer-step.md, "How many sentences to quote").
MAX_CITATIONS = 3
FURTHER_CITATION_SHARE = 0.1


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
    """The sentences to quote for candidates ranked best first: the first one (with the
    sentence before it when it only says "he"/"she"), then those the ranking cannot rule
    out, within `MAX_CITED_CHARS` in all."""
    best = candidates[0]
    chosen = [_answer_citation(index, best.sentence)]
    most = RULES_MAX_CITATIONS if best.share is None else MAX_CITATIONS
    for candidate in candidates[1 : most + 2]:
        if len(chosen) >= most:
            break
        if not _plausible(candidate, best):
            continue
        citation = sentence_citation(index, candidate.sentence)
        if any(c.source == citation.source and c.start <= citation.start and citation.end <= c.end for c in chosen):
            continue
        if sum(len(c.text) for c in chosen) + len(citation.text) <= MAX_CITED_CHARS:
            chosen.append(citation)
    if len(chosen[0].text) > MAX_CITED_CHARS:
        chosen = [chosen[0]]
    return chosen


def _plausible(candidate: Candidate, best: Candidate) -> bool:
    """Whether a lower-ranked candidate is close enough to the best to be quoted too."""
    if best.share is None:
        return candidate.score >= best.score - SECOND_CITATION_MARGIN
    return candidate.share >= FURTHER_CITATION_SHARE * best.share


def quote_lines(citations: list[Citation]) -> list[str]:
    """The citations as a reader checks them: `[n] “quote” (document name)`."""
    return [f"[{n}] “{c.text}” ({c.source.rsplit('/', 1)[-1]})" for n, c in enumerate(citations, start=1)]
