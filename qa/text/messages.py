"""The sentences qa says to the asker (lead-ins, abstentions, status labels), in the asker's language.

English is the source language: the sentences are written here, and ``make messages``
extracts them with Babel (``pybabel extract``, babel.cfg) into the template
``qa/text/locale/qa.pot``, then merges that into one gettext catalogue a language,
``qa/text/locale/<language>/LC_MESSAGES/qa.po``. Each sentence's key (``lead``,
``abstain``...) is its catalogue context (``msgctxt``). A catalogue is compiled to the
``.mo`` format in memory the first time its language is asked for (Babel's ``write_mo``),
and read with Babel's ``support.Translations``: what is read is always the ``.po`` beside
it, and nothing is written into the installed package.
"""

from __future__ import annotations

import functools
from pathlib import Path

from qa.text.language import DETECTED_LANGUAGES, FALLBACK_LANGUAGE

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "qa"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def _reply(key: str, english: str) -> tuple[str, str]:
    """Marks a sentence for ``pybabel extract`` (keyword ``_reply:1c,2``: the key is its context)."""
    return key, english


# "Translators:" comments go into the template beside the sentence they precede.
ENGLISH: dict[str, str] = dict(
    [
        _reply("lead", "Here is what the documents say:"),
        # Translators: {name} is a document's file name.
        _reply("overview", "Overview of {name}:"),
        _reply("uncertain", "The documents may not answer this directly. The closest passages:"),
        # Translators: The reply to a message that asks nothing ("hello", "???").
        _reply("not_a_question", "Please ask a question about the documents, for example: “When was the treaty signed?”"),
        _reply("abstain", "The documents don't say. I found nothing that answers this question."),
        _reply("empty", "No documents are indexed yet. Add a document, then ask again."),
        # Translators: {n} is a number (1 or more); the sentence is shown in brackets.
        _reply("dropped", "{n} sentence(s) of the generated answer left out: the excerpts they cite do not support them."),
        # Translators: {reason} is an explanation in English, starting in lower case; shown in brackets.
        _reply("not_generated", "Written from the excerpts without the language model: {reason}."),
        # Translators: Shown in brackets after a reply the asker stopped while a language model wrote it.
        _reply("stopped", "Stopped: the language model's reply was not used."),
        # Translators: Atop the list of the documents; {n} is how many there are (1 or more).
        _reply("collection_count", "Documents in the collection: {n}"),
        # Translators: Ends a list cut short; {n} is how many items are not shown.
        _reply("collection_more", "and {n} more"),
        # Translators: After a document's name in a list, in brackets: how many pages it has.
        _reply("sections_page", "pages: {n}"),
        # Translators: After a document's name in a list, in brackets: how many slides it has.
        _reply("sections_slide", "slides: {n}"),
        # Translators: After a document's name in a list, in brackets: how many sheets (of a spreadsheet) it has.
        _reply("sections_sheet", "sheets: {n}"),
        # Translators: After a document's name in a list, in brackets: how many chapters it has.
        _reply("sections_chapter", "chapters: {n}"),
        # Translators: Atop the documents that mention something; {subject} is the words the asker looked for, {n} how many documents.
        _reply("mentions", "Documents that mention “{subject}”: {n}"),
        # Translators: {subject} is the words the asker looked for.
        _reply("mentions_none", "No document mentions “{subject}”."),
        # Translators: The label atop a reply that answers the question.
        _reply("status_answered", "Answer"),
        # Translators: The label atop a reply whose quotes may not answer the question.
        _reply("status_uncertain", "Closest passages — may not answer"),
        # Translators: The label atop a reply saying the documents do not answer.
        _reply("status_abstained", "Not in the documents"),
    ]
)

# Every language the detector returns has a catalogue (tests/text/test_messages.py checks it).
REPLY_LANGUAGES = tuple(DETECTED_LANGUAGES)


def catalogue_path(language: str) -> Path:
    """Where the gettext catalogue of ``language`` lies (English, the source, has none)."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str):
    """The compiled catalogue of ``language`` (Babel ``support.Translations``); for English
    and any language without a catalogue, a null one that says the English sentences.

    Example:
        >>> translations("fr").pgettext("lead", ENGLISH["lead"])
        'Voici ce que disent les documents :'
    """
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    # Only the known codes: a language code also names a folder.
    if language == FALLBACK_LANGUAGE or language not in REPLY_LANGUAGES or not catalogue_path(language).is_file():
        return NullTranslations()
    with catalogue_path(language).open("rb") as po:
        catalogue = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)  # fuzzy entries left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def message(language: str, key: str) -> str:
    """The sentence ``key`` (one of `ENGLISH`'s keys) in ``language``, English where it has no translation.

    Example:
        >>> message("ja", "lead")
        '文書には次のように書かれています：'
        >>> message("xx", "status_abstained")
        'Not in the documents'
    """
    return translations(language).pgettext(key, ENGLISH[key])


def overview_lead(language: str, source: str) -> str:
    """The lead-in of an overview of the document ``source`` (named by its file name).

    Example:
        >>> overview_lead("de", "seeds/bericht.txt")
        'Überblick über bericht.txt:'
    """
    return message(language, "overview").format(name=source.rsplit("/", 1)[-1])
