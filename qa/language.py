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


@functools.cache
def _detector():
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in DETECTED_LANGUAGES]
    # High-accuracy mode (700 MB, 3-5 s to load once): low-accuracy mode (60 MB, 0.1 s)
    # got 2 of the 32 seed questions wrong ("Quand Poutine se rendra-t-il ..." as it).
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, or English when it cannot be told.

    Example:
        >>> detect_language("Quand a-t-il été abandonné ?")
        'fr'
    """
    words = _WORD_RE.findall(text)
    without_names = [w for i, w in enumerate(words) if i == 0 or not w[0].isupper()]
    sample = " ".join(without_names) if len(without_names) >= _MIN_WORDS_WITHOUT_NAMES else text
    language = _detector().detect_language_of(sample)
    if language is None:
        return FALLBACK_LANGUAGE
    return language.iso_code_639_1.name.lower()


def message(language: str, key: str) -> str:
    """A reply sentence (`lead`, `abstain`, `empty`) in ``language``, English if not covered."""
    return MESSAGES.get(language, MESSAGES[FALLBACK_LANGUAGE])[key]
