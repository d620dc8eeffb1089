"""Dates in text, in the languages of the Unicode CLDR (`babel`): the names of the months
and the days of the week, the words for yesterday, today and tomorrow, and the spans of a
text that write a date ("18 et 19 juin", "June 18-19, 2024", "18 июня 2024 г.", "2024年6月18日").

Every name and every order of day, month and year comes from CLDR (`CLDR_LOCALES`), read
once on first use; importing this module does not load `babel`.
"""

from __future__ import annotations

import re
from functools import cache

from qa.text.lexical import STOPWORD_LANGUAGES, fold, fold_with_offsets, is_stopword, language_stopwords

# The languages whose CLDR month, weekday and place names are read.
CLDR_LOCALES = (
    "en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "uk", "sv", "da", "nb", "fi", "tr", "cs", "ro", "hu", "ca",
    "ja", "zh", "ko",
)  # fmt: skip
# How each language writes a day and month, a month and year, or all three (CLDR's
# skeletons: "d MMMM y", "MMMM d, y", "d 'de' MMMM 'de' y", "y年M月d日", "y. MMMM d.").
_SKELETONS = ("yMMMMd", "yMMMd", "MMMMd", "MMMd", "yMMMM")
# yesterday and the day before, today, tomorrow and the day after.
_RELATIVE_DAYS = (-2, -1, 0, 1, 2)
_LETTER = r"[^\W\d_]"


@cache
def month_words() -> dict[str, int]:
    """Every CLDR name of a month in `CLDR_LOCALES`, wide and abbreviated, in a date and
    alone ("juin", "июня", "июнь", "czerwca"), folded (`qa.text.lexical.fold`), without
    the abbreviation's dot or the article Catalan puts before it ("de juny"), with its number.

    Example:
        >>> month_words()["czerwca"], month_words()["июнь"], month_words()["juny"]
        (6, 6, 6)
    """
    from babel.dates import get_month_names

    words: dict[str, int] = {}
    for locale in CLDR_LOCALES:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in get_month_names(width, context, locale=locale).items():
                    folded = fold(name).rstrip(".").split()[-1].split("'")[-1]
                    if len(folded) >= 3:
                        words.setdefault(folded, number)
    return words


@cache
def _wide_month_words() -> frozenset[str]:
    from babel.dates import get_month_names

    return frozenset(
        fold(name).split()[-1].split("'")[-1]
        for locale in CLDR_LOCALES
        for context in ("format", "stand-alone")
        for name in get_month_names("wide", context, locale=locale).values()
    ) & month_words().keys()


@cache
def _dated_month_words() -> frozenset[str]:
    # In a date, a month in full ("May 18", "le 18 mai"); abbreviated, unless it is also a
    # function word: "des 18 soldats" is not Norwegian "des." (December).
    wide = _wide_month_words()
    return frozenset(w for w in month_words() if w in wide or not is_stopword(w))


def is_month(word: str) -> bool:
    """Whether a folded word next to a number names a month: a CLDR name in full, or
    abbreviated unless it is also a function word ("des", "sept", "sie").

    Example:
        >>> is_month("czerwca"), is_month("janv"), is_month("des")
        (True, True, False)
    """
    return word in _dated_month_words()


@cache
def weekday_words() -> dict[str, int]:
    """Every CLDR name of a day of the week in `CLDR_LOCALES`, in full and folded, with
    its number (0 is Monday): "mardi", "tuesday", "вторник" are 1."""
    from babel.dates import get_day_names

    words: dict[str, int] = {}
    for locale in CLDR_LOCALES:
        for context in ("format", "stand-alone"):
            for number, name in get_day_names("wide", context, locale=locale).items():
                words.setdefault(fold(name), number)
    return words


@cache
def relative_day_words() -> dict[str, int]:
    """CLDR's words for the days around today in `CLDR_LOCALES`, folded, with their offset:
    "yesterday" and "вчера" are -1, "aujourd'hui" 0, "послезавтра" 2. A word that is a
    function word of another language is left out: Hungarian "ma" (today) is French "my",
    French "hier" (yesterday) German "here".

    Example:
        >>> relative_day_words()["aujourd'hui"], relative_day_words()["вчера"], "hier" in relative_day_words()
        (0, -1, False)
    """
    from babel.dates import get_relative_name

    words: dict[str, int] = {}
    for locale in CLDR_LOCALES:
        others = [language_stopwords(code) for code in STOPWORD_LANGUAGES if code != locale]
        for offset in _RELATIVE_DAYS:
            name = get_relative_name("day", offset, locale=locale)
            if name and not any(name.lower().replace("’", "'") in words_of for words_of in others):
                words.setdefault(fold(name), offset)
    return words


