"""Lexical matching: language-agnostic terms and a BM25 ranking over chunks."""

from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata

import numpy as np
import regex

# Terms are cut to this many characters: a crude stemmer that works the same in every
# language with inflections at the end of words (sanction/sanctions/sanctionné).
_STEM_CHARS = 6
STOPWORD_LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "ru", "nl", "zh", "ja", "th")
# Scripts written without spaces between words (Thai, Lao, Burmese, Khmer, Japanese kana,
# Chinese characters): there a run of letters is a whole clause, cut into words by ICU's
# dictionary-based word breaker (`words`).
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Runs of letters and digits with their combining marks: the vowel signs of Hindi or
# Thai are marks, not \w to Python's re ("पुतिन" would fall apart into "प", "त", "न").
_RUN_RE = regex.compile(r"[\w\p{M}]+")
# The version of the word splitting, recorded with the word lists (`fingerprint`).
_SPLITTING = 2


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes, for matching across spellings."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """``fold(text)``, and for each of its characters the offset in ``text`` of the
    character it comes from (plus ``len(text)`` at the end), so that a match in the folded
    text maps back to the text: folding may change its length ("ﬁ" is "fi").

    Example:
        >>> folded, offsets = fold_with_offsets("Éﬁn")
        >>> folded, offsets
        ('efin', [0, 1, 1, 2, 3])
    """
    pieces, offsets = [], []
    for i, ch in enumerate(text):
        piece = fold(ch)
        pieces.append(piece)
        offsets.extend([i] * len(piece))
    offsets.append(len(text))
    return "".join(pieces), offsets


@functools.cache
def stopwords() -> frozenset[str]:
    """Function words of the covered languages (lower-case, accents kept), numbers excluded."""
    import stopwordsiso

    words = stopwordsiso.stopwords(list(STOPWORD_LANGUAGES))
    return frozenset(w.lower().replace("’", "'") for w in words if not any(ch.isdigit() for ch in w))


@functools.cache
def language_stopwords(language: str) -> frozenset[str]:
    """The function words of one of `STOPWORD_LANGUAGES` (as `stopwords`); empty for another."""
    import stopwordsiso

    if language not in STOPWORD_LANGUAGES:
        return frozenset()
    words = stopwordsiso.stopwords(language)
    return frozenset(w.lower().replace("’", "'") for w in words if not any(ch.isdigit() for ch in w))


# Negation is a closed class of a few function words in each language: the particles,
# pronouns and determiners that deny a clause (French "ne" also elided as "n'"). A claim that
# denies what its excerpt states keeps nearly the embedding of the excerpt, so the generated
# answers' verifier (`qa.generating.verification.negated`) compares the two by these words.
NEGATIONS: dict[str, frozenset[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "en": "not n't no never neither nor none nobody nothing cannot",
        "fr": "ne n' pas jamais aucun aucune ni rien personne non",
        "de": "nicht kein keine keinen keinem keiner keines nie niemals nichts niemand weder",
        "es": "no nunca jamás ningún ninguna ninguno nadie nada ni tampoco",
        "it": "non mai nessun nessuno nessuna niente nulla né",
        "pt": "não nunca jamais nenhum nenhuma ninguém nada nem",
        "nl": "niet geen nooit niets niemand noch",
        "ru": "не нет никогда ни никто ничего ничто",
        "uk": "не ні ніколи ніхто нічого",
        "pl": "nie nigdy żaden żadna żadne żadnego nic nikt ani",
        "cs": "ne nikdy žádný žádná žádné nic nikdo ani",
        "sv": "inte ej aldrig ingen inget inga",
        "da": "ikke aldrig ingen intet",
        "nb": "ikke aldri ingen intet",
        "ca": "no mai cap ningú res",
        "ro": "nu niciodată niciun nicio nimic nimeni",
        "tr": "değil hiç hiçbir asla",
        "fi": "ei en et emme ette eivät koskaan",
        "hu": "nem soha semmi senki sem",
    }.items()
}


# Question words are function words too, whatever the stopword lists say: "hoeveel"
# or "каком" must not count as words the documents have to contain.
INTERROGATIVES = frozenset(
    """what which who whom whose when where why how quoi quel quelle quels quelles qui quand où
    pourquoi comment combien qué cuál cuáles quién quiénes cuándo dónde cómo cuánto cuánta cuántos
    cuántas was welche welcher welches wer wen wem wann wo warum wie wieviel cosa quale quali chi
    quando dove perché come quanto quanta quanti quante que qual quais quem onde porque quantos
    quantas что какой какая какое какие каком какой какую кто когда где почему зачем как сколько
    wat welk welke wie wanneer waar waarom hoe hoeveel jaki jaka jakie który która które którym
    kto kiedy gdzie dlaczego ile 什么 什么时候 何时 谁 哪 哪里 哪儿 哪个 哪一 为什么 怎么 怎样 多少 几
    いつ 何 なに なん 誰 だれ どこ どれ どの なぜ どう どうして いくつ いくら เมื่อไหร่ อะไร ใคร ที่ไหน ทำไม
    อย่างไร เท่าไหร่""".split()
)
# Words that only say what kind of answer is wanted ("in what *year*", "how much *time*"),
# by meaning: "how many years" is answered next to "ans", "jaar" or "лет" alike (e5 puts
# some of these pairs below `qa.answering.grounding.WORD_MATCH`: jahre/ans 0.85).
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

    lists = (sorted(stopwords()), sorted(INTERROGATIVES), sorted(TYPE_KINDS.items()), _STEM_CHARS, _SPLITTING)
    return hashlib.sha256(json.dumps(lists, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def is_stopword(word: str) -> bool:
    """Whether a lower-case word is a function word or a question word.

    Compared with its accents: folded, French "thèse" would be English "these".
    """
    return word in stopwords() or word in INTERROGATIVES or word in TYPE_WORDS


def words(text: str) -> list[str]:
    """The words of ``text``, in order: runs of letters and digits, cut into words by ICU
    where the script puts no spaces between them.

    Example:
        >>> words("普京什么时候访问朝鲜？ Kim Jong Un")
        ['普', '京', '什么时候', '访问', '朝鲜', 'Kim', 'Jong', 'Un']
    """
    if not _UNSPACED.search(text):
        return _RUN_RE.findall(text)
    found: list[str] = []
    for run in _RUN_RE.findall(text):
        found.extend(_segments(run) if _UNSPACED.search(run) else (run,))
    return found


@functools.lru_cache(maxsize=1 << 14)
def _segments(run: str) -> tuple[str, ...]:
    from icu4py.breakers import WordBreaker
    from icu4py.locale import Locale

    return tuple(w for start, end in WordBreaker(run, Locale("und")).segments() if _RUN_RE.match(w := run[start:end]))


def _too_short(word: str) -> bool:
    """One or two letters say little in an alphabet; in Chinese two characters are a word."""
    return not word.isdigit() and len(word) < (2 if _UNSPACED.match(word) else 3)


def terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """The lexical terms of ``text``: folded words cut to a common stem length.

    Example:
        >>> terms("Les sanctions occidentales")
        ['sancti', 'occide']
    """
    found = words(text.lower().replace("’", "'"))
    kept = (w for w in found if (keep_stopwords or _fold_word(w) not in _folded_stopwords()) and (len(w) > 1 or w.isdigit()))
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
    for word in words(text.lower().replace("’", "'")):
        if _too_short(word) or word.startswith("_"):
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
