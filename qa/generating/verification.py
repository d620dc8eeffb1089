"""Checking a generated answer against the excerpts it cites, sentence by sentence.

A language model's sentence is kept only when the excerpts it cites hold what it states:

- every number in it (a year, a count, a day), in digits or in words of its language
  ("trois", "vingt-quatre", "deuxième": ICU's spell-out rules, `spelled_numbers_in`), is
  in them, in digits or in words;
- every month it names is a month they name, in any language or as a number, and so is
  every day of the week (month and day names come from the Unicode CLDR data of `babel`:
  `qa.text.dates`);
- it denies nothing they do not deny (`negated`: "did not", "n'a pas", "nicht", "не");
- every place it names (CLDR's countries, regions and cities in every language: `places_in`)
  is a place they name, whatever the language ("Austria", "Autriche"), and never one only
  spelled alike ("Australia", "Irak", "Slovakia");
- every other name it uses (a capitalised word past the first) is in them or in the question:
  spelled alike once both are written in Latin letters (`anyascii`: "Путин" is "Putin"),
  close in spelling ("Putin", "Poutine"), or close in meaning for the embedding model;
- its embedding is close enough to the closest cited sentence's: `Verifier.threshold_`
  (`cross_lingual_threshold_` when they are in different languages), fitted on the eval
  data by `python -m qa.tools.fit_verifier`.

Measured on the labelled claims of `eval/claims.jsonl` (`python -m qa.tools.fit_verifier
--claims`; figures in docs/language-models.md). Two roles swapped ("Putin invited Kim")
are not caught: no check here reads who does what to whom.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from importlib import resources

import numpy as np

from qa.text.dates import CLDR_LOCALES, months_in, weekdays_in
from qa.text.language import CAPITALISED_NOUNS, detect_language
from qa.text.lexical import NEGATIONS, fold, is_stopword

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


def numbers_in(text: str, languages: tuple[str, ...] = (), *, least_spelled: int = 0) -> set[str]:
    """The numbers of a text, without thousands separators: "1 500" and "1,500" are "1500";
    with ``languages``, also the numbers it spells out in them ("trois", "vingt-quatre",
    "deuxième": `spelled_numbers_in`) from ``least_spelled`` up.

    Example:
        >>> sorted(numbers_in("deux jours, 24 ans", ("fr",)))
        ['2', '24']
    """
    found = set()
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"[ \u00a0\u202f']", "", match.group())
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):
            digits = re.sub(r"[.,]", "", digits)
        found.add(digits.replace(",", ".").lstrip("0") or "0")
    for language in languages:
        found |= {str(n) for n in spelled_numbers_in(text, language) if n >= least_spelled}
    return found


# ICU's spell-out rules (CLDR RBNF) for the cardinals and ordinals of every gender and
# case a language has; a name a locale lacks falls back to its default rules.
_SPELLOUT_RULES = tuple(
    f"%spellout-{kind}{gender}{case}"
    for kind in ("cardinal", "ordinal")
    for gender in ("", "-masculine", "-feminine", "-neuter")
    for case in ("", "-genitive", "-dative", "-accusative", "-instrumental", "-locative", "-plural")
)
# Spelled out in words: every number up to this, and the round thousands up to ten thousand.
_SPELLED_UP_TO = 1000
_LONGEST_SPELLING = 6  # words


@cache
def _spelled_numbers(language: str) -> dict[tuple[str, ...], int]:
    """Every spelling of the numbers up to `_SPELLED_UP_TO` in ``language`` (ICU's rules),
    as its folded words, with its value: ("vingt-trois",) is 23, ("vinte", "e", "tres") 23."""
    from icu4py.messageformat import MessageFormat

    numbers = [*range(_SPELLED_UP_TO + 1), *range(2000, 10_001, 1000)]
    spellings: dict[tuple[str, ...], int] = {}
    for rules in ("", *_SPELLOUT_RULES):
        try:
            # No space before the rules' name: ICU would read " %spellout-…" as no name.
            spell = MessageFormat("{n, spellout" + (f",{rules}" if rules else "") + "}", language)
        except Exception:  # ICU cannot read the pattern for this language
            return spellings
        # The cases and genders are the small numbers' ("трёх", "deuxième"); big ones are rare in prose.
        for n in numbers if rules in ("", "%spellout-cardinal", "%spellout-ordinal") else range(101):
            words = tuple(_WORD.findall(fold(spell.format({"n": n}).replace("\u00ad", ""))))
            if words and len(words) <= _LONGEST_SPELLING and not any(w.isdigit() for w in words):
                spellings.setdefault(words, n)
    return spellings


def spelled_numbers_in(text: str, language: str) -> set[int]:
    """The numbers ``text`` writes in words of ``language``, longest spelling first.

    Example:
        >>> sorted(spelled_numbers_in("durera trois jours, pas vingt-quatre", "fr"))
        [3, 24]
    """
    spellings = _spelled_numbers(language)
    words = _WORD.findall(fold(text))
    found, i = set(), 0
    while i < len(words):
        for length in range(min(_LONGEST_SPELLING, len(words) - i), 0, -1):
            value = spellings.get(tuple(words[i : i + length]))
            if value is not None:
                found.add(value)
                i += length
                break
        else:
            i += 1
    return found


def negated(text: str, language: str | None = None) -> bool:
    """Whether ``text`` holds a negation of ``language`` (of any language when None):
    "did not", "n'a pas", "nicht", "не" (`qa.text.lexical.NEGATIONS`)."""
    languages = [language] if language in NEGATIONS else list(NEGATIONS) if language is None else []
    words = set()
    for word in _WORD.findall(text.lower().replace("’", "'")):
        words.add(word)
        if "'" in word:  # "n'a", "didn't": the negation is a part of the word
            head, _, tail = word.partition("'")
            words |= {head + "'", "n't" if tail == "t" and head.endswith("n") else tail}
    return any(words & NEGATIONS[code] for code in languages)


@cache
def _places() -> dict[tuple[str, ...], frozenset[str]]:
    """The names of countries, regions and cities in `qa.text.dates.CLDR_LOCALES` (`babel`),
    as folded words, with what they name: ("autriche",) and ("austria",) are "AT"."""
    from babel import Locale

    places: dict[tuple[str, ...], set[str]] = {}
    for code in CLDR_LOCALES:
        locale = Locale.parse(code)
        named = list(locale.territories.items())
        named += [(zone, data["city"]) for zone, data in locale.time_zones.items() if "city" in data]
        for what, name in named:
            words = tuple(_WORD.findall(fold(name)))
            if words:
                places.setdefault(words, set()).add(what)
    return {words: frozenset(what) for words, what in places.items()}


_LONGEST_PLACE = 6  # words
# An inflected place name ("Ираком", "Russlands", "Moskau"/"Москву") keeps all but the
# last letter of its name and adds at most this many.
_INFLECTION = 3


def _place_of(word: str) -> frozenset[str]:
    places = _places()
    if (word,) in places:
        return places[(word,)]
    for cut in range(len(word) - 1, max(3, len(word) - _INFLECTION - 1), -1):
        for stem in (word[:cut], word[:cut] + "a", word[:cut] + "o"):
            if (stem,) in places and len(stem) >= 4:
                return places[(stem,)]
    return frozenset()


def places_in(text: str) -> list[tuple[str, frozenset[str]]]:
    """The places ``text`` names (capitalised, as in every language written with capitals),
    each as written with what it names (CLDR territory codes and time-zone cities).

    Example:
        >>> [what for _, what in places_in("L'Autriche et la Corée du Nord")]
        [frozenset({'AT'}), frozenset({'KP'})]
    """
    places = _places()
    spans = [m for m in _WORD.finditer(text)]
    words = [fold(m.group()) for m in spans]
    # "l'Autriche": the article is not part of the name
    words = [w.split("'")[-1] if "'" in w else w for w in words]
    found, i = [], 0
    while i < len(words):
        first = spans[i].group().split("'")[-1].split("’")[-1]
        if not first[:1].isupper():
            i += 1
            continue
        for length in range(min(_LONGEST_PLACE, len(words) - i), 1, -1):
            what = places.get(tuple(words[i : i + length]))
            if what:
                found.append((text[spans[i].start() : spans[i + length - 1].end()], what))
                i += length
                break
        else:
            what = _place_of(words[i])
            if what:
                found.append((spans[i].group(), what))
            i += 1
    return found


def names_in(statement: str) -> list[str]:
    """Capitalised words: the names a claim relies on. The first word of the sentence
    counts unless it is a function word of some language ("The", "Il", "Der"), as
    "Macron invited Putin" names Macron.

    Scripts without capitals (Chinese, Japanese, Arabic...) give none; numbers and
    similarity still check those claims.
    """
    words = _WORD.findall(statement)
    names = [w for w in words[1:] if w[0].isupper() and len(w) > 1]
    first = words[0].lower().replace("’", "'") if words else ""
    # "C'est", "L'accord": an elided function word opens the sentence.
    if first and words[0][0].isupper() and len(first) > 1 and not any(is_stopword(p) for p in (first, *first.split("'"))):
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
            language: the claim's language: its number words and negations are read in
                it; in German every noun is capitalised, so capitals do not mark its
                names (its places are still checked).
            name_similarity: ``f(name, words) -> float``, the best cosine between a name
                and the excerpts' words; None skips this check.
        """
        if not claim.cited:
            return Verdict(False, "no citation")
        if not claim.statement or not _WORD.search(claim.statement):
            return Verdict(False, "empty")
        if claim.statement.endswith(":"):
            return Verdict(False, "a heading, not a statement")
        statement, cited = claim.statement, " ".join(excerpts)
        language = language or detect_language(statement)
        excerpt_languages = [detect_language(e) for e in excerpts]
        missing = numbers_in(statement, (language,), least_spelled=2) - numbers_in(
            cited, tuple(dict.fromkeys([language, *excerpt_languages]))
        )
        if missing:
            return Verdict(False, f"numbers not in the excerpts: {', '.join(sorted(missing))}")
        if months_in(statement) - months_in(cited):
            return Verdict(False, "a month not in the excerpts")
        if weekdays_in(statement) - weekdays_in(cited):
            return Verdict(False, "a day of the week not in the excerpts")
        if negated(statement, language) and not any(negated(e, lang) for e, lang in zip(excerpts, excerpt_languages)):
            return Verdict(False, "a negation the excerpts do not make")
        words = {fold(w) for w in _WORD.findall(cited + " " + question)}
        named = places_in(cited + "\n" + question)
        known = set().union(*(what for _, what in named))
        # The excerpts' places are compared by what they name, never by spelling or meaning:
        # "Australia" is not "Austria", nor "Slovacchia" "Slovenia", however alike.
        unplaced = words - {fold(w) for place, _ in named for w in _WORD.findall(place)}
        placed = set()
        for place, what in places_in(statement):
            # A place the excerpts name in no form CLDR knows ("Russlands" for "russe") may
            # still be in their words.
            if not what & known and not all(
                _spelled_alike(w, unplaced)
                or (name_similarity is not None and name_similarity(w, [" ".join(unplaced)]) >= NAME_MEANING)
                for w in _WORD.findall(place)
            ):
                return Verdict(False, f"a place not in the excerpts: {place}")
            placed |= {fold(w) for w in _WORD.findall(place)}
        for name in [] if language in CAPITALISED_NOUNS else names_in(statement):
            if fold(name) in placed or _spelled_alike(name, words):
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
