"""Splitting a document into sentences and overlapping chunks, keeping exact character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? or …, possibly followed by closing quotes or brackets, then
# whitespace, or directly an opening quote or capital letter: news text often glues a
# closing quote to the next sentence (`…presse.”Les 18…`). Initials (`J. Smith`) and a
# few titles (`M. Poutine`) do not end a sentence; neither does a decimal point.
_END = r"[.!?…]"
_CLOSE = r"[”»’\"')\]]"
_UPPER = r"A-ZÀ-ÖØ-ÞĀ-ŽА-ЯΑ-Ω"
_NOT_ABBREVIATION = (
    rf"(?<!\b[{_UPPER}]\.)(?<!\bM\.)(?<!\bMM\.)(?<!\bMme\.)(?<!\bMr\.)(?<!\bMrs\.)"
    r"(?<!\bDr\.)(?<!\bSt\.)(?<!\bNo\.)(?<!\bn°\.)(?<!\bp\.)(?<!\bvs\.)(?<!\betc\.)"
)
SENTENCE_BOUNDARY = (
    rf"(?:(?<={_END})|(?<={_END}{_CLOSE})|(?<={_END}{_CLOSE}{_CLOSE}))"
    rf"{_NOT_ABBREVIATION}"
    rf"(?:\s+|(?=[«“‘„¿¡{_UPPER}]))"
)
_BOUNDARY_RE = re.compile(SENTENCE_BOUNDARY)
_LINE_BREAKS_RE = re.compile(r"\n+")


@dataclass(frozen=True)
class Span:
    """A `[start, end)` slice of a document's text."""

    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of ``text``: line breaks and sentence punctuation end a sentence.

    Spans never include surrounding whitespace, so ``text[s.start:s.end]`` is the sentence.

    Example:
        >>> t = "Il l'a dit à la presse.”Les 18 et 19 juin, il ira."
        >>> [t[s.start:s.end] for s in split_sentences(t)]
        ["Il l'a dit à la presse.”", 'Les 18 et 19 juin, il ira.']
    """
    spans: list[Span] = []
    for line in _pieces(text, 0, len(text), _LINE_BREAKS_RE):
        pieces = _pieces(text, line.start, line.end, _BOUNDARY_RE)
        for piece in pieces:
            # A fragment of a word or two ("agence de presse.”") is no sentence to cite:
            # it joins the one before it on its line.
            if spans and spans[-1].end > line.start and _words(text, piece) < MIN_SENTENCE_WORDS:
                spans[-1] = Span(spans[-1].start, piece.end)
            else:
                spans.append(piece)
    return spans


MIN_SENTENCE_WORDS = 4


def _words(text: str, span: Span) -> int:
    return len(text[span.start : span.end].split())


def _pieces(text: str, start: int, end: int, separator: re.Pattern[str]) -> list[Span]:
    spans = []
    cursor = start
    for match in separator.finditer(text, start, end):
        spans.append(_strip(text, cursor, match.start()))
        cursor = match.end()
    spans.append(_strip(text, cursor, end))
    return [span for span in spans if span.end > span.start]


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def chunk_document(text: str, *, chunk_size: int, chunk_overlap: int) -> list[Span]:
    """Overlapping chunks of ``text`` cut at paragraph, line, sentence, then word boundaries.

    Uses langchain-text-splitters' `RecursiveCharacterTextSplitter` with a sentence
    separator; each chunk is located in ``text`` so its offsets are exact.

    Args:
        text: the document's text.
        chunk_size: largest chunk, in characters.
        chunk_overlap: characters neighbouring chunks may share.

    Returns:
        Chunk spans in document order.
    """
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=[r"\n\n+", r"\n", SENTENCE_BOUNDARY, r"\s+", ""],
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        strip_whitespace=True,
    )
    spans: list[Span] = []
    cursor = 0
    for chunk in splitter.split_text(text):
        start = text.find(chunk, cursor)
        if start < 0:  # never expected: the splitter only cuts and strips
            raise ValueError("chunk not found in its document")
        spans.append(Span(start, start + len(chunk)))
        cursor = start + 1
    return spans
