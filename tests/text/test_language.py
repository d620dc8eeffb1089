"""The question's language: script, function words, punctuation and lingua's confidence combined."""

from __future__ import annotations

import pytest

from qa.text.language import (
    LanguageDetector,
    detect_language,
    function_word_counts,
    punctuation_counts,
    without_names,
)
from qa.tools.language_eval import ROOT, SHARED_EVAL, _app_examples, measure, read_questions, total, written_in


def test_app_examples_are_detected_in_their_language():
    examples = _app_examples(ROOT / "qa" / "serving" / "web" / "examples.py")
    assert [(q.text, detect_language(q.text)) for q in examples] == [(q.text, q.language) for q in examples]


@pytest.mark.skipif(not SHARED_EVAL.is_dir(), reason="../shared/eval is not here")
def test_language_accuracy_on_every_labelled_question_is_at_least_99_5_percent():
    questions, _ = read_questions()
    whole = total(measure(questions))
    assert whole.questions >= 2000
    assert whole.accuracy >= 0.995, whole.mistakes
    # Never a language the question has no words of, on questions of three words or more.
    assert whole.foreign_mistakes == []


@pytest.mark.parametrize(
    "question, given, expected, written",
    [
        ("Qui a écrit the Spirit and the flesh", "en", "fr", True),  # an English title in a French question
        ("Who sang le temps des cerises?", "fr", "en", True),
        ("Wer schrieb the catcher in the rye?", "en", "de", True),
        ("Quel poste occupe Han Zheng ?", "it", "fr", False),
        ("When was the treaty signed?", "de", "en", False),
    ],
)
def test_a_question_that_mixes_languages_is_written_in_each(question, given, expected, written):
    assert written_in(question, given, expected) is written


@pytest.mark.parametrize(
    "question, language",
    [
        ("Какая погода в Пхеньяне?", "ru"),
        ("Хто запросив Путіна до Північної Кореї?", "uk"),
        ("友好条約はいつ署名されましたか？", "ja"),
        ("友好条约是什么时候签署的？", "zh"),
        ("우호 조약은 언제 서명되었습니까?", "ko"),
        ("متى تم توقيع معاهدة الصداقة؟", "ar"),
        ("Πότε υπογράφηκε η συνθήκη φιλίας;", "el"),
    ],
)
def test_script_tells_the_language(question, language):
    assert detect_language(question) == language


@pytest.mark.parametrize(
    "question, language",
    [
        ("Quand Poutine ira-t-il à Pyongyang ?", "fr"),
        ("Qui est Walter Rodney ?", "fr"),
        ("Who is Walter Rodney?", "en"),
        ("What is Yuri Ushakov's role?", "en"),
    ],
)
def test_names_do_not_decide_a_short_question_language(question, language):
    assert detect_language(question) == language


def test_names_after_the_first_word_are_left_out_of_the_sample():
    assert without_names("Quand Poutine ira-t-il à Pyongyang ?") == "Quand ira-t-il à"
    assert without_names("Julien Darui") == "Julien Darui"


def test_function_words_count_for_every_language_that_has_them():
    counts = function_word_counts("quand ira-t-il à")
    assert counts["fr"] == 4 and counts["pt"] == 1 and counts["ru"] == 0


def test_function_words_bring_in_a_language_the_fast_model_all_but_rules_out():
    assert detect_language("Putin'i Kuzey Kore'ye kim davet etti?") == "tr"


def test_a_space_before_the_question_mark_is_french_evidence():
    assert punctuation_counts("Qui a battu Inter Milan ?") == {"fr": 1}
    assert punctuation_counts("Qui a battu Inter Milan\u202f?") == {"fr": 1}
    assert punctuation_counts("Who beat Inter Milan?") == {}
    assert detect_language("Qui a battu Inter Milan ?") == "fr"


@pytest.mark.parametrize(
    "question, language",
    [
        ("When was the friendship treaty signed ?", "en"),
        ("Cuándo se firmó el tratado ?", "es"),
        ("Wann wurde der Vertrag unterzeichnet ?", "de"),
        ("Quando è stato firmato il trattato ?", "it"),
    ],
)
def test_a_space_before_the_question_mark_does_not_outweigh_clear_words(question, language):
    assert detect_language(question) == language


def test_a_sure_question_needs_no_high_accuracy_model():
    detector = LanguageDetector()
    assert detector.detect("When was the friendship treaty signed?") == "en"
    assert detector.slow_path_calls == 0


@pytest.mark.parametrize("text", ["", "2024 ?", "…"])
def test_text_without_letters_is_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text, language",
    [
        ("La Russie et la Corée du Nord vont travailler ensemble pour contrer les sanctions occidentales.", "fr"),
        ("Russia and North Korea will work together to counter Western sanctions, Putin said.", "en"),
        ("Россия и Северная Корея будут вместе противостоять западным санкциям.", "ru"),
        ("ロシアと北朝鮮は西側の制裁に対抗するために協力する。", "ja"),
        ("1961 — 2024", "en"),  # nothing to tell it by
    ],
)
def test_a_documents_language_is_told_from_its_text(text, language):
    from qa.text.language import document_language

    assert document_language(text) == language

