import pytest

from qa.text.structure import holds_words, is_heading


def _heading(text: str, sentence: str) -> bool:
    start = text.index(sentence)
    return is_heading(text, start, start + len(sentence))


PLAN = (
    "# Project Falcon\n\n"
    "Ana Lima is the tech lead. Bo Chen is the designer.\n\n"
    "Chapter 2. Ventilation and heating\n\n"
    "The heating runs from October to April.\n\n"
    "| Room | Temperature |\n|---|---|\n| Office | 21 °C |\n"
)


@pytest.mark.parametrize("line", ["# Project Falcon", "Chapter 2. Ventilation and heating"])
def test_headings_are_told_by_their_layout(line):
    assert _heading(PLAN, line)


@pytest.mark.parametrize("sentence", ["Ana Lima is the tech lead.", "The heating runs from October to April.", "| Office | 21 °C |"])
def test_prose_and_table_rows_are_not_headings(sentence):
    assert not _heading(PLAN, sentence)


def test_a_list_written_without_bullets_is_not_a_run_of_headings():
    recipe = "Lemon cake\n\nIngredients\n\n200 g flour\n\n3 eggs\n\nBake for 40 minutes\n\nMix the eggs with the sugar.\n"
    assert _heading(recipe, "Lemon cake")  # the title
    assert not any(_heading(recipe, line) for line in ("200 g flour", "3 eggs", "Bake for 40 minutes"))


@pytest.mark.parametrize("text", ["第二章 通风与供暖\n\n冬季供暖从十月开始。", "Глава 2. Отопление\n\nОтопление работает с октября."])
def test_headings_in_other_scripts(text):
    assert _heading(text, text.split("\n")[0])


def test_a_table_rule_holds_no_words():
    assert not holds_words("|---|:---:|")
    assert not holds_words("* * *")
    assert holds_words("Tokyo: 120 EUR.")
    assert holds_words("二〇二四")


def test_a_long_line_of_one_word_is_not_a_heading():
    text = "Le gène a été séquencé.\n\n" + "acgt" * 5_000 + "\n\nSa séquence compte 20 000 bases.\n"
    assert not _heading(text, "acgt" * 5_000)
