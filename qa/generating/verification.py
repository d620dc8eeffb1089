"""Checking a generated answer against the excerpts it cites, sentence by sentence.

A language model's sentence is kept only when the excerpts it cites hold what it states:

- every number in it (a year, a count, a day) is in them;
- every month it names is a month they name, in any language or as a number
  (month names come from the Unicode CLDR data of `babel`);
- every name it uses (a capitalised word past the first) is in them or in the question:
  spelled alike once both are written in Latin letters (`anyascii`: "Путин" is "Putin"),
  close in spelling ("Putin", "Poutine"), or close in meaning for the embedding model;
- its embedding is close enough to the closest cited sentence's: `Verifier.threshold_`
  (`cross_lingual_threshold_` when they are in different languages), fitted on the eval
  data by `python -m qa.tools.fit_verifier`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from importlib import resources

import numpy as np

from qa.text.language import CAPITALISED_NOUNS
from qa.text.lexical import fold

# A citation mark: [2], [1, 3], [1][3].
_MARK = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_LEADING_MARKS = re.compile(r"(?:\s*\[\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\s*\])+")
_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f.,']\d{3})*(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Spellings of one name across languages ("Putin", "Poutine", "Putín") are this close.
NAME_SPELLING = 0.75
# Two words this close in the embedding space mean the same (as `qa.answering.grounding.WORD_MATCH`).
NAME_MEANING = 0.89
_MONTH_LOCALES = ("en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "uk", "sv", "da", "nb", "fi", "tr", "cs", "ro", "hu", "ca")


@dataclass(frozen=True)
class Claim:
    """One sentence of a generated answer.

    Attributes:
        text: the sentence as written, citation marks included.
        statement: the sentence without its citation marks.
        cited: the excerpt numbers its marks name, in order, without repeats.
    """

    text: str
    statement: str
    cited: tuple[int, ...]


@dataclass(frozen=True)
class Verdict:
    """Whether a claim is kept, and if not, why (for logs and the eval)."""

    kept: bool
    reason: str = ""


def split_claims(text: str) -> list[Claim]:
    """The sentences of a generated answer, each with the excerpt numbers it cites.

    A mark written after the full stop ("... 2024. [1]"), or alone on a line, belongs to
    the sentence before it; a line that opens with a mark ("[2] Le traité ...") cites it.

    Example:
        >>> [c.cited for c in split_claims("Kim Jong Un invited him [1]. It was in June. [2][3]")]
        [(1,), (2, 3)]
    """
    sentences: list[str] = []
    for line in text.splitlines():
        for number, piece in enumerate(p for p in _SENTENCE_END.split(line.strip()) if p.strip()):
            leading = _LEADING_MARKS.match(piece)
            alone = leading is not None and not piece[leading.end() :].strip(" .")
            if leading and sentences and (number > 0 or alone):
                sentences[-1] += " " + leading.group().strip()
                piece = piece[leading.end() :].strip(" .") if alone else piece[leading.end() :]
            if piece.strip():
                sentences.append(piece.strip())
    claims = []
    for sentence in sentences:
        numbers = [int(n) for mark in _MARK.findall(sentence) for n in re.findall(r"\d+", mark)]
        statement = " ".join(_MARK.sub(" ", sentence).split())
        statement = re.sub(r"\s+([.,;:!?。！？])", r"\1", statement)
        claims.append(Claim(sentence, statement, tuple(dict.fromkeys(numbers))))
    return claims


def _latin(word: str) -> str:
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]", "", anyascii(word).lower())


def numbers_in(text: str) -> set[str]:
    """The numbers of a text, without thousands separators: "1 500" and "1,500" are "1500"."""
    found = set()
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"[ \u00a0\u202f']", "", match.group())
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):
            digits = re.sub(r"[.,]", "", digits)
        found.add(digits.replace(",", ".").lstrip("0") or "0")
    return found


@cache
def _month_words() -> dict[str, int]:
    from babel.dates import get_month_names

    words: dict[str, int] = {}
    for locale in _MONTH_LOCALES:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in get_month_names(width, context, locale=locale).items():
                    folded = fold(name).rstrip(".")
                    if len(folded) >= 3:
                        words.setdefault(folded, number)
    # "mai", "mars", "may" are months, and in some languages also common words; they
    # are read as months only next to a number ("le 18 mai", "May 2024").
    return words


def months_in(text: str) -> set[int]:
    """The months a text names next to a number, in any of the CLDR languages above,
    or writes as a numeric date (18/06/2024, 2024-06-18)."""
    months = _month_words()
    found = set()
    folded = fold(text)
    for match in re.finditer(r"[^\W\d_]+\.?", folded):
        word = match.group().rstrip(".")
        if word in months and re.search(r"\d", folded[max(0, match.start() - 6) : match.end() + 7]):
            found.add(months[word])
    for day_first in re.finditer(r"\b(\d{1,2})[./](\d{1,2})[./](\d{2,4})\b", text):
        found.add(int(day_first.group(2)))
    for iso in re.finditer(r"\b\d{4}-(\d{2})-\d{2}\b", text):
        found.add(int(iso.group(1)))
    return {m for m in found if 1 <= m <= 12}


def names_in(statement: str) -> list[str]:
    """Capitalised words: the names a claim relies on. The first word of the sentence
    counts unless it is a function word of some language ("The", "Il", "Der"), as
    "Macron invited Putin" names Macron.

    Scripts without capitals (Chinese, Japanese, Arabic...) give none; numbers and
    similarity still check those claims.
    """
    from qa.text.lexical import is_stopword

    words = _WORD.findall(statement)
    names = [w for w in words[1:] if w[0].isupper() and len(w) > 1]
    if words and words[0][0].isupper() and len(words[0]) > 1 and not is_stopword(words[0].lower()):
        names.insert(0, words[0])
    return names


def _spelled_alike(name: str, words: set[str]) -> bool:
    folded, latin = fold(name), _latin(name)
    for word in words:
        if folded == word or (latin and latin == _latin(word)):
            return True
        if latin and SequenceMatcher(None, latin, _latin(word)).ratio() >= NAME_SPELLING:
            return True
    return False


@dataclass(frozen=True)
class Verifier:
    """Keeps a generated sentence only when the excerpts it cites support it.

    Attributes:
        threshold_: least cosine between a sentence's query embedding and its closest
            cited sentence's passage embedding, both in one language (fitted by
            `python -m qa.tools.fit_verifier`).
        cross_lingual_threshold_: the same, for a sentence in another language than
            the excerpts it cites (lower: translation moves the embedding).
    """

    threshold_: float
    cross_lingual_threshold_: float

    def check(
        self,
        claim: Claim,
        excerpts: list[str],
        *,
        question: str,
        similarity: float,
        cross_lingual: bool = False,
        language: str = "",
        name_similarity=None,
    ) -> Verdict:
        """Whether ``claim`` is supported by the excerpts it cites.

        Args:
            claim: a sentence of the generated answer.
            excerpts: the text of each excerpt it cites.
            question: what was asked; a name the question uses may be used in the answer.
            similarity: cosine of the claim's embedding to its closest cited excerpt.
            cross_lingual: the claim is in another language than the excerpts.
            language: the claim's language: in German every noun is capitalised, so
                capitals do not mark its names and are not checked.
            name_similarity: ``f(name, words) -> float``, the best cosine between a name
                and the excerpts' words; None skips this check.
        """
        if not claim.cited:
            return Verdict(False, "no citation")
        if not claim.statement or not _WORD.search(claim.statement):
            return Verdict(False, "empty")
        if claim.statement.endswith(":"):
            return Verdict(False, "a heading, not a statement")
        cited = " ".join(excerpts)
        missing = numbers_in(claim.statement) - numbers_in(cited)
        if missing:
            return Verdict(False, f"numbers not in the excerpts: {', '.join(sorted(missing))}")
        if months_in(claim.statement) - months_in(cited):
            return Verdict(False, "a month not in the excerpts")
        words = {fold(w) for w in _WORD.findall(cited + " " + question)}
        for name in [] if language in CAPITALISED_NOUNS else names_in(claim.statement):
            if _spelled_alike(name, words):
                continue
            if name_similarity is not None and name_similarity(name, excerpts) >= NAME_MEANING:
                continue
            return Verdict(False, f"name not in the excerpts: {name}")
        if similarity < (self.cross_lingual_threshold_ if cross_lingual else self.threshold_):
            return Verdict(False, f"too far from the excerpts (similarity {similarity:.2f})")
        return Verdict(True)


VERIFIER_FILE = "verifier.json"


@cache
def shipped_verifier() -> Verifier:
    """The verifier fitted by `python -m qa.tools.fit_verifier` (`qa/generating/data/verifier.json`)."""
    data = json.loads(resources.files("qa.generating").joinpath("data", VERIFIER_FILE).read_text(encoding="utf-8"))
    return Verifier(float(data["threshold_"]), float(data["cross_lingual_threshold_"]))


def best_similarity(claim_vector: np.ndarray, excerpt_vectors: np.ndarray) -> float:
    """Cosine of a claim's embedding to its closest cited excerpt (rows are normalised)."""
    return float((excerpt_vectors @ claim_vector).max()) if len(excerpt_vectors) else -1.0
