"""What kind of answer a question asks for (a date, a count, a duration, a person), and
whether a sentence holds one."""

from __future__ import annotations

import bisect
import re

from qa.text.dates import date_spans, is_month
from qa.text.lexical import TYPE_WORDS, fold, stopwords

_ASKS = {
    "duration": r"\b(how long|combien de temps|pendant combien|cuanto tiempo|durante cuanto|wie lange|quanto tempo|"
    r"per quanto|сколько времени|как долго|hoe lang)\b",
    "when": r"\b(when|what year|which year|what date|quand|quelle annee|quel jour|quelle date|cuando|"
    r"en que ano|wann|in welchem jahr|quando|in che anno|em que ano|когда|в каком году|wanneer|in welk jaar)\b",
    # a count, an amount, or "the number of"
    "how_many": r"\b(how many|how much|how old|combien|quel age|cuant[oa]s?|que edad|wie viele?|wie alt|"
    r"quant[ioea]s?|сколько|hoeveel|hoe oud|nombre de|number of|numero de|anzahl|aantal|количество)\b",
    "who": r"\b(who|whom|(?<!est-ce )qui|quien(es)?|wer|chi|quem|кто)\b",
}
_ASK_RES = {kind: re.compile(pattern) for kind, pattern in _ASKS.items()}
_NUMBER_WORDS = (
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|vingt|trente|cent|mille|million|milliard|"
    r"two|three|four|five|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|billion|dos|tres|cuatro|"
    r"cinco|seis|siete|ocho|nueve|diez|zwei|drei|vier|funf|sechs|sieben|acht|neun|zehn|hundert|tausend|"
    r"dozen|douzaine|dizaine|centaine|plusieurs|several|quelques"
)
_TIME_UNITS = (
    r"seconde|minute|heure|jour|journee|semaine|mois|an|annee|siecle|second|hour|day|week|month|year|century|"
    r"segundo|minuto|hora|dia|semana|mes|ano|sekunde|stunde|tag|woche|monat|jahr|ora|giorno|settimana|anno"
)
_DURATION = re.compile(rf"(\d+|\b({_NUMBER_WORDS}))\s+({_TIME_UNITS})s?\b")
NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-ÖØ-ÞА-Я][\w-]+")


def answer_type(question: str) -> str | None:
    """What kind of answer a question asks for: `duration`, `when`, `how_many`, `who`, or None."""
    folded = fold(question)
    for kind, pattern in _ASK_RES.items():
        if pattern.search(folded):
            return kind
    return None


def matches_type(kind: str | None, sentence: str, counted=None) -> bool:
    """Whether a sentence holds the kind of answer asked for (a date for `when`, ...).

    Args:
        counted: for `how_many`, a test of whether a word of the sentence is the thing
            counted (see `counted_words`); a number then counts only just before it.
            For `duration`, a test of whether a word is one of the question's: the
            duration must be next to what the question asks about.
    """
    if kind == "duration":
        return _has_duration(sentence, counted)
    if kind == "when":  # a date in any CLDR language (`qa.text.dates`)
        return bool(date_spans(sentence))
    if kind == "how_many":
        return _has_count(sentence, counted)
    if kind == "who":
        return bool(NAME_RE.search(sentence))
    return True


# "How many soldiers" is answered by a number next to "soldiers" (or its translation),
# not by any number: "24 years" does not count soldiers. Dates are not counts either.
_COUNT_PHRASES = (
    ("how", "many"), ("combien", "de"), ("combien", "d"), ("cuantos",), ("cuantas",), ("wie", "viele"),
    ("quanti",), ("quante",), ("quantos",), ("quantas",), ("сколько",), ("hoeveel",), ("ile",), ("ilu",),
)
_COUNT_WINDOW = 3
# A duration qualifies its noun directly: "visite de deux jours", "two-day visit",
# "deux années de stage"; "visite en Corée du Nord en 24 ans, à l'invitation" does not.
_DURATION_WINDOW = 2
_COUNTED_WORDS = 2
_NUMBER_TOKEN = re.compile(rf"^(\d+|({_NUMBER_WORDS})s?)$")
_YEAR_TOKEN = re.compile(r"^(1[5-9]\d\d|20\d\d)$")


def counted_words(question: str) -> list[str]:
    """What a "how many" question counts: the first content words after "how many".

    Example:
        >>> counted_words("Combien de soldats nord-coréens combattent en Ukraine ?")
        ['soldats', 'nord']
    """
    tokens = re.findall(r"\w+", question.lower().replace("’", "'"))
    folded = [fold(t) for t in tokens]
    for phrase in _COUNT_PHRASES:
        for i in range(len(folded) - len(phrase) + 1):
            if tuple(folded[i : i + len(phrase)]) == phrase:
                after = tokens[i + len(phrase) :]
                # "how many *years*": a type word is what is counted here
                return [t for t in after if (t not in stopwords() or t in TYPE_WORDS) and not t.isdigit()][:_COUNTED_WORDS]
    return []


def _has_count(sentence: str, counted) -> bool:
    """A number that is not a date, next to the thing counted when that is known."""
    matches = list(re.finditer(r"\w+", sentence))
    folded = [fold(m.group()) for m in matches]
    numbers = [
        i
        for i, token in enumerate(folded)
        if _NUMBER_TOKEN.match(token)
        and not _YEAR_TOKEN.match(token)
        and not any(is_month(t) for t in folded[i + 1 : i + 1 + _COUNT_WINDOW])
    ]
    if counted is None or not numbers:
        return bool(numbers)
    # Names are not counted things: "Corée du Nord en 24 ans" counts no "nord-coréens",
    # and "les deux pays" after "passagers" counts countries.
    things = _positions(matches, counted)
    return any(0 < j - i <= _COUNT_WINDOW for i in numbers for j in things)


def _has_duration(sentence: str, about) -> bool:
    """A duration next to a word of the question: "sa visite de deux jours", not "en 24 ans"."""
    folded = fold(sentence)
    if about is None:
        return bool(_DURATION.search(folded))
    matches = list(re.finditer(r"\w+", sentence))
    starts = [m.start() for m in matches]
    anchors = _positions(matches, about)
    for duration in _DURATION.finditer(folded):
        first = bisect.bisect_left(starts, duration.start())
        last = bisect.bisect_left(starts, duration.end()) - 1
        if any(first - _DURATION_WINDOW <= j < first or last < j <= last + _DURATION_WINDOW for j in anchors):
            return True
    return False


def _positions(matches: list[re.Match], is_word) -> list[int]:
    """Positions of the words ``is_word`` accepts, names aside."""
    return [i for i, m in enumerate(matches) if not m.group()[0].isupper() and is_word(m.group().lower())]
