"""The short answer inside a quote: exact spans of dates, counts, durations and names."""

from qa.answering.short_answer import answer_span, short_answer
from qa.results import Citation, ShortAnswer


def span(kind, sentence, **options):
    found = answer_span(kind, sentence, **options)
    return None if found is None else sentence[found[0] : found[1]]


def test_a_date_is_the_answer_to_when_in_every_language():
    assert span("when", "Le sommet a eu lieu les 18 et 19 juin à Pyongyang.") == "18 et 19 juin"
    assert span("when", "Le traité a été signé le 12 mars 2024 à Paris.") == "12 mars 2024"
    assert span("when", "The summit was held on June 18-19 in Pyongyang.") == "June 18-19"
    assert span("when", "Er kam am 18. Juni 2024 an.") == "18. Juni 2024"
    assert span("when", "El tratado se firmó en 1961.") == "1961"
    assert span("when", "Визит прошёл 19 июня в Пхеньяне.") == "19 июня"
    assert span("when", "プーチン大統領は2024年6月18日に訪問した。") == "2024年6月18日"


def test_a_relative_day_answers_when_only_without_a_date():
    assert span("when", "Он приедет завтра.") == "завтра"
    assert span("when", "Tomorrow he signs the treaty of 1961.") == "1961"


def test_a_count_comes_with_the_thing_counted_or_its_unit():
    soldiers = "Quelque 20 000 soldats nord-coréens combattent en Ukraine."
    assert span("how_many", soldiers, anchors=lambda word: word == "soldats") == "20 000 soldats"
    assert span("how_many", "Le billet coûte 120 EUR.") == "120 EUR"
    assert span("how_many", "La ville compte 3,5 millions d'habitants.") == "3,5 millions"
    assert span("how_many", "Unos 300 soldados murieron.", anchors=lambda word: word.startswith("soldad")) == "300 soldados"
    assert span("how_many", "Около 12 000 военных прибыли.", anchors=lambda word: word.startswith("военн")) == "12 000 военных"


def test_a_year_or_a_number_away_from_the_thing_counted_is_no_count():
    assert span("how_many", "En 2024, personne n'est venu.") is None
    assert span("how_many", "Il y a 24 ans que tous les soldats sont partis.", anchors=lambda word: word == "soldats") is None


def test_a_duration_next_to_what_the_question_asks_about():
    assert span("duration", "Sa visite de deux jours commence mardi.", anchors=lambda word: word == "visite") == "deux jours"
    assert span("duration", "The meeting lasted 40 minutes.") == "40 minutes"
    assert span("duration", "Sa première visite en 24 ans.", anchors=lambda word: word == "séjour") is None


def test_a_name_is_a_run_of_capitalised_words_not_the_questions():
    assert span("who", "Le dirigeant nord-coréen Kim Jong Un a invité Vladimir Poutine.", question="Qui a invité Poutine ?") == "Kim Jong Un"
    assert span("who", "Kim Jong Un invited Putin.", question="Who invited Putin?") == "Kim Jong Un"
    assert span("who", "El presidente Vladímir Putin llegó a Pyongyang.", question="¿Quién llegó?") == "Vladímir Putin"
    assert span("who", "Hier, il est venu seul.", question="Qui est venu ?") is None


def test_no_span_for_a_sentence_without_the_answer_or_a_question_without_a_kind():
    assert span("when", "Il n'y a rien ici.") is None
    assert span("duration", "Rien ne dure.") is None
    assert span(None, "Le 18 juin 2024.") is None


def test_the_short_answer_is_at_the_quotes_offsets_in_the_document():
    document = "Titre.\n\nPoutine s'y est rendu les 18 et 19 juin, à l’invitation de Kim Jong Un."
    start = document.index("Poutine")
    quote = Citation(document[start:], "news.md", start, len(document))
    short = short_answer("when", quote)
    assert short == ShortAnswer("18 et 19 juin", "news.md", start + 26, start + 39, "when")
    assert document[short.start : short.end] == short.text
    who = short_answer("who", quote, question="Qui a invité Poutine ?")
    assert document[who.start : who.end] == who.text == "Kim Jong Un"
    assert short_answer("how_many", quote) is None
