"""The question's language (the sentences qa says in it are in `qa.text.messages`)."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter

# Languages the detector chooses among (ISO 639-1); qa replies in each of them
# (qa.text.messages), all covered by the embedding model (multilingual-e5).
DETECTED_LANGUAGES = (
    "fr en es de it pt ru nl pl sv da nb fi tr ar zh ja ko uk cs ro el he hi id vi hu ca"
).split()
FALLBACK_LANGUAGE = "en"
# Languages that capitalise every noun: there capitals do not mark names.
CAPITALISED_NOUNS = frozenset({"de", "lb"})

# How qa tells a short question's language (issue 16: "Quand Poutine ira-t-il à Pyongyang ?"
# was answered in Portuguese). Questions are short and full of names, where character
# n-gram detectors are weakest, so three kinds of evidence are combined in one score per
# language, turned into shares by a softmax:
#   log(lingua confidence + CONFIDENCE_FLOOR) + FUNCTION_WORD_WEIGHT * (function words + punctuation)
# - lingua's confidence values, computed without the capitalised words after the first
#   (names are not evidence of the question's language: "What is Yuri Ushakov's role?");
# - function words (stopwordsiso): each word of the question in a language's list adds
#   FUNCTION_WORD_WEIGHT to that language; a word shared by several languages ("de",
#   "que") lifts them all and so still tells them from the rest. "quand", "il", "à" outweigh
#   lingua's doubt between Portuguese, Italian and French on "Quand ira-t-il à".
# - punctuation: French typography puts a space before "?" and "!" (1,637 of our French
#   questions do, none of the 285 others); it counts as one more French function word, so
#   it tips "Qui a battu Inter Milan ?" (Italian and Catalan words too) without outweighing
#   clear words: given a space before their "?", 284 of those 285 keep their language.
#   With it the grid's rule picks SURE = 0.9 (0.95 before): as right, fewer slow paths.
# The floor keeps a language that lingua all but rules out reachable by word evidence.
# The fast detector (trigrams, 0.3 s to load) decides when the combined share is SURE;
# otherwise the high-accuracy models (1- to 5-grams) are asked, only about the
# MAX_CANDIDATES likeliest languages and the one with the most function words: lingua loads
# models per language and shares them between detectors, so a cold question loads 2-5
# languages (about 0.2 s each) instead of all 27 (4-7 s, 1.2 GB). That happens for 7.7% of
# our questions (12% without the punctuation evidence, 10% before either).
#
# Measured by `python -m qa.tools.language_eval` (every question of ../shared/eval and eval/
# with a known language, and the app's examples: 2,316): 2,237 right (96.59%) with lingua
# alone, 2,310 (99.74%) with function words, 2,314 (99.91%) with punctuation too; held out
# (`--cv`: the settings below are what its rule picks from a small grid on all sets; held
# out, each group gets the pick of the others) 2,306 (99.57%), then 2,312 (99.83%).
# Mistakes on questions of three words or more: 5 in-sample and 9 held out without the
# punctuation evidence, 1 and 3 with it. Measured and left out: the high-accuracy models
# alone on all languages (40 mistakes), shared words split between their languages (11 or
# more), hits scaled by the size of each list (14 or more), 3 or 2 slow-path candidates
# (8, 17), the first word counted twice (3), each function word counted once (2, no gain).
# The mistakes left: "Julien darui" (two words, no evidence) and a French question quoting
# a lower-case English title with no "?" ("Qui a écrit the Spirit and the flesh").
FUNCTION_WORD_WEIGHT = 1.0
CONFIDENCE_FLOOR = 0.01
SURE = 0.9
MAX_CANDIDATES = 4
_LEAST_CANDIDATE_SHARE = 0.01

# stopwordsiso names Norwegian Bokmål's list "no".
_STOPWORD_CODES = {"nb": "no"}
_NAME_RE = re.compile(r"\w[\w'’-]*", re.UNICODE)
_MIN_WORDS_WITHOUT_NAMES = 2
_LETTERS_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# French typography puts a (thin, no-break) space before "?" and "!"; the other languages here do not.
_SPACED_QUESTION_MARK_RE = re.compile(r"\S\s+[?!]")
_SPACED_QUESTION_MARK_LANGUAGES = ("fr",)


def _lingua(code: str):
    from lingua import IsoCode639_1, Language

    return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))


@functools.cache
def _fast_detector():
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*map(_lingua, DETECTED_LANGUAGES)).with_low_accuracy_mode().build()


@functools.lru_cache(maxsize=512)
def _accurate_detector(languages: tuple[str, ...]):
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*map(_lingua, languages)).build()


@functools.cache
def _function_word_languages() -> dict[str, tuple[str, ...]]:
    """Each function word (lower-case) and the languages whose stopword list holds it."""
    import stopwordsiso

    languages: dict[str, list[str]] = {}
    for code in DETECTED_LANGUAGES:
        for word in stopwordsiso.stopwords(_STOPWORD_CODES.get(code, code)):
            languages.setdefault(word.casefold(), []).append(code)
    return {word: tuple(codes) for word, codes in languages.items()}


def _confidences(detector, text: str) -> dict[str, float]:
    return {c.language.iso_code_639_1.name.lower(): c.value for c in detector.compute_language_confidence_values(text)}


def preload_language_models() -> None:
    """Load every high-accuracy model now (the app does, so no question waits for one)."""
    from lingua import LanguageDetectorBuilder

    _fast_detector()
    _function_word_languages()
    # lingua keeps loaded models in one cache that all detectors share.
    LanguageDetectorBuilder.from_languages(*map(_lingua, DETECTED_LANGUAGES)).with_preloaded_language_models().build()


def without_names(text: str) -> str:
    """``text`` without its capitalised words after the first, when two words or more remain."""
    words = _NAME_RE.findall(text)
    kept = [w for i, w in enumerate(words) if i == 0 or not w[0].isupper()]
    return " ".join(kept) if len(kept) >= _MIN_WORDS_WITHOUT_NAMES else text


def function_word_counts(text: str) -> Counter[str]:
    """How many words of ``text`` are function words of each language."""
    lists = _function_word_languages()
    counts: Counter[str] = Counter()
    for word in _LETTERS_RE.findall(text.casefold()):
        counts.update(lists.get(word, ()))
    return counts


def punctuation_counts(text: str) -> Counter[str]:
    """One for each language whose typography ``text`` follows (a space before "?" or "!").

    Example:
        >>> punctuation_counts("Qui a battu Inter Milan ?")
        Counter({'fr': 1})
    """
    if _SPACED_QUESTION_MARK_RE.search(text):
        return Counter(_SPACED_QUESTION_MARK_LANGUAGES)
    return Counter()


class LanguageDetector:
    """Lingua's confidence values, function-word and punctuation counts, combined per language.

    ``slow_path_calls`` counts the questions that needed the high-accuracy models.

    Example:
        >>> LanguageDetector().detect("Quand Poutine ira-t-il à Pyongyang ?")
        'fr'
    """

    def __init__(
        self,
        *,
        function_word_weight: float = FUNCTION_WORD_WEIGHT,
        confidence_floor: float = CONFIDENCE_FLOOR,
        sure: float = SURE,
        max_candidates: int = MAX_CANDIDATES,
    ) -> None:
        self.function_word_weight = function_word_weight
        self.confidence_floor = confidence_floor
        self.sure = sure
        self.max_candidates = max_candidates
        self.slow_path_calls = 0

    def detect(self, text: str) -> str:
        """ISO 639-1 code of ``text``'s language, English when it cannot be told."""
        sample = without_names(text)
        words = function_word_counts(sample)
        fast = _confidences(_fast_detector(), sample)
        if not any(fast.values()) and not words:
            return FALLBACK_LANGUAGE
        words += punctuation_counts(text)
        shares = self._shares(fast, words, DETECTED_LANGUAGES)
        best = max(shares, key=shares.get)
        if shares[best] >= self.sure:
            return best
        candidates = sorted(shares, key=shares.get, reverse=True)[: self.max_candidates]
        candidates = [code for code in candidates if shares[code] >= _LEAST_CANDIDATE_SHARE]
        # The trigram model can all but rule out the right language ("Putin'i kim davet
        # etti" is Italian or Vietnamese to it); the one language with the most function
        # words is asked about too.
        most_words = [code for code, n in words.items() if n == max(words.values())]
        if len(most_words) == 1 and most_words[0] not in candidates:
            candidates.append(most_words[0])
        if len(candidates) == 1:
            return candidates[0]
        self.slow_path_calls += 1
        accurate = _confidences(_accurate_detector(tuple(sorted(candidates))), sample)
        shares = self._shares(accurate, words, candidates)
        return max(shares, key=shares.get)

    def _shares(self, confidences: dict[str, float], words: Counter[str], languages) -> dict[str, float]:
        """Softmax over ``languages`` of log(confidence + floor) + weight * function words."""
        scores = {
            code: math.log(confidences.get(code, 0.0) + self.confidence_floor) + self.function_word_weight * words[code]
            for code in languages
        }
        top = max(scores.values())
        exps = {code: math.exp(score - top) for code, score in scores.items()}
        total = sum(exps.values())
        return {code: value / total for code, value in exps.items()}


_DETECTOR = LanguageDetector()


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, or English when it cannot be told.

    Example:
        >>> detect_language("Quand a-t-il été abandonné ?")
        'fr'
    """
    return _DETECTOR.detect(text)


def document_language(text: str) -> str:
    """ISO 639-1 code of a document's language, from the fast detector alone: a document's
    first paragraphs hold enough text for it (a question is short, and needs `detect_language`).

    Example:
        >>> document_language("La Russie et la Corée du Nord vont travailler ensemble.")
        'fr'
    """
    confidences = _confidences(_fast_detector(), text)
    best = max(confidences, key=confidences.get, default=None)
    return best if best and confidences[best] > 0 else FALLBACK_LANGUAGE


def language_name(language: str) -> str:
    """The English name of a language code ("fr" -> "French"), as a prompt names it."""
    try:
        name = _lingua(language).name
    except (AttributeError, KeyError, ValueError):
        return "the language of the question"
    return {"BOKMAL": "Norwegian"}.get(name, name.title())
