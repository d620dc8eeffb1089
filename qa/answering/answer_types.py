"""What kind of answer a question asks for (a date, a count, a duration, a person), and
whether and where a sentence holds one."""

from __future__ import annotations

import bisect
import re
import unicodedata

from qa.text.dates import date_spans, is_month
from qa.text.lexical import TYPE_WORDS, fold, fold_with_offsets, stopwords

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
        return bool(duration_spans(sentence, counted))
    if kind == "when":  # a date in any CLDR language (`qa.text.dates`)
        return bool(date_spans(sentence))
    if kind == "how_many":
        return bool(count_spans(sentence, counted))
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


# Digit groups and number words of one number: "20 000", "3,5 millions", "deux cent mille".
_NUMBER_JOINS = " \u00a0\u202f.,'"


def count_spans(sentence: str, counted=None) -> list[tuple[int, int]]:
    """Where ``sentence`` holds a count, as ``(start, end)`` offsets: a number that is not
    a date ("20 000", "3,5 millions", "deux"), with the thing counted when ``counted`` is
    given (a test of a lower-case word, as for `matches_type`: the number then counts only
    just before it), else with the word or currency just after it when there is one.

    Example:
        >>> text = "Quelque 20 000 soldats nord-coréens, payés 120 EUR."
        >>> [text[a:b] for a, b in count_spans(text, lambda word: word == "soldats")]
        ['20 000 soldats']
        >>> [text[a:b] for a, b in count_spans(text)]
        ['20 000 soldats', '120 EUR']
    """
    matches = list(re.finditer(r"\w+", sentence))
    folded = [fold(m.group()) for m in matches]
    numbers = {
        i
        for i, token in enumerate(folded)
        if _NUMBER_TOKEN.match(token)
        and not _YEAR_TOKEN.match(token)
        and not any(is_month(t) for t in folded[i + 1 : i + 1 + _COUNT_WINDOW])
    }
    # Names are not counted things: "Corée du Nord en 24 ans" counts no "nord-coréens",
    # and "les deux pays" after "passagers" counts countries.
    things = None if counted is None else _positions(matches, counted)
    spans, i = [], 0
    while i < len(matches):
        if i not in numbers:
            i += 1
            continue
        last = i
        while last + 1 in numbers and len(sentence[matches[last].end() : matches[last + 1].start()]) == 1 and (
            sentence[matches[last].end()] in _NUMBER_JOINS
        ):
            last += 1
        if things is None:
            spans.append((matches[i].start(), _unit_end(sentence, matches, last)))
        else:
            thing = next((j for j in things if any(0 < j - k <= _COUNT_WINDOW for k in range(i, last + 1))), None)
            if thing is not None:
                spans.append((matches[i].start(), matches[thing].end()))
        i = last + 1
    return spans


def _unit_end(sentence: str, matches: list[re.Match], last: int) -> int:
    """Where a number ends with the word or currency just after it: "20 000 soldats",
    "120 EUR", "40 €"; not a function word ("3 millions *de*") nor a name."""
    end = matches[last].end()
    after = sentence[end:]
    symbol = re.match(r"\s?(\S)", after)
    if symbol and unicodedata.category(symbol.group(1)) == "Sc":
        return end + symbol.end()
    if last + 1 < len(matches) and sentence[end : matches[last + 1].start()] in (" ", "\u00a0", "\u202f"):
        word = matches[last + 1].group()
        currency = len(word) == 3 and word.isupper() and word.isalpha()
        if currency or (word.islower() and word.isalpha() and word not in stopwords()):
            return matches[last + 1].end()
    return end


def duration_spans(sentence: str, about=None) -> list[tuple[int, int]]:
    """Where ``sentence`` holds a duration ("deux jours", "40 minutes"), as ``(start, end)``
    offsets; with ``about`` (a test of a lower-case word, as for `matches_type`), only a
    duration next to a word it accepts: "sa visite de deux jours", not "en 24 ans".

    Example:
        >>> text = "Sa visite de deux jours, la première en 24 ans."
        >>> [text[a:b] for a, b in duration_spans(text, lambda word: word == "visite")]
        ['deux jours']
    """
    folded, offsets = fold_with_offsets(sentence)
    durations = [(offsets[d.start()], offsets[d.end() - 1] + 1) for d in _DURATION.finditer(folded)]
    if about is None:
        return durations
    matches = list(re.finditer(r"\w+", sentence))
    starts = [m.start() for m in matches]
    anchors = _positions(matches, about)
    spans = []
    for start, end in durations:
        first = bisect.bisect_left(starts, start)
        last = bisect.bisect_left(starts, end) - 1
        if any(first - _DURATION_WINDOW <= j < first or last < j <= last + _DURATION_WINDOW for j in anchors):
            spans.append((start, end))
    return spans


def _positions(matches: list[re.Match], is_word) -> list[int]:
    """Positions of the words ``is_word`` accepts, names aside."""
    return [i for i, m in enumerate(matches) if not m.group()[0].isupper() and is_word(m.group().lower())]