def months_in(text: str) -> set[int]:
    """The months a text names next to a number, in any of `CLDR_LOCALES`, or writes as a
    numeric date (18/06/2024, 2024-06-18).

    "mai", "mars", "may" are months, and in some languages also common words: a name is
    read as a month only next to a number ("le 18 mai", "May 2024").

    Example:
        >>> months_in("les 18 et 19 juin"), months_in("18 июня"), months_in("Mai est un prénom")
        ({6}, {6}, set())
    """
    months = month_words()
    found = set()
    folded = fold(text)
    for match in re.finditer(rf"{_LETTER}+\.?", folded):
        word = match.group().rstrip(".")
        if word in months and re.search(r"\d", folded[max(0, match.start() - 6) : match.end() + 7]):
            found.add(months[word])
    for day_first in re.finditer(r"\b(\d{1,2})[./](\d{1,2})[./](\d{2,4})\b", text):
        found.add(int(day_first.group(2)))
    for iso in re.finditer(r"\b\d{4}-(\d{2})-\d{2}\b", text):
        found.add(int(iso.group(1)))
    return {m for m in found if 1 <= m <= 12}


def weekdays_in(text: str) -> set[int]:
    """The days of the week a text names in full (0 is Monday), in any of `CLDR_LOCALES`:
    "mardi", "Tuesday", "вторник" are 1."""
    days = weekday_words()
    return {days[w] for w in re.findall(rf"{_LETTER}+(?:['’-]{_LETTER}+)*", fold(text)) if w in days}


def date_spans(text: str, *, relative: bool = True) -> list[tuple[int, int]]:
    """Where ``text`` writes a date, as ``(start, end)`` offsets in it, in order: a day and
    month in the order of some CLDR language (with the year, the day of the week and a
    range of days: "mardi 18 et 19 juin 2024", "June 18-19", "18 de junio de 2024",
    "2024年6月18日"), a numeric date (18/06/2024, 2024-06-18), a month or a day of the week
    alone ("en juin", "во вторник"), a year (1500-2099, or a range of them), and with
    ``relative`` CLDR's yesterday, today and tomorrow ("hier", "сегодня").

    A month that is also a function word of some language ("may") is a date only next to
    a day or a year.

    Example:
        >>> text = "Le sommet des 18 et 19 juin 2024 suit celui de 1961."
        >>> [text[start:end] for start, end in date_spans(text)]
        ['18 et 19 juin 2024', '1961']
    """
    folded, offsets = fold_with_offsets(text)
    spans = []
    for match in _date_regex().finditer(folded):
        if not relative and match.lastgroup == "relative":
            continue
        start, end = match.start(), match.end()
        while end > start and (folded[end - 1].isspace() or folded[end - 1] in ",;:-–—/"):
            end -= 1
        # A closing dot is the sentence's, unless it ends an abbreviation ("2024 г.").
        if folded[end - 1] == "." and not re.search(rf"(?<!{_LETTER}){_LETTER}{{1,2}}\.$", folded[start:end]):
            end -= 1
        spans.append((offsets[start], offsets[end - 1] + 1))
    return spans


