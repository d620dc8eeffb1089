"""Splitting a document into sentences and overlapping chunks, keeping exact character offsets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from qa.reading.wrapping import soft_line_breaks
from qa.results import MAX_CITED_CHARS

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
# Chinese and Japanese write no space after 。！？: a sentence ends after them and their
# closing quotes or brackets, whatever follows.
_CJK_END = r"[。！？｡]"
_CJK_CLOSE = r"[」』）】〕”’\"')]"
SENTENCE_BOUNDARY = (
    rf"(?:(?<={_END})|(?<={_END}{_CLOSE})|(?<={_END}{_CLOSE}{_CLOSE}))"
    rf"{_NOT_ABBREVIATION}"
    rf"(?:\s+|(?=[«“‘„¿¡{_UPPER}]))"
    rf"|(?:(?<={_CJK_END})|(?<={_CJK_END}{_CJK_CLOSE})|(?<={_CJK_END}{_CJK_CLOSE}{_CJK_CLOSE}))"
    rf"(?!{_CJK_CLOSE})\s*"
)
_BOUNDARY_RE = re.compile(SENTENCE_BOUNDARY)
_LINE_BREAKS_RE = re.compile(r"\n+")


@dataclass(frozen=True)
class Span:
    """A `[start, end)` slice of a document's text."""

    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of ``text``: sentence punctuation and line breaks end a sentence,
    except the line breaks that only wrap a paragraph (`qa.reading.wrapping`).

    Spans never include surrounding whitespace, so ``text[s.start:s.end]`` is the sentence;
    a wrapped sentence's span holds its line break. A sentence joined over wrapped lines
    is cut at them again when it would run over `MAX_CITED_CHARS`: it must stay citable.

    Example:
        >>> t = "Il l'a dit à la presse.”Les 18 et 19 juin, il ira."
        >>> [t[s.start:s.end] for s in split_sentences(t)]
        ["Il l'a dit à la presse.”", 'Les 18 et 19 juin, il ira.']
        >>> t = ("Die Arbeiten beginnen im Februar und kosten nach der Schätzung des Bauamts\\n"
        ...      "185.000 Euro.\\nLeiterin: Dr. Hanna Vogt")
        >>> for s in split_sentences(t):
        ...     print(t[s.start:s.end].replace("\\n", "⏎"))
        Die Arbeiten beginnen im Februar und kosten nach der Schätzung des Bauamts⏎185.000 Euro.
        Leiterin: Dr. Hanna Vogt
    """
    soft = soft_line_breaks(text)
    spans: list[Span] = []
    for line in _lines(text, soft):
        pieces = _pieces(text, line.start, line.end, _BOUNDARY_RE)
        for piece in (part for piece in pieces for part in _citable(text, piece, soft)):
            # A fragment of a word or two ("agence de presse.”") is no sentence to cite:
            # it joins the one before it on its line.
            if spans and spans[-1].end > line.start and _words(text, piece) < MIN_SENTENCE_WORDS:
                spans[-1] = Span(spans[-1].start, piece.end)
            else:
                spans.append(piece)
    return spans


MIN_SENTENCE_WORDS = 4


def _lines(text: str, soft: list[tuple[int, int]]) -> list[Span]:
    """The text's lines, a paragraph's wrapped lines as one."""
    wrap_ends = dict(soft)
    lines, cursor, skip_to = [], 0, 0
    for match in _LINE_BREAKS_RE.finditer(text):
        if match.start() < skip_to:
            continue  # inside a wrap that crosses a blank line
        if match.start() in wrap_ends:
            skip_to = wrap_ends[match.start()]
            continue
        lines.append(_strip(text, cursor, match.start()))
        cursor = match.end()
    lines.append(_strip(text, cursor, len(text)))
    return [line for line in lines if line.end > line.start]


def _citable(text: str, piece: Span, soft: list[tuple[int, int]]) -> list[Span]:
    """``piece``, or its wrapped lines apart when together they run over `MAX_CITED_CHARS`."""
    if piece.end - piece.start <= MAX_CITED_CHARS:
        return [piece]
    cuts = [(start, end) for start, end in soft if piece.start < start and end < piece.end]
    if not cuts:
        return [piece]
    bounds = [piece.start, *(edge for cut in cuts for edge in cut), piece.end]
    return [_strip(text, bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]


def _words(text: str, span: Span) -> int:
    """Words of a span; Chinese and Japanese, written without spaces, count a word for
    every two characters."""
    words = text[span.start : span.end]
    return len(words.split()) + sum(1 for c in words if unicodedata.east_asian_width(c) == "W") // 2


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
    separator; each chunk is located in ``text`` so its offsets are exact. A line break
    that only wraps a paragraph (`qa.reading.wrapping`) is no line boundary: the splitter
    reads it as a space, so a wrapped sentence is cut no more than one on a single line.

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
    # The same text, each wrap's line breaks read as spaces: offsets do not move.
    unwrapped = list(text)
    for start, end in soft_line_breaks(text):
        unwrapped[start:end] = [" " if c == "\n" else c for c in text[start:end]]
    unwrapped = "".join(unwrapped)
    spans: list[Span] = []
    cursor = 0
    for chunk in splitter.split_text(unwrapped):
        start = unwrapped.find(chunk, cursor)
        if start < 0:  # never expected: the splitter only cuts and strips
            raise ValueError("chunk not found in its document")
        spans.append(Span(start, start + len(chunk)))
        cursor = start + 1
    return spans
