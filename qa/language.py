"""The question's language, and the sentences qa says in it."""

from __future__ import annotations

import functools
import re

# Languages the detector chooses among (ISO 639-1). Replies exist for those in MESSAGES;
# the others get English replies but are still reported correctly.
DETECTED_LANGUAGES = (
    "fr en es de it pt ru nl pl sv da nb fi tr ar zh ja ko uk cs ro el he hi id vi hu ca"
).split()
FALLBACK_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "lead": "Here is what the documents say:",
        "abstain": "The documents don't say. I found nothing that answers this question.",
        "empty": "No documents are indexed yet. Add a document, then ask again.",
    },
    "fr": {
        "lead": "Voici ce que disent les documents :",
        "abstain": "Les documents ne le disent pas. Je n'ai rien trouvé qui réponde à cette question.",
        "empty": "Aucun document n'est encore indexé. Ajoutez un document, puis reposez la question.",
    },
    "es": {
        "lead": "Esto es lo que dicen los documentos:",
        "abstain": "Los documentos no lo dicen. No encontré nada que responda a esta pregunta.",
        "empty": "Todavía no hay documentos indexados. Añada un documento y vuelva a preguntar.",
    },
    "de": {
        "lead": "Das steht in den Dokumenten:",
        "abstain": "Die Dokumente sagen dazu nichts. Ich habe nichts gefunden, das diese Frage beantwortet.",
        "empty": "Es sind noch keine Dokumente indexiert. Fügen Sie ein Dokument hinzu und fragen Sie erneut.",
    },
    "it": {
        "lead": "Ecco cosa dicono i documenti:",
        "abstain": "I documenti non lo dicono. Non ho trovato nulla che risponda a questa domanda.",
        "empty": "Non ci sono ancora documenti indicizzati. Aggiungi un documento e chiedi di nuovo.",
    },
    "pt": {
        "lead": "Eis o que dizem os documentos:",
        "abstain": "Os documentos não dizem. Não encontrei nada que responda a esta pergunta.",
        "empty": "Ainda não há documentos indexados. Adicione um documento e pergunte novamente.",
    },
    "ru": {
        "lead": "Вот что говорится в документах:",
        "abstain": "В документах об этом не говорится. Я не нашёл ничего, что отвечало бы на этот вопрос.",
        "empty": "Документы ещё не проиндексированы. Добавьте документ и задайте вопрос снова.",
    },
    "nl": {
        "lead": "Dit staat er in de documenten:",
        "abstain": "De documenten zeggen dit niet. Ik heb niets gevonden dat deze vraag beantwoordt.",
        "empty": "Er zijn nog geen documenten geïndexeerd. Voeg een document toe en vraag het opnieuw.",
    },
}

# Proper names mislead detectors on short questions ("What is Yuri Ushakov's role?"),
# so capitalised words after the first are left out when enough words remain.
_WORD_RE = re.compile(r"\w[\w'’-]*", re.UNICODE)
_MIN_WORDS_WITHOUT_NAMES = 2


# Two detectors: the low-accuracy one loads in milliseconds and is right whenever it is
# sure; the high-accuracy one (about 700 MB and 4-5 s to load) settles the rest. On the
# 54 questions of ../shared/eval/seed_qa.jsonl and eval/multilingual_qa.jsonl the fast
# detector's mistakes had confidence 0.22-0.32 and its right answers 0.84 or more.
FAST_CONFIDENCE = 0.7


def _languages():
    from lingua import IsoCode639_1, Language

    return [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in DETECTED_LANGUAGES]


@functools.cache
def _fast_detector():
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*_languages()).with_low_accuracy_mode().build()


@functools.cache
def _accurate_detector():
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*_languages()).with_preloaded_language_models().build()


def preload_language_models() -> None:
    """Load the high-accuracy detector now (the app does, so no question waits for it)."""
    _accurate_detector()


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, or English when it cannot be told.

    Example:
        >>> detect_language("Quand a-t-il été abandonné ?")
        'fr'
    """
    words = _WORD_RE.findall(text)
    without_names = [w for i, w in enumerate(words) if i == 0 or not w[0].isupper()]
    sample = " ".join(without_names) if len(without_names) >= _MIN_WORDS_WITHOUT_NAMES else text
    confidences = _fast_detector().compute_language_confidence_values(sample)
    if confidences and confidences[0].value >= FAST_CONFIDENCE:
        language = confidences[0].language
    else:
        language = _accurate_detector().detect_language_of(sample)
    if language is None:
        return FALLBACK_LANGUAGE
    return language.iso_code_639_1.name.lower()


def message(language: str, key: str) -> str:
    """A reply sentence (`lead`, `abstain`, `empty`) in ``language``, English if not covered."""
    return MESSAGES.get(language, MESSAGES[FALLBACK_LANGUAGE])[key]
