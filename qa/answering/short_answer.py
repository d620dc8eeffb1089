"""The short answer inside a quote: the date, count, duration or name a question asks for,
as a span of the quote ("18 et 19 juin", "20 000 soldats", "deux jours", "Kim Jong Un")."""

from __future__ import annotations

import re

from qa.answering.answer_types import count_spans, duration_spans
from qa.results import Citation, ShortAnswer
from qa.text.dates import date_spans
from qa.text.language import CAPITALISED_NOUNS, detect_language
from qa.text.lexical import fold, is_stopword

# A word of a name: capitalised, in any script with capitals ("Kim", "Путин", "Jean-Yves").
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Where a sentence starts inside a quote: its first word is capitalised whatever it is.
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？]\s+)\W*$")
_TRIM = " \t\n\u00a0\u202f.,;:!?()[]{}\"'«»“”‘’"


def answer_span(
    kind: str | None, sentence: str, *, anchors=None, question: str = "", language: str | None = None
) -> tuple[int, int] | None:
    """Where in ``sentence`` is the answer a question of ``kind`` asks for, as ``(start, end)``
    with ``sentence[start:end]`` the answer, or None when the sentence holds none.

    - ``when``: the first date ("18 et 19 juin", "June 18-19", "1961"); yesterday, today or
      tomorrow only when no other date is there (`qa.text.dates.date_spans`).
    - ``how_many``: the first count with the thing counted ("20 000 soldats", "120 EUR",
      "3,5 millions"; `qa.answering.answer_types.count_spans`).
    - ``duration``: the first duration ("deux jours", "40 minutes").
    - ``who``: the first name, a run of capitalised words that is not the question's and
      does not open the sentence unless it is a name of two words or more ("Kim Jong Un").

    Args:
        kind: what the question asks for (`qa.answering.answer_types.answer_type`).
        sentence: the text to look in.
        anchors: a test of a lower-case word (`qa.answering.grounding.QuestionWords.anchors`):
            the thing counted for ``how_many``, a question word for ``duration``; the
            answer must stand next to one. None accepts any count or duration.
        question: the question; a name it uses is not the answer to "who".
        language: the sentence's language, if known (its document's,
            `qa.storing.index.Index.document_language`); else told from the sentence.

    Example:
        >>> answer_span("when", "Le sommet a eu lieu les 18 et 19 juin à Pyongyang.")
        (24, 37)
        >>> "Le sommet a eu lieu les 18 et 19 juin à Pyongyang."[24:37]
        '18 et 19 juin'
        >>> answer_span("how_many", "Il n'y a pas de chiffre.") is None
        True
    """
    if kind == "when":
        spans = date_spans(sentence, relative=False) or date_spans(sentence)
    elif kind == "how_many":
        spans = count_spans(sentence, anchors)
    elif kind == "duration":
        spans = duration_spans(sentence, anchors)
    elif kind == "who":
        spans = _name_spans(sentence, question, language or detect_language(sentence))
    else:
        return None
    for start, end in spans:
        while start < end and sentence[start] in _TRIM:
            start += 1
        while end > start and sentence[end - 1] in _TRIM:
            end -= 1
        if start < end:
            return start, end
    return None


def short_answer(
    kind: str | None, citation: Citation, *, anchors=None, question: str = "", language: str | None = None
) -> ShortAnswer | None:
    """The short answer inside a quote, in the document's offsets: exactly
    ``document_text(citation.source)[short.start:short.end]``; None when the question asks
    for no date, count, duration or name, or the quote holds none (`answer_span`).

    Args:
        kind: what the question asks for (`qa.answering.answer_types.answer_type`).
        citation: the first quote of the reply.
        anchors: as for `answer_span` (``words.anchors(index, kind)`` in `qa.answering.candidates`).
        question: the question, as asked.
        language: as for `answer_span`.

    Example:
        >>> from qa.results import Citation
        >>> quote = Citation("Poutine s'y est rendu les 18 et 19 juin.", "news.md", 120, 160)
        >>> short = short_answer("when", quote)
        >>> short.text, short.start, short.end, short.kind
        ('18 et 19 juin', 146, 159, 'when')
    """
    span = answer_span(kind, citation.text, anchors=anchors, question=question, language=language)
    if span is None:
        return None
    start, end = span
    return ShortAnswer(citation.text[start:end], citation.source, citation.start + start, citation.start + end, kind)


def _name_spans(sentence: str, question: str, language: str) -> list[tuple[int, int]]:
    """Runs of capitalised words that may name a person, in order."""
    asked = {fold(w) for w in _WORD.findall(question)}
    # In German every noun is capitalised: only a run of two words or more is a name there.
    least = 2 if language in CAPITALISED_NOUNS else 1
    runs: list[list[re.Match]] = []
    for word in _WORD.finditer(sentence):
        text = word.group()
        if not text[0].isupper() or len(text) < 2 or text.isupper():
            runs.append([])  # a lower-case word or an acronym: the run ends
        elif runs and runs[-1] and sentence[runs[-1][-1].end() : word.start()] in (" ", "\u00a0"):
            runs[-1].append(word)  # "Kim Jong Un": inside a name, "Un" is no article
        elif not is_stopword(text.lower().replace("’", "'")):
            runs.append([word])  # "Le", "The" do not open a name
        else:
            runs.append([])
    spans = []
    for run in runs:
        if len(run) < least or any(fold(w.group()) in asked for w in run):
            continue  # the question's own name ("Who did Putin invite?") is not the answer
        if len(run) < 2 and _SENTENCE_START.search(sentence[: run[0].start()]):
            continue  # "Hier, ...", "Selon ...": a sentence's first word is capitalised anyway
        spans.append((run[0].start(), run[-1].end()))
    return spans
