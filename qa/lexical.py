"""Lexical matching: language-agnostic terms and a BM25 ranking over chunks."""

from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata

import numpy as np

# Terms are cut to this many characters: a crude stemmer that works the same in every
# language with inflections at the end of words (sanction/sanctions/sanctionné).
_STEM_CHARS = 6
_WORD_RE = re.compile(r"\w+", re.UNICODE)
STOPWORD_LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "ru", "nl")


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes, for matching across spellings."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@functools.cache
def stopwords() -> frozenset[str]:
    """Function words of the covered languages (lower-case, accents kept), numbers excluded."""
    import stopwordsiso

    words = stopwordsiso.stopwords(list(STOPWORD_LANGUAGES))
    return frozenset(w.lower().replace("’", "'") for w in words if not any(ch.isdigit() for ch in w))


# Question words are function words too, whatever the stopword lists say: "hoeveel"
# or "каком" must not count as words the documents have to contain.
INTERROGATIVES = frozenset(
    """what which who whom whose when where why how quoi quel quelle quels quelles qui quand où
    pourquoi comment combien qué cuál cuáles quién quiénes cuándo dónde cómo cuánto cuánta cuántos
    cuántas was welche welcher welches wer wen wem wann wo warum wie wieviel cosa quale quali chi
    quando dove perché come quanto quanta quanti quante que qual quais quem onde porque quantos
    quantas что какой какая какое какие каком какой какую кто когда где почему зачем как сколько
    wat welk welke wie wanneer waar waarom hoe hoeveel jaki jaka jakie który która które którym
    kto kiedy gdzie dlaczego ile""".split()
)
# Words that only say what kind of answer is wanted ("in what *year*", "how much *time*"),
# by meaning: "how many years" is answered next to "ans", "jaar" or "лет" alike (e5 puts
# some of these pairs below `qa.grounding.WORD_MATCH`: jahre/ans 0.85).
_TYPE_WORD_GROUPS = (
    """year years année années ans año años jahr jahre jahren anno anni ano anos год года году
    лет jaar jaren rok roku lat""",
    """day days jour jours día días tag tage tagen giorno giorni dia dias день дня дней dag
    dagen dzień dni""",
    """month months mois mes meses monat monate monaten mese mesi mês месяц месяца месяцев
    maand maanden miesiąc miesiące miesięcy""",
    "date fecha datum data дата",
    "time temps tiempo zeit tempo время tijd czas",
)
TYPE_KINDS = {word: kind for kind, words in enumerate(_TYPE_WORD_GROUPS) for word in words.split()}
TYPE_WORDS = frozenset(TYPE_KINDS)


@functools.cache
def fingerprint() -> str:
    """A digest of the word lists and stem length that decide a text's terms and content
    words. An index records it: built under other lists, its vocabulary is not the one
    questions are now matched against, and it is rebuilt."""
    import hashlib

    lists = (sorted(stopwords()), sorted(INTERROGATIVES), sorted(TYPE_KINDS.items()), _STEM_CHARS)
    return hashlib.sha256(json.dumps(lists, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def is_stopword(word: str) -> bool:
    """Whether a lower-case word is a function word or a question word.

    Compared with its accents: folded, French "thèse" would be English "these".
    """
    return word in stopwords() or word in INTERROGATIVES or word in TYPE_WORDS


def terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """The lexical terms of ``text``: folded words cut to a common stem length.

    Example:
        >>> terms("Les sanctions occidentales")
        ['sancti', 'occide']
    """
    words = _WORD_RE.findall(text.lower().replace("’", "'"))
    kept = (w for w in words if (keep_stopwords or _fold_word(w) not in _folded_stopwords()) and (len(w) > 1 or w.isdigit()))
    return [_fold_word(w)[:_STEM_CHARS] for w in kept]


# Words recur: answering a question folds the same few hundred words of its candidate
# sentences each time (a sixth of `answer()` before this cache).
_fold_word = functools.lru_cache(maxsize=1 << 16)(fold)


@functools.cache
def _folded_stopwords() -> frozenset[str]:
    # For BM25 a word is dropped when it folds to a function word of any covered
    # language ("été", "thèse"): the ranking loses a little recall but much noise, and
    # the dense and sparse rankings back it up (PIAF hit@1 46/51 against 45/51).
    return frozenset(fold(w) for w in stopwords())


def key_words(text: str, *, type_words: bool = False) -> list[str]:
    """Content words of ``text``, lower-cased, in order, without repeats.

    These are what must be found in the documents for a question to be answered;
    they are matched by spelling (`terms`) or by meaning (word embeddings).

    Args:
        type_words: keep the words that name a kind of answer ("ans", "jours"). A
            question's say nothing to look for, but a document's are what its answers
            stand next to ("24 ans" answers "how many years").

    Example:
        >>> key_words("Quand le traité d'amitié a-t-il été signé en 1961 ?")
        ['traité', 'amitié', 'signé', '1961']
    """
    seen: dict[str, None] = {}
    for word in _WORD_RE.findall(text.lower().replace("’", "'")):
        if len(word) <= 2 and not word.isdigit() or word.startswith("_"):
            continue
        if type_words and word in TYPE_WORDS or not is_stopword(word):
            seen.setdefault(word, None)
    return list(seen)


class LexicalIndex:
    """BM25 over chunk texts (bm25s), rebuilt from the chunk table when an index loads."""

    def __init__(self, texts: list[str]):
        import bm25s

        # bm25s sets its own logger to DEBUG on import; its progress notes are noise here.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self._bm25 = bm25s.BM25()
        self._size = len(texts)
        if texts:
            self._bm25.index([terms(t) or ["\u2400"] for t in texts], show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for ``query`` (zeros when nothing matches)."""
        query_terms = terms(query)
        if not self._size or not query_terms:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query_terms), dtype=np.float32)