def _alternation(words) -> str:
    """A regex matching any of ``words``, longest first, as a trie: a sentence is tried
    against hundreds of month names at every word, and a trie fails on the first letter."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and len(node) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if optional else body

    return pattern(trie)


def _words_regex(words) -> str:
    """Any of ``words`` as a whole word: not inside a longer run of letters."""
    return rf"(?<!{_LETTER})(?:{_alternation(words)})(?!{_LETTER})"


_DAY = rf"(?<!\d)(?:[1-9]|[012]\d|3[01])(?!\d)(?:\.|{_LETTER}{{1,2}}(?!{_LETTER}))?"
# "18 et 19", "18-19", "18, 19 and 20", "du 18 au 19": days joined by a sign or a short word.
_DAYS = rf"{_DAY}(?:\s*(?:[-–—/&,+]|{_LETTER}{{1,3}}(?!{_LETTER}))\s*{_DAY})*"
_YEAR_IN_DATE = r"(?<!\d)\d{4}(?!\d)"
_YEAR = r"(?<![\d.,])(?:1[5-9]\d\d|20\d\d)(?![\d]|[.,]\d)"
# CLDR's date pattern fields: "'literal'", a run of one letter ("MMMM"), spaces, a sign.
_PATTERN_PART = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|\s+|.")


def _pattern_regex(pattern: str, month: str) -> str | None:
    """A CLDR date pattern ("d 'de' MMMM 'de' y", "y年M月d日") as a regex on folded text;
    its literal words and signs are optional where it names the month ("18 junio 2024",
    "18 июня 2024 года"), required in a numeric pattern. None for a field other than
    day, month and year."""
    parts: list[tuple[str, str]] = []
    for part in _PATTERN_PART.finditer(pattern):
        token, letter = part.group(), part.group(1)
        if token.startswith("'"):
            parts.append(("literal", fold(token[1:-1].replace("''", "'") or "'")))
        elif letter == "d":
            parts.append(("field", _DAYS))
        elif letter in ("M", "L"):
            parts.append(("month", month) if len(token) >= 3 else ("field", r"(?<!\d)(?:0?[1-9]|1[0-2])(?!\d)"))
        elif letter in ("y", "u"):
            parts.append(("field", _YEAR_IN_DATE))
        elif letter:
            return None
        elif token.isspace():
            parts.append(("space", r"\s*"))
        else:
            parts.append(("literal", fold(token)))
    named = any(kind == "month" for kind, _ in parts)
    if not named and not any(kind == "literal" and re.search(_LETTER, value) for kind, value in parts):
        return None  # "d.M.": "version 2.1." is no date; "M月d日" is one
    regex = ""
    for kind, value in parts:
        if kind == "literal":
            value = value.strip()
            if not value:
                continue
            if named:  # "2024 г." but not the "г" of "2024 года"
                regex += f"(?:{re.escape(value)}{f'(?!{_LETTER})' if re.match(_LETTER, value[-1]) else ''})?"
            else:
                regex += re.escape(value)
        else:
            regex += value
    return regex


@cache
def _date_regex() -> re.Pattern:
    """Every way `date_spans` reads a date, as one regex on folded text: the longest
    patterns first, so that "18 juin 2024" is read whole rather than as "18 juin"."""
    from babel import Locale
    from babel.dates import get_date_format

    wide = _wide_month_words()
    month = _words_regex(_dated_month_words()) + r"\.?"
    patterns: dict[str, int] = {}
    for code in CLDR_LOCALES:
        skeletons = Locale.parse(code).datetime_skeletons
        found = [get_date_format("long", locale=code), *(skeletons[s] for s in _SKELETONS if s in skeletons)]
        for each in found:
            text = getattr(each, "pattern", each)
            patterns.setdefault(text, len(re.findall(r"([A-Za-z])\1*", text)))
    regexes = [r for text, _ in sorted(patterns.items(), key=lambda p: (-p[1], -len(p[0]))) if (r := _pattern_regex(text, month))]
    weekday = _words_regex(weekday_words())
    # A month alone in full, unless it is also a function word ("may"): abbreviated, it
    # is often a word ("sept", "mar").
    lone_months = [w for w in wide if re.fullmatch(f"{_LETTER}+", w) and not is_stopword(w)]
    alternatives = [
        rf"(?:{weekday}\s*,?\s*)?(?:{'|'.join(dict.fromkeys(regexes))})",
        r"(?<!\d)\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})(?![\d])",
        r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)",
        _words_regex(lone_months),
        weekday,
        rf"{_YEAR}(?:\s*[-–—]\s*{_YEAR})?",
        r"(?<![\d.,])\d{1,2}/\d{1,2}(?![\d/])",
        rf"(?P<relative>{_words_regex(relative_day_words())})",
    ]
    return re.compile("|".join(f"(?:{a})" for a in alternatives))
