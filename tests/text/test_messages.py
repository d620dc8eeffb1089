"""The sentences said to the asker: one gettext catalogue a language, complete, placeholders kept."""

from __future__ import annotations

import string

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from qa import answer
from qa.text.language import DETECTED_LANGUAGES, FALLBACK_LANGUAGE, detect_language
from qa.text.messages import (
    ENGLISH,
    LOCALE_DIR,
    REPLY_LANGUAGES,
    TEMPLATE,
    catalogue_path,
    message,
    overview_lead,
)

TRANSLATED = [language for language in REPLY_LANGUAGES if language != FALLBACK_LANGUAGE]


def _read(path):
    with path.open("rb") as po:
        return read_po(po)


def _entries(catalogue) -> dict[tuple[str, str], object]:
    return {(m.context, m.id): m for m in catalogue if m.id}


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_every_language_the_detector_returns_has_a_catalogue():
    folders = {path.parent.parent.name for path in LOCALE_DIR.glob("*/LC_MESSAGES/qa.po")}
    assert folders == set(DETECTED_LANGUAGES) - {FALLBACK_LANGUAGE}
    assert len(REPLY_LANGUAGES) >= 20


def test_the_template_holds_exactly_the_sentences_of_the_source():
    # What `pybabel extract` finds now (babel.cfg's file, `make messages`' keyword) is what the
    # committed template holds: a sentence changed in qa/text/messages.py fails here until
    # `make messages` is run.
    extracted = {
        (context, text)
        for _, text, _, context in extract_from_file(
            "python", LOCALE_DIR.parent / "messages.py", keywords={"_reply": ((1, "c"), 2)}
        )
    }
    assert extracted == set(_entries(_read(TEMPLATE))) == {(key, text) for key, text in ENGLISH.items()}


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalogue_translates_every_sentence_of_the_template_and_keeps_its_placeholders(language):
    template = _entries(_read(TEMPLATE))
    catalogue = _read(catalogue_path(language))
    entries = _entries(catalogue)
    assert str(catalogue.locale) == language
    assert set(entries) == set(template)
    for (key, english), entry in entries.items():
        assert entry.string.strip(), f"{language}: {key} is not translated"
        assert not entry.fuzzy, f"{language}: {key} is marked fuzzy (its English changed): check it, then unmark it"
        assert _placeholders(entry.string) == _placeholders(english), f"{language}: {key}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_language_gets_its_own_lead_in(language):
    assert message(language, "lead") != ENGLISH["lead"]
    assert message(language, "lead") != ""


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_reply_is_written_in_its_language(language):
    # A translation filed under the wrong language (Danish for Norwegian) fails here.
    for key in ("lead", "uncertain", "abstain", "empty", "not_a_question"):
        assert detect_language(message(language, key)) == language, key


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_are_filled_in_every_language(language):
    assert "bericht.txt" in overview_lead(language, "seeds/bericht.txt")
    assert "7" in message(language, "dropped").format(n=7)
    assert "it timed out" in message(language, "not_generated").format(reason="it timed out")
    assert "Falcon" in message(language, "mentions_none").format(subject="Falcon")
    assert "Falcon" in message(language, "mentions").format(subject="Falcon", n=2)
    for key in ("collection_count", "collection_more", "sections_page", "sections_slide", "sections_sheet", "sections_chapter"):
        assert "12" in message(language, key).format(n=12), key


@pytest.mark.parametrize("language", ["xx", "../fr", "", "EN"])
def test_a_language_without_a_catalogue_gets_english(language):
    assert message(language, "lead") == "Here is what the documents say:"


@pytest.mark.parametrize(
    "question, language",
    [
        ("プーチンを北朝鮮に招待したのは誰ですか？", "ja"),
        ("من دعا بوتين إلى كوريا الشمالية؟", "ar"),
        ("Putin'i Kuzey Kore'ye kim davet etti?", "tr"),
    ],
)
def test_a_question_gets_its_lead_in_in_its_language(seed_index, settings, question, language):
    result = answer(question, index=seed_index, settings=settings)
    key = {"answered": "lead", "uncertain": "uncertain", "abstained": "abstain"}[result.status]
    assert result.language == language
    assert result.text.startswith(message(language, key)) and message(language, key) != ENGLISH[key]
