"""What a question asks for, and whether a sentence holds it."""

from qa.answering.answer_types import answer_type, count_spans, matches_type


def test_dates_in_cldr_languages_answer_when():
    assert matches_type("when", "Wizyta odbyła się 18 czerwca.")
    assert matches_type("when", "Besöket ägde rum den 18 juni.")
    assert matches_type("when", "Визит состоялся 19 июня.")
    assert matches_type("when", "会议于6月18日举行")
    assert not matches_type("when", "Les 20 000 soldats sont arrivés.")


def test_population_alone_asks_for_no_count():
    assert answer_type("What is the population of Pyongyang?") is None
    assert answer_type("Какова численность населения?") is None
    assert answer_type("Quel est le nombre de soldats ?") == "how_many"


def test_a_number_before_a_month_is_a_date_not_a_count():
    assert not matches_type("how_many", "Il est arrivé le 18 czerwca.")
    assert count_spans("Les 20 000 soldats des forces") == [(4, 18)]
